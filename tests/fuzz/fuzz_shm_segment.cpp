// Arbitrary bytes as a snapshot segment and as a queue segment: the client must validate, refuse
// or read them without touching memory outside the image. Odd first byte: the input is used raw;
// even: it is XORed over a valid segment so the fuzzer reaches past the magic and geometry checks.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "pylon/shm/client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon::shm;
  bool raw = size > 0 && (data[0] & 1);
  SnapshotSegmentHeader g = snapshot_geometry(2, 8, 4, 64, 1, 1);
  QueueSegmentHeader q = queue_geometry(2, 4, 1000, 1, 1);
  std::size_t n = raw ? size : std::max<std::size_t>(g.segment_size, q.segment_size);
  std::vector<std::uint64_t> snap(n / 8 + 1), queue(n / 8 + 1);  // 8-byte aligned private images
  auto* s8 = reinterpret_cast<unsigned char*>(snap.data());
  auto* q8 = reinterpret_cast<unsigned char*>(queue.data());
  if (!raw) {
    format_snapshot_segment(s8, g, 1);
    reinterpret_cast<SlotHeader*>(slot_base(s8, g, 0))->seq = 2;  // one published (empty) snapshot
    format_queue_segment(q8, q, 1);
  }
  for (std::size_t i = 0; i < std::min(size, n); ++i) s8[i] ^= data[i], q8[i] ^= data[i];
  if (auto r = SnapshotReader::attach(s8, n)) {
    Snapshot s;
    if (r->copy(s).ok() && s.neuron_count() > 0) (void)s.find(s.neuron(0).hotkey);
    std::uint8_t hotkey[32] = {};
    (void)r->neuron_by_hotkey(hotkey);
    (void)r->neuron_by_uid(1);
  }
  if (auto p = WeightProducer::attach(q8, n)) (void)p->push_uid(1, 0.5);
  return 0;
}
