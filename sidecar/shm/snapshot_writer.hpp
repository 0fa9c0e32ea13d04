// Daemon side of the snapshot segment: validates a SnapshotData, lays it out in the frozen format
// and publishes it (seqlock over a double buffer, see pylon/shm/detail/snapshot_protocol.hpp). When a
// snapshot outgrows the segment it creates a bigger one under the same name (a new generation)
// and retires the old one, so readers reattach.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "pylon/shm/layout.hpp"
#include "shm/shared_segment.hpp"
#include "shm/snapshot_data.hpp"

namespace pylon::shm {

struct SnapshotWriterConfig {
  std::string name;  // empty: default_segment_name(netuid)
  std::uint16_t netuid = 0;
  std::optional<gid_t> group;  // readers in this group may map it (read-only)
  std::uint32_t neuron_capacity = 4096;
  std::uint32_t commitment_capacity = 4096;
  std::uint32_t commitment_data_capacity = 1u << 20;
  std::uint32_t slots = 2;  // 1 = plain seqlock (benchmarks only)
  // Mechanisms each slot has room for, mechanism 0 included. Two, finney's most per subnet when
  // this was written (MaxMechanismCount); a subnet with more regrows the segment like any count.
  std::uint32_t mechanism_capacity = 2;
};

class SnapshotWriter {
 public:
  static Result<std::unique_ptr<SnapshotWriter>> create(SnapshotWriterConfig config);
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Publish one snapshot; invalid data is refused and leaves the published snapshot unchanged.
  Status publish(const SnapshotData& data);
  // Refresh the writer heartbeat (the daemon calls it on a timer; publish does it too).
  void heartbeat();
  // Mark the segment retired and remove its name (clean shutdown).
  void close();

  const std::string& name() const { return name_; }
  std::uint64_t generation() const;
  const SnapshotSegmentHeader& geometry() const { return geo_; }

 private:
  explicit SnapshotWriter(SnapshotWriterConfig config);
  Status regenerate(std::uint32_t neurons, std::uint32_t commitments, std::uint32_t data_bytes,
                    std::uint32_t mechanisms);
  Status build_image(const SnapshotData& data);
  Status build_mechanisms(const SnapshotData& data);

  SnapshotWriterConfig config_;
  std::string name_;
  SharedSegment segment_;
  SharedSegment retiring_;  // previous generation, retired after the first publish into segment_
  SnapshotSegmentHeader geo_{};
  // Reused staging buffers: the image is built here, then copied into the slot under the seqlock.
  SnapshotMeta meta_{};
  std::vector<NeuronRecord> neurons_;
  std::vector<std::uint16_t> index_;
  std::vector<CommitmentRecord> commitments_;
  std::vector<std::uint8_t> data_;
  std::vector<MechanismRecord> mechanisms_;
  std::vector<std::uint16_t> mech_incentives_;  // mechanisms 1.., neuron_count entries each
  std::vector<std::uint64_t> mech_last_update_;
};

}  // namespace pylon::shm
