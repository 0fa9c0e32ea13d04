// Arbitrary bytes as a snapshot segment and as a queue segment: the client must validate, refuse
// or read them without touching memory outside the image. Odd first byte: the input is used raw;
// even: it is XORed over a valid segment (a snapshot of two neurons and three mechanisms) so the
// fuzzer reaches past the magic and geometry checks.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "pylon/shm/client.hpp"
#include "pylon/shm/writer/queue_segments.hpp"
#include "pylon/shm/writer/snapshot_publish.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon::shm;
  bool raw = size > 0 && (data[0] & 1);
  SnapshotSegmentHeader g = snapshot_geometry(2, 8, 4, 64, 1, 1, 3);
  QueueSegmentHeader q = queue_geometry(2, 4, 1000, 1, 1);
  AckSegmentHeader a = ack_geometry(q);
  std::size_t n = raw ? size : std::max<std::size_t>(g.segment_size, q.segment_size);
  // 8-byte aligned private images.
  std::vector<std::uint64_t> snap(n / 8 + 1), queue(n / 8 + 1), ack(a.segment_size / 8 + 1);
  auto* s8 = reinterpret_cast<unsigned char*>(snap.data());
  auto* q8 = reinterpret_cast<unsigned char*>(queue.data());
  auto* a8 = reinterpret_cast<unsigned char*>(ack.data());
  format_ack_segment(a8, a, 1);
  if (!raw) {
    format_snapshot_segment(s8, g, 1);
    SnapshotMeta m{};
    m.neuron_count = 2, m.mechanism_count = 3;
    NeuronRecord rows[2] = {};
    rows[1].uid = 1, rows[1].hotkey[0] = 1;
    const std::uint16_t index[2] = {0, 1}, incentives[4] = {1, 2, 0, 0};
    const std::uint64_t last_update[4] = {3, 4, 0, 0};
    const MechanismRecord mechs[3] = {{1, 3, {}}, {2, 3, {}}, {3, 1, {}}};  // 2 without fields
    publish_snapshot(s8, g, SlotImage{&m, rows, index, nullptr, nullptr, mechs, last_update, incentives});
    format_queue_segment(q8, q);
  }
  for (std::size_t i = 0; i < std::min(size, n); ++i) s8[i] ^= data[i], q8[i] ^= data[i];
  // Raw inputs garble the ack segment too (the daemon writes it, but the client still checks it).
  for (std::size_t i = 0; raw && i < std::min<std::size_t>(size, a.segment_size); ++i)
    a8[i] ^= data[size - 1 - i];
  if (auto r = SnapshotReader::attach(s8, n)) {
    Snapshot s;
    if (r->copy(s).ok() && s.neuron_count() > 0) (void)s.find(s.neuron(0).hotkey);
    for (std::uint32_t m = 0; m < 4; ++m)
      (void)(s.incentive(1, m) + s.last_update(1, m) + s.mechanism(m).emission_share());
    std::uint8_t hotkey[32] = {};
    (void)r->neuron_by_hotkey(hotkey);
    (void)r->neuron_by_uid(1);
  }
  if (auto p = WeightProducer::attach(q8, n, a8, a.segment_size)) (void)p->push_uid(1, 0.5);
  return 0;
}
