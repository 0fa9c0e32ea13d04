// ChainClient::watch_runtime on the finney replay node: the announced runtime's metadata is fetched
// before any block of it is decoded, an upgrade announced on the best block loads the new spec's
// metadata ahead of the first snapshot that needs it, and an announcement the best block does not
// (yet) run fetches nothing. The upgrade is modelled by the node answering spec 344 for its
// runtime version (same metadata bytes: what is tested is when they are fetched).
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "common/json_writer.hpp"
#include "follower/snapshot.hpp"
#include "replay_test_support.hpp"

namespace pylon::replay {
namespace {

using namespace testing;

std::string with_spec(std::string version_json, std::uint32_t spec) {
  const std::string key = "\"specVersion\":";
  const auto at = version_json.find(key);
  if (at == std::string::npos) return "";
  const auto end = version_json.find_first_of(",}", at);
  return version_json.replace(at + key.size(), end - at - key.size(), std::to_string(spec));
}

std::string metadata_option_hex() {
  std::ifstream in(shared_dir() + "/chain/finney-metadata-v15.option.hex");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

// The spec versions announced to on_runtime (network thread), read by the test thread.
class Announced {
 public:
  void push(std::uint32_t spec) {
    std::lock_guard lock(mu_);
    specs_.push_back(spec);
  }
  std::vector<std::uint32_t> snapshot() const {
    std::lock_guard lock(mu_);
    return specs_;
  }
  bool wait_count(std::size_t n, std::chrono::milliseconds limit) const {
    return wait_until([&] { return snapshot().size() >= n; }, limit);
  }
  bool wait_last(std::uint32_t spec, std::chrono::milliseconds limit) const {
    return wait_until(
        [&] {
          auto v = snapshot();
          return !v.empty() && v.back() == spec;
        },
        limit);
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::uint32_t> specs_;
};

struct Watched {
  Watched() : server(start_server()) {
    if (!server) return;
    stack = std::make_unique<ClientStack>(server->url());
    auto h = chain::parse_hash(server->recorded_hash());
    EXPECT_TRUE(h.ok());
    at = chain::BlockRef{h.ok() ? *h : BlockHash{}, server->recorded_number()};
  }
  // Starts the chain client's runtime watch, every announced spec version recorded in `announced`.
  Status watch() {
    return stack->chain->watch_runtime(
        [this](const chain::RuntimeVersion& v) { announced.push(v.spec_version); });
  }
  std::unique_ptr<ReplayServer> server;
  std::unique_ptr<ClientStack> stack;
  chain::BlockRef at;
  Announced announced;
};

TEST(RuntimeWatch, TheCurrentRuntimesMetadataIsFetchedBeforeAnyBlockIsDecoded) {
  PYLON_REPLAY_REQUIRE_SHARED();
  Watched w;
  ASSERT_TRUE(w.server && w.stack->chain);
  auto& chain = *w.stack->chain;
  EXPECT_FALSE(chain.has_metadata_for(343));
  ASSERT_TRUE(w.watch().ok());
  ASSERT_TRUE(w.announced.wait_count(1, 5s));
  EXPECT_EQ(w.announced.snapshot()[0], 343u);
  ASSERT_TRUE(wait_until([&] { return chain.has_metadata_for(343); }, 5s));
  ASSERT_TRUE(chain.announced_runtime().has_value());
  EXPECT_EQ(chain.announced_runtime()->spec_version, 343u);
  EXPECT_EQ(chain.announced_runtime()->spec_name, "node-subtensor");
  EXPECT_EQ(w.server->requests("state_call"), 1u);  // Metadata_metadata_at_version, once

  // Decoding a block of that runtime checks the block's version and uses the fetched metadata.
  auto snapshot = follower::build_snapshot(chain, 1, w.at, follower_options().build);
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  EXPECT_EQ(snapshot->neurons.size(), 1024u);
  EXPECT_EQ(w.server->requests("state_call"), 2u);  // + get_neurons_lite, no second metadata
}

TEST(RuntimeWatch, AnUpgradeOnTheBestBlockLoadsTheNewMetadataAheadOfTheFirstBlockOfIt) {
  PYLON_REPLAY_REQUIRE_SHARED();
  Watched w;
  ASSERT_TRUE(w.server && w.stack->chain);
  auto& chain = *w.stack->chain;
  ASSERT_TRUE(w.watch().ok());
  ASSERT_TRUE(wait_until([&] { return chain.has_metadata_for(343); }, 5s));
  const std::uint64_t fetched_before = w.server->requests("state_call");

  // The node imports a block with runtime 344: it now reports 344 and serves 344's metadata.
  const std::string v344 = with_spec(w.server->recorded_runtime_version(), 344);
  ASSERT_FALSE(v344.empty());
  const std::string metadata = metadata_option_hex();
  ASSERT_FALSE(metadata.empty());
  std::string quoted;
  append_json_string(quoted, metadata);
  std::atomic<int> metadata_calls{0};
  w.server->set_override([&](std::string_view method, std::string_view params) -> std::optional<std::string> {
    if (method == "state_getRuntimeVersion") return v344;
    if (method == "state_call" && contains(params, "Metadata_metadata_at_version")) {
      ++metadata_calls;
      return quoted;
    }
    return std::nullopt;
  });
  w.server->announce_runtime_version(v344);
  ASSERT_TRUE(w.announced.wait_last(344, 5s));
  ASSERT_TRUE(wait_until([&] { return chain.has_metadata_for(344); }, 5s));
  EXPECT_EQ(metadata_calls.load(), 1);
  EXPECT_EQ(w.server->requests("state_call"), fetched_before + 1);
  EXPECT_EQ(chain.announced_runtime()->spec_version, 344u);

  // The first snapshot of the new runtime needs no metadata download of its own.
  auto snapshot = follower::build_snapshot(chain, 1, w.at, follower_options().build);
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  EXPECT_EQ(snapshot->spec_version, 344u);
  EXPECT_EQ(metadata_calls.load(), 1);
}

TEST(RuntimeWatch, AnAnnouncementTheBestBlockDoesNotRunFetchesNothing) {
  PYLON_REPLAY_REQUIRE_SHARED();
  Watched w;
  ASSERT_TRUE(w.server && w.stack->chain);
  auto& chain = *w.stack->chain;
  ASSERT_TRUE(chain.watch_runtime().ok());
  ASSERT_TRUE(wait_until([&] { return chain.has_metadata_for(343); }, 5s));
  const std::uint64_t versions_before = w.server->requests("state_getRuntimeVersion");
  const std::uint64_t fetched_before = w.server->requests("state_call");

  // Announced 345, but the best block still runs 343 (e.g. a fork that was dropped).
  w.server->announce_runtime_version(with_spec(w.server->recorded_runtime_version(), 345));
  ASSERT_TRUE(
      wait_until([&] { return w.server->requests("state_getRuntimeVersion") > versions_before; }, 5s));
  ASSERT_TRUE(wait_until([&] { return chain.announced_runtime()->spec_version == 345u; }, 5s));
  std::this_thread::sleep_for(100ms);  // the worker would fetch right after the version check
  EXPECT_FALSE(chain.has_metadata_for(345));
  EXPECT_EQ(w.server->requests("state_call"), fetched_before);
}

TEST(RuntimeWatch, TheSubscriptionIsRestoredAfterTheNodeDropsTheConnection) {
  PYLON_REPLAY_REQUIRE_SHARED();
  Watched w;
  ASSERT_TRUE(w.server && w.stack->chain);
  ASSERT_TRUE(w.watch().ok());
  ASSERT_TRUE(w.announced.wait_count(1, 5s));
  w.server->set_fault(Fault::kDrop);
  ASSERT_TRUE(wait_until([&] { return !w.stack->rpc->connected(); }, 5s));
  w.server->set_fault(Fault::kNone);
  // The new subscription's first notification: the current version again.
  ASSERT_TRUE(w.announced.wait_count(2, 10s));
  EXPECT_EQ(w.announced.snapshot()[1], 343u);
  EXPECT_EQ(w.server->requests("state_subscribeRuntimeVersion"), 2u);
}

TEST(RuntimeWatch, WatchingTwiceIsAnError) {
  PYLON_REPLAY_REQUIRE_SHARED();
  Watched w;
  ASSERT_TRUE(w.server && w.stack->chain);
  ASSERT_TRUE(w.stack->chain->watch_runtime().ok());
  auto again = w.stack->chain->watch_runtime();
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(contains(again.error().message, "already watching"));
}

}  // namespace
}  // namespace pylon::replay
