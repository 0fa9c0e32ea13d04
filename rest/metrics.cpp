#include "rest/metrics.hpp"

#include <charconv>
#include <cmath>

namespace pylon::rest {

std::size_t Metrics::status_index(unsigned status) {
  for (std::size_t i = 0; i + 1 < kStatuses.size(); ++i)
    if (kStatuses[i] == status) return i;
  return kStatuses.size() - 1;  // "other"
}

void Metrics::count_request(Route r, unsigned status, std::chrono::nanoseconds latency) {
  requests_[static_cast<std::size_t>(r) * kStatuses.size() + status_index(status)].fetch_add(
      1, std::memory_order_relaxed);
  const double s = std::chrono::duration<double>(latency).count();
  std::size_t b = 0;
  while (b < kLatencyBuckets.size() && s > kLatencyBuckets[b]) ++b;
  latency_buckets_[b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<std::uint64_t>(latency.count()), std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
}

void append_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  char buf[32];
  std::to_chars_result r;
  if (std::floor(value) == value && std::fabs(value) < 1e15)
    r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(value));
  else
    r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
  out += '\n';
}

void Metrics::render(std::string& out) const {
  out += "# HELP pylon_http_requests_total HTTP requests answered, by path template and status.\n";
  out += "# TYPE pylon_http_requests_total counter\n";
  for (std::size_t r = 0; r < kRouteCount; ++r) {
    for (std::size_t s = 0; s < kStatuses.size(); ++s) {
      const auto n = requests_[r * kStatuses.size() + s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string labels = "path=\"";
      labels += route_template(static_cast<Route>(r));
      labels += "\",status=\"";
      labels += kStatuses[s] ? std::to_string(kStatuses[s]) : std::string("other");
      labels += '"';
      append_sample(out, "pylon_http_requests_total", labels, static_cast<double>(n));
    }
  }
  out += "# HELP pylon_http_request_duration_seconds Time from a request's last byte to its answer.\n";
  out += "# TYPE pylon_http_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b <= kLatencyBuckets.size(); ++b) {
    cumulative += latency_buckets_[b].load(std::memory_order_relaxed);
    std::string le = "le=\"";
    if (b < kLatencyBuckets.size()) {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, kLatencyBuckets[b]);
      le.append(buf, r.ptr);
    } else {
      le += "+Inf";
    }
    le += '"';
    append_sample(out, "pylon_http_request_duration_seconds_bucket", le, static_cast<double>(cumulative));
  }
  append_sample(out, "pylon_http_request_duration_seconds_sum", "",
                static_cast<double>(latency_sum_ns_.load(std::memory_order_relaxed)) / 1e9);
  append_sample(out, "pylon_http_request_duration_seconds_count", "",
                static_cast<double>(latency_count_.load(std::memory_order_relaxed)));
  out +=
      "# HELP pylon_http_connections_open Connections open now.\n# TYPE pylon_http_connections_open gauge\n";
  append_sample(out, "pylon_http_connections_open", "",
                static_cast<double>(connections_open_.load(std::memory_order_relaxed)));
  out +=
      "# HELP pylon_http_connections_total Connections accepted.\n# TYPE pylon_http_connections_total "
      "counter\n";
  append_sample(out, "pylon_http_connections_total", "",
                static_cast<double>(connections_total_.load(std::memory_order_relaxed)));
  out += "# HELP pylon_http_timeouts_total Connections closed because a read or write took too long.\n";
  out += "# TYPE pylon_http_timeouts_total counter\n";
  append_sample(out, "pylon_http_timeouts_total", "",
                static_cast<double>(timeouts_.load(std::memory_order_relaxed)));
  out += "# HELP pylon_rest_chain_calls_total Chain reads and submissions made for REST requests.\n";
  out += "# TYPE pylon_rest_chain_calls_total counter\n";
  append_sample(out, "pylon_rest_chain_calls_total", "outcome=\"ok\"",
                static_cast<double>(chain_ok_.load(std::memory_order_relaxed)));
  append_sample(out, "pylon_rest_chain_calls_total", "outcome=\"error\"",
                static_cast<double>(chain_failed_.load(std::memory_order_relaxed)));
  out += "# HELP pylon_rest_worker_queue_depth Blocking REST jobs queued or running.\n";
  out += "# TYPE pylon_rest_worker_queue_depth gauge\n";
  append_sample(out, "pylon_rest_worker_queue_depth", "",
                static_cast<double>(worker_depth_.load(std::memory_order_relaxed)));
}

}  // namespace pylon::rest
