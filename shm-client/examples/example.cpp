// The shm-client README example: open the snapshot, read the metagraph, push weights and wait
// until the daemon has committed them. Built (as C++17) and run against a live daemon side by
// tests/shm/example_test.cpp.
//
//   usage: shm_client_example [snapshot-segment] [queue-segment]   (defaults: pylon-1 pylon-1-weights)
#include <chrono>
#include <cstdio>
#include <thread>

#include "pylon/shm/client.hpp"

int main(int argc, char** argv) {
  const char* snapshot_name = argc > 1 ? argv[1] : "pylon-1";
  const char* queue_name = argc > 2 ? argv[2] : "pylon-1-weights";

  // 1. Open the snapshot segment (read-only) and copy one consistent snapshot.
  pylon::shm::ShmResult<pylon::shm::SnapshotReader> reader = pylon::shm::SnapshotReader::open(snapshot_name);
  if (!reader) {
    std::fprintf(stderr, "cannot open %s: %s\n", snapshot_name, reader.message());
    return 1;
  }
  pylon::shm::Snapshot snap;  // reuse it: later copies do not allocate
  if (pylon::shm::ShmStatus st = reader->copy(snap); !st) {
    std::fprintf(stderr, "cannot read the snapshot: %s\n", st.message());
    return 1;
  }
  std::printf("block %llu, %zu neurons, tempo %u\n", static_cast<unsigned long long>(snap.block_number()),
              snap.neuron_count(), snap.hyperparams().tempo);

  // 2. Score the metagraph: here, weights proportional to incentive.
  double total = 0;
  for (std::size_t uid = 0; uid < snap.neuron_count(); ++uid) total += snap.neuron(uid).incentive;
  if (total == 0) total = 1;

  // 3. Push one weight per uid. push() never blocks: on Errc::full, wait for the daemon to catch up.
  pylon::shm::ShmResult<pylon::shm::WeightProducer> producer = pylon::shm::WeightProducer::open(queue_name);
  if (!producer) {
    std::fprintf(stderr, "cannot open %s: %s\n", queue_name, producer.message());
    return 1;
  }
  std::uint64_t last_seq = 0;
  for (std::size_t uid = 0; uid < snap.neuron_count();) {
    double w = snap.neuron(uid).incentive / total;
    pylon::shm::ShmResult<std::uint64_t> seq = producer->push_uid(static_cast<std::uint16_t>(uid), w);
    if (seq) {
      last_seq = *seq;
      ++uid;
    } else if (seq.code() == pylon::shm::Errc::full) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } else {
      std::fprintf(stderr, "push failed: %s\n", seq.message());
      return 1;
    }
  }

  // 4. Wait until the weights store has committed them.
  if (pylon::shm::ShmStatus st = producer->wait_durable(last_seq, std::chrono::seconds(10)); !st) {
    std::fprintf(stderr, "weights not durable: %s\n", st.message());
    return 1;
  }
  std::printf("%zu weights durable (seq %llu)\n", snap.neuron_count(),
              static_cast<unsigned long long>(last_seq));
  return 0;
}
