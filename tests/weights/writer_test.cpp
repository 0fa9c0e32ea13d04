// The writer thread without a queue: answers after the commit, groups what is waiting into few
// transactions, keeps a failing batch apart, and loses nothing when stopped with work pending.
#include "weights/writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "weights_test_support.hpp"

namespace pylon::weights {
namespace {

using test::add;
using test::hotkey;
using test::set;

TEST(WeightsWriter, AnswersAfterTheCommit) {
  test::TempDir dir;
  std::string path = dir.file("w.db");
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  // A second connection on the same file sees only committed data: whatever it reads inside the
  // Done callback was committed before the answer.
  auto other = test::open_store(path);
  ASSERT_TRUE(other);
  Writer w(*s, nullptr, {});
  std::promise<double> seen;
  w.submit({set(1, 0.5), add(1, 0.25)}, [&](Result<std::vector<double>> r) {
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, (std::vector<double>{0.5, 0.75}));
    Result<std::map<AccountId, double>> got = other->weights({2}, 100);
    seen.set_value(got.ok() && got->count(hotkey(1)) ? got->at(hotkey(1)) : -1);
  });
  EXPECT_EQ(seen.get_future().get(), 0.75);
  Result<std::vector<double>> r = w.apply({add(1, 1)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->front(), 1.75);
}

TEST(WeightsWriter, WaitingBatchesShareATransactionButNotAFate) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  Writer w(*s, nullptr, {});
  constexpr int kBatches = 300;
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::promise<void> all;
  std::atomic<int> answered{0};
  for (int i = 0; i < kBatches; ++i) {
    // Every 10th batch takes hotkey 1 below zero after writing hotkey 2: refused on its own.
    std::vector<WeightUpdate> b = i % 10 == 9 ? std::vector<WeightUpdate>{add(2, 100), add(1, -1000)}
                                              : std::vector<WeightUpdate>{add(1, 1), add(3, 1)};
    w.submit(std::move(b), [&](Result<std::vector<double>> r) {
      (r.ok() ? ok : refused)++;
      if (++answered == kBatches) all.set_value();
    });
  }
  all.get_future().get();
  EXPECT_EQ(ok.load(), 270);
  EXPECT_EQ(refused.load(), 30);
  WriterStats st = w.stats();
  EXPECT_EQ(st.batches, static_cast<std::uint64_t>(kBatches));
  EXPECT_LT(st.transactions, st.batches / 4) << "the waiting batches were not grouped";
  auto weights = s->weights({2}, 100);
  ASSERT_TRUE(weights.ok());
  EXPECT_EQ(weights->at(hotkey(1)), 270);
  EXPECT_EQ(weights->at(hotkey(3)), 270);
  EXPECT_EQ(weights->count(hotkey(2)), 0u);
}

TEST(WeightsWriter, ManyThreadsSubmitting) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  Writer w(*s, nullptr, {}, WriterOptions{.max_group = 8});
  std::vector<std::thread> threads;
  for (std::uint32_t t = 0; t < 6; ++t) {
    threads.emplace_back([&w, t] {
      for (int i = 0; i < 40; ++i) ASSERT_TRUE(w.apply({add(t, 0.5)}).ok());
    });
  }
  for (auto& t : threads) t.join();
  auto weights = s->weights({2}, 100);
  ASSERT_TRUE(weights.ok());
  for (std::uint32_t t = 0; t < 6; ++t) EXPECT_EQ(weights->at(hotkey(t)), 20);
  EXPECT_EQ(w.stats().batches, 240u);
}

TEST(WeightsWriter, StopCommitsEverythingSubmitted) {
  test::TempDir dir;
  std::string path = dir.file("w.db");
  std::atomic<int> ok{0};
  {
    auto s = test::open_store(path);
    ASSERT_TRUE(s);
    Writer w(*s, nullptr, {}, WriterOptions{.max_group = 16});
    for (std::uint32_t i = 0; i < 500; ++i) {
      w.submit({set(i, i)}, [&](Result<std::vector<double>> r) {
        if (r.ok()) ++ok;
      });
    }
    w.stop();  // with most of them still waiting
    EXPECT_EQ(ok.load(), 500);
    EXPECT_EQ(w.stats().pending, 0u);
    // After stop: answered at once, with an error, and nothing written.
    bool called = false;
    w.submit({set(9999, 1)}, [&](Result<std::vector<double>> r) {
      called = true;
      ASSERT_FALSE(r.ok());
      EXPECT_NE(r.error().message.find("stopped"), std::string::npos);
    });
    EXPECT_TRUE(called);
    EXPECT_FALSE(w.apply({set(9999, 1)}).ok());
    w.stop();  // twice is fine
  }
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  auto weights = s->weights({2}, 100);
  ASSERT_TRUE(weights.ok());
  ASSERT_EQ(weights->size(), 500u);
  for (std::uint32_t i = 0; i < 500; ++i) EXPECT_EQ(weights->at(hotkey(i)), i);
}

}  // namespace
}  // namespace pylon::weights
