#include "net/backoff.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pylon::net {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, GrowsExponentiallyUpToTheCapWithoutJitter) {
  Backoff b({milliseconds(100), milliseconds(1000), 2.0, 0.0}, 1);
  EXPECT_EQ(b.next(), milliseconds(100));
  EXPECT_EQ(b.next(), milliseconds(200));
  EXPECT_EQ(b.next(), milliseconds(400));
  EXPECT_EQ(b.next(), milliseconds(800));
  EXPECT_EQ(b.next(), milliseconds(1000));
  EXPECT_EQ(b.next(), milliseconds(1000));
  b.reset();
  EXPECT_EQ(b.next(), milliseconds(100));
}

TEST(Backoff, JitterStaysWithinItsShareAndVaries) {
  Backoff b({milliseconds(1000), milliseconds(1000), 2.0, 0.5}, 42);
  std::set<long> seen;
  for (int i = 0; i < 200; ++i) {
    const auto d = b.next();
    EXPECT_GE(d, milliseconds(500));
    EXPECT_LE(d, milliseconds(1000));
    seen.insert(static_cast<long>(d.count()));
  }
  EXPECT_GT(seen.size(), 50u);  // really random, so clients do not reconnect in lockstep
}

TEST(Backoff, DifferentSeedsGiveDifferentSequences) {
  Backoff a({milliseconds(1000), milliseconds(10000), 2.0, 1.0}, 1);
  Backoff b({milliseconds(1000), milliseconds(10000), 2.0, 1.0}, 2);
  int differ = 0;
  for (int i = 0; i < 10; ++i) differ += a.next() != b.next();
  EXPECT_GT(differ, 5);
}

TEST(Backoff, NonsenseOptionsAreSanitizedNotATightLoop) {
  Backoff b({milliseconds(0), milliseconds(-5), 0.1, -3.0}, 7);
  for (int i = 0; i < 10; ++i) EXPECT_GE(b.next(), milliseconds(1));
  Backoff huge({milliseconds(10), milliseconds(60000), 10.0, 0.0}, 7);
  for (int i = 0; i < 2000; ++i) EXPECT_LE(huge.next(), milliseconds(60000));  // no overflow
}

}  // namespace
}  // namespace pylon::net
