// The C++ side of bench/python's push -> durable comparison: the header-only client's
// WeightProducer against a running daemon's queue, timed exactly as bench_pylon_shm.py times
// pylon_shm (one `set` by uid pushed, then wait_durable), so the two run against the same daemon
// in one run, alternating rounds. Prints one line: "<n> <median ns> <p90 ns>".
//
//   usage: pylon_push_durable_bench QUEUE_NAME COUNT
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "pylon/shm/weight_producer.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s QUEUE_NAME COUNT\n", argv[0]);
    return 2;
  }
  const long count = std::strtol(argv[2], nullptr, 10);
  if (count <= 0) {
    std::fprintf(stderr, "COUNT must be a positive number\n");
    return 2;
  }
  pylon::shm::ShmResult<pylon::shm::WeightProducer> p = pylon::shm::WeightProducer::open(argv[1]);
  if (!p) {
    std::fprintf(stderr, "open %s: %s\n", argv[1], p.message());
    return 1;
  }
  std::vector<std::int64_t> ns;
  ns.reserve(static_cast<std::size_t>(count));
  for (long i = 0; i < count; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    pylon::shm::ShmResult<std::uint64_t> seq = p->push_uid(0, 1.0);
    if (!seq) {
      std::fprintf(stderr, "push: %s\n", seq.message());
      return 1;
    }
    if (pylon::shm::ShmStatus s = p->wait_durable(*seq, std::chrono::seconds(30)); !s) {
      std::fprintf(stderr, "wait_durable: %s\n", s.message());
      return 1;
    }
    ns.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ns.begin(), ns.end());
  std::printf("%ld %lld %lld\n", count, static_cast<long long>(ns[ns.size() / 2]),
              static_cast<long long>(ns[ns.size() * 9 / 10]));
  return 0;
}
