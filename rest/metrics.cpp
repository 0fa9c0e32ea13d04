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
  const auto route = static_cast<std::size_t>(r);
  requests_[route * kStatuses.size() + status_index(status)].fetch_add(1, std::memory_order_relaxed);
  const double s = std::chrono::duration<double>(latency).count();
  std::size_t b = 0;
  while (b < kLatencyBuckets.size() && s > kLatencyBuckets[b]) ++b;
  latency_buckets_[route * kBucketSlots + b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_[route].fetch_add(static_cast<std::uint64_t>(latency.count()), std::memory_order_relaxed);
  latency_count_[route].fetch_add(1, std::memory_order_relaxed);
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

void append_family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

std::string label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void append_histogram(std::string& out, std::string_view name, std::string_view labels,
                      std::span<const double> bounds, std::span<const std::uint64_t> counts, double sum) {
  const std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
  const std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b <= bounds.size() && b < counts.size(); ++b) {
    cumulative += counts[b];
    std::string le = prefix + "le=\"";
    if (b < bounds.size()) {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, bounds[b]);
      le.append(buf, r.ptr);
    } else {
      le += "+Inf";
    }
    le += '"';
    append_sample(out, bucket, le, static_cast<double>(cumulative));
  }
  append_sample(out, std::string(name) + "_sum", labels, sum);
  append_sample(out, std::string(name) + "_count", labels, static_cast<double>(cumulative));
}

void Metrics::render(std::string& out) const {
  append_family(out, "pylon_http_requests_total", "counter",
                "HTTP requests answered, by path template and status.");
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
  append_family(out, "pylon_http_request_duration_seconds", "histogram",
                "Time from a request's last byte to its answer, by path template.");
  for (std::size_t r = 0; r < kRouteCount; ++r) {
    if (latency_count_[r].load(std::memory_order_relaxed) == 0) continue;
    std::array<std::uint64_t, kBucketSlots> counts{};
    for (std::size_t b = 0; b < kBucketSlots; ++b)
      counts[b] = latency_buckets_[r * kBucketSlots + b].load(std::memory_order_relaxed);
    const std::string labels = "path=\"" + std::string(route_template(static_cast<Route>(r))) + "\"";
    append_histogram(out, "pylon_http_request_duration_seconds", labels, kLatencyBuckets, counts,
                     static_cast<double>(latency_sum_ns_[r].load(std::memory_order_relaxed)) / 1e9);
  }
  append_family(out, "pylon_http_connections_open", "gauge", "Connections open now.");
  append_sample(out, "pylon_http_connections_open", "",
                static_cast<double>(connections_open_.load(std::memory_order_relaxed)));
  append_family(out, "pylon_http_connections_total", "counter", "Connections accepted.");
  append_sample(out, "pylon_http_connections_total", "",
                static_cast<double>(connections_total_.load(std::memory_order_relaxed)));
  append_family(out, "pylon_http_timeouts_total", "counter",
                "Connections closed because a read or write took too long.");
  append_sample(out, "pylon_http_timeouts_total", "",
                static_cast<double>(timeouts_.load(std::memory_order_relaxed)));
  append_family(out, "pylon_rest_chain_calls_total", "counter",
                "Chain reads and submissions made for REST requests.");
  append_sample(out, "pylon_rest_chain_calls_total", "outcome=\"ok\"",
                static_cast<double>(chain_ok_.load(std::memory_order_relaxed)));
  append_sample(out, "pylon_rest_chain_calls_total", "outcome=\"error\"",
                static_cast<double>(chain_failed_.load(std::memory_order_relaxed)));
  append_family(out, "pylon_rest_worker_queue_depth", "gauge", "Blocking REST jobs queued or running.");
  append_sample(out, "pylon_rest_worker_queue_depth", "",
                static_cast<double>(worker_depth_.load(std::memory_order_relaxed)));
}

}  // namespace pylon::rest
