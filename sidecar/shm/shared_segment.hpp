// The daemon's handle on one POSIX shared-memory segment it owns: created with explicit
// permissions (owner-only unless a group is let in), mapped read-write, unlinked on request.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace pylon::shm {

// Segment names: "pylon-<netuid>" for the snapshot unless configured; the queue adds "-weights".
std::string default_segment_name(std::uint16_t netuid);
std::string queue_segment_name(const std::string& snapshot_name);

struct SegmentAccess {
  std::optional<gid_t> group;  // let this group in: snapshot read-only, queue read-write
  bool group_writable = false;
};

class SharedSegment {
 public:
  SharedSegment() = default;
  SharedSegment(const SharedSegment&) = delete;
  SharedSegment& operator=(const SharedSegment&) = delete;
  SharedSegment(SharedSegment&& o) noexcept;
  SharedSegment& operator=(SharedSegment&& o) noexcept;
  ~SharedSegment();

  // Replace whatever is under name with a new zeroed segment of size bytes.
  static Result<SharedSegment> create(const std::string& name, std::size_t size, const SegmentAccess& access);
  // Map an existing segment read-write (daemon restart: adopt the queue). Errors when absent.
  static Result<SharedSegment> open_existing(const std::string& name);

  unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::string& name() const { return name_; }
  // Remove the name (mapped users keep their mapping); only if it still refers to our segment.
  void unlink();
  void unmap();

 private:
  std::string name_;  // with leading '/'
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace pylon::shm
