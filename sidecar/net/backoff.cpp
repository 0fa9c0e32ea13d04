#include "net/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace pylon::net {

Backoff::Backoff(BackoffOptions options, std::uint64_t seed) : options_(options), rng_(seed) {
  // Sanitize instead of failing: a nonsensical config must not produce a tight reconnect loop.
  if (options_.initial.count() < 1) options_.initial = std::chrono::milliseconds(1);
  if (options_.max < options_.initial) options_.max = options_.initial;
  if (!(options_.multiplier >= 1.0)) options_.multiplier = 1.0;
  if (!(options_.jitter >= 0.0)) options_.jitter = 0.0;
  if (options_.jitter > 1.0) options_.jitter = 1.0;
}

std::chrono::milliseconds Backoff::next() {
  const double base = static_cast<double>(options_.initial.count()) *
                      std::pow(options_.multiplier, static_cast<double>(std::min(attempt_, 63u)));
  const double capped = std::min(base, static_cast<double>(options_.max.count()));
  if (attempt_ < 1000) ++attempt_;
  const double fixed = capped * (1.0 - options_.jitter);
  std::uniform_real_distribution<double> random(0.0, capped * options_.jitter);
  const double delay = fixed + (options_.jitter > 0.0 ? random(rng_) : 0.0);
  return std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(delay)));
}

}  // namespace pylon::net
