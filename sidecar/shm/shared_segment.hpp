// The daemon's handle on one POSIX shared-memory segment it owns: created with explicit
// permissions (owner-only unless a group is let in), mapped read-write, unlinked on request. It
// keeps the segment's fd open so that it can tell, at any time, whether the file under the
// mapping still has its size and whether the name still refers to it (check_intact).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace pylon::shm {

// Segment names: "pylon-<netuid>" for the snapshot unless configured; the queue adds "-weights".
std::string default_segment_name(std::uint16_t netuid);
std::string queue_segment_name(const std::string& snapshot_name);
// The queue's ack segment: the queue name plus "-ack" (queue_protocol.hpp).
std::string ack_segment_name(const std::string& queue_name);

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

  // Replace whatever is under name with a new zeroed segment of size bytes. `init` (if any) runs on
  // the mapping while the segment is still owner-only: nobody in the group can see or touch a
  // half-formatted segment.
  static Result<SharedSegment> create(const std::string& name, std::size_t size, const SegmentAccess& access,
                                      const std::function<void(unsigned char*)>& init = {});
  // Map an existing segment read-write (daemon restart: adopt the queue). Errors when absent.
  static Result<SharedSegment> open_existing(const std::string& name);

  unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  mode_t mode() const { return mode_; }  // permission bits when it was opened
  const std::string& name() const { return name_; }
  // Remove the name (mapped users keep their mapping); only if it still refers to our segment.
  void unlink();
  void unmap();

  // Whether the segment is still what was mapped: the file holds at least `need` bytes (nobody
  // truncated it) and the name still refers to this file (nobody removed or replaced it). The
  // error says what changed. A check, not a protection: the file may change right after it.
  Status check_intact(std::size_t need) const;

 private:
  // Takes ownership of a mapped segment: its name, mapping, descriptor and the stat read at open.
  static SharedSegment adopt(std::string path, void* mapped, std::size_t size, int fd, const struct stat& st);

  std::string name_;  // with leading '/'
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
  int fd_ = -1;
  mode_t mode_ = 0;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace pylon::shm
