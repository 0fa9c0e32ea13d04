// Counters of the HTTP side, lock-free (the I/O thread and the workers both count), and their
// Prometheus text exposition together with gauges read at scrape time from the other modules.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rest/routes.hpp"

namespace pylon::rest {

// 201, 308 and 504 are /api/v1's (created by a write, netuid redirect, request deadline); 0 is
// "other".
inline constexpr std::array<unsigned, 15> kStatuses = {200, 201, 308, 400, 401, 403, 404, 405,
                                                       408, 413, 500, 502, 503, 504, 0};
inline constexpr std::array<double, 12> kLatencyBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                           0.01,   0.025,   0.05,   0.1,   0.5,    2.5};

class Metrics {
 public:
  void count_request(Route r, unsigned status, std::chrono::nanoseconds latency);
  void count_chain_call(bool ok) { (ok ? chain_ok_ : chain_failed_).fetch_add(1, std::memory_order_relaxed); }
  void connection_opened() {
    connections_total_.fetch_add(1, std::memory_order_relaxed);
    connections_open_.fetch_add(1, std::memory_order_relaxed);
  }
  void connection_closed() { connections_open_.fetch_sub(1, std::memory_order_relaxed); }
  void timed_out() { timeouts_.fetch_add(1, std::memory_order_relaxed); }
  void worker_queued() { worker_depth_.fetch_add(1, std::memory_order_relaxed); }
  void worker_done() { worker_depth_.fetch_sub(1, std::memory_order_relaxed); }

  // The HTTP families in Prometheus text format, appended to out.
  void render(std::string& out) const;

 private:
  static std::size_t status_index(unsigned status);
  std::array<std::atomic<std::uint64_t>, kRouteCount * kStatuses.size()> requests_{};
  // Per route: the buckets (the last one is +Inf), the sum and the count of the latency histogram.
  static constexpr std::size_t kBucketSlots = kLatencyBuckets.size() + 1;
  std::array<std::atomic<std::uint64_t>, kRouteCount * kBucketSlots> latency_buckets_{};
  std::array<std::atomic<std::uint64_t>, kRouteCount> latency_sum_ns_{};
  std::array<std::atomic<std::uint64_t>, kRouteCount> latency_count_{};
  std::atomic<std::uint64_t> chain_ok_{0}, chain_failed_{0};
  std::atomic<std::uint64_t> connections_total_{0};
  std::atomic<std::int64_t> connections_open_{0};
  std::atomic<std::uint64_t> timeouts_{0};
  std::atomic<std::int64_t> worker_depth_{0};
};

// Appends one sample line: name{labels} value.
void append_sample(std::string& out, std::string_view name, std::string_view labels, double value);
// Appends the # HELP and # TYPE lines of a family.
void append_family(std::string& out, std::string_view name, std::string_view type, std::string_view help);
// A label value escaped as the text format wants it (backslash, double quote, newline).
std::string label_value(std::string_view v);
// Appends a histogram's _bucket, _sum and _count lines. counts[i] is the number of observations
// in bucket i alone (not cumulative); counts has bounds.size() + 1 entries, the last for +Inf.
// labels: the series' other labels ("" or `a="x",b="y"`).
void append_histogram(std::string& out, std::string_view name, std::string_view labels,
                      std::span<const double> bounds, std::span<const std::uint64_t> counts, double sum);

}  // namespace pylon::rest
