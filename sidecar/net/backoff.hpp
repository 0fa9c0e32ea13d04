// Reconnect delays: exponential growth with random jitter, so that many clients that lost the same
// node do not all come back at the same instant.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace pylon::net {

struct BackoffOptions {
  std::chrono::milliseconds initial{250};
  std::chrono::milliseconds max{10'000};
  double multiplier = 2.0;
  // Fraction of each delay that is random: delay * (1 - jitter) + uniform(0, delay * jitter).
  double jitter = 0.5;
};

class Backoff {
 public:
  explicit Backoff(BackoffOptions options, std::uint64_t seed = std::random_device{}());

  // The delay before the next attempt; grows with each call up to options.max.
  std::chrono::milliseconds next();
  // Back to the initial delay (after a connection proved stable).
  void reset() { attempt_ = 0; }
  unsigned attempts() const { return attempt_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 rng_;
  unsigned attempt_ = 0;
};

}  // namespace pylon::net
