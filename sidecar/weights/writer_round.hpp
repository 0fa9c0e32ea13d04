// One round of the writer thread, shared by writer.cpp (REST batches) and writer_drain.cpp (the
// shm queue).
#pragma once

#include <span>
#include <vector>

#include "shm/weight_queue.hpp"
#include "weights/writer.hpp"

namespace pylon::weights {

struct Writer::Round {
  std::vector<std::span<const WeightUpdate>> batches;  // the REST batches taken this round
  bool committed = false;                              // commit_group ran (in or out of the drain)
  GroupResult result;
  std::size_t drain_rejected = 0;  // entries the queue itself refused (bad stamp, non-finite)
};

}  // namespace pylon::weights
