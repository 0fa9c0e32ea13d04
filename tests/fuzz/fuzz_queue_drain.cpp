// The daemon's drain of the weight queue, whose segment any validator of the group may write: the
// input is XORed over a fresh queue segment (byte 0 bit 0: from the producer slots on, so the
// drain gets past the header check; else from the header), byte 0 bit 1 truncates the file to
// byte 1 * 8 bytes first. The drain must never fault, never hand over an entry that breaks the
// entry rules, and always leave the queue usable or report it damaged (then it is recreated).
// The writer's rules then run on the batch (to_queue_batch, a subnet with mechanisms 0 and 1):
// every entry is stored under a mechanism the subnet has, or refused.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

#include "shm/weight_queue.hpp"
#include "weights/drain_batch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon;
  using namespace pylon::shm;
  static const std::string name = "pylon-fuzz-drain-" + std::to_string(::getpid());
  static std::unique_ptr<WeightQueue> q = std::move(WeightQueue::open({name, 1, std::nullopt, 2, 4})).value();
  if (!q->recreate("next input").ok() || size < 2) return 0;  // every input starts from a fresh segment
  ShmResult<Mapping> m = Mapping::open(name.c_str(), true);   // the validator's view
  if (!m) __builtin_trap();
  std::size_t from = (data[0] & 1) ? q->geometry().slots_offset : 0;
  for (std::size_t i = 2; i < size && from + i - 2 < m->size(); ++i) m->data()[from + i - 2] ^= data[i];
  if ((data[0] & 2) && ::truncate(("/dev/shm/" + name).c_str(), data[1] * 8) != 0) __builtin_trap();
  Result<DrainReport> r = q->drain([](std::span<const DrainedEntry> batch) -> Status {
    for (const DrainedEntry& e : batch) {
      bool op_ok = e.op == WeightOp::set || e.op == WeightOp::add;
      bool key_ok = e.key_kind == KeyKind::uid || e.key_kind == KeyKind::hotkey;
      if (e.producer >= 2 || e.seq == 0 || !std::isfinite(e.weight) || !op_ok || !key_ok) __builtin_trap();
    }
    weights::DrainContext ctx{1, 7, [](std::uint16_t) { return std::optional<AccountId>(AccountId{}); },
                              []() -> Result<std::uint8_t> { return std::uint8_t{2}; }};
    weights::QueueBatch q = weights::to_queue_batch(batch, ctx);
    if (q.updates.size() + q.refused.size() != batch.size()) __builtin_trap();
    for (const weights::WeightUpdate& u : q.updates)
      if (u.mechanism >= 2) __builtin_trap();
    return {};
  });
  if (!r) return r.error().is(QueueErrc::damaged) ? 0 : (__builtin_trap(), 0);
  if (Status s = q->mark_durable(*r); !s && !s.error().is(QueueErrc::damaged)) __builtin_trap();
  return 0;
}
