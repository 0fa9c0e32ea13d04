#include "shm/shared_segment.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "pylon/shm/detail/queue_protocol.hpp"
#include "pylon/shm/detail/segment.hpp"

namespace pylon::shm {

std::string default_segment_name(std::uint16_t netuid) {
  return "pylon-" + std::to_string(netuid);
}
std::string queue_segment_name(const std::string& snapshot_name) {
  return snapshot_name + "-weights";
}
std::string ack_segment_name(const std::string& queue_name) {
  return queue_name + kAckSuffix;
}

namespace {
Result<std::string> posix_name(const std::string& name) {
  char path[kMaxNameLength + 2];
  if (!normalize_segment_name(name.c_str(), path)) {
    return make_error("shm: segment name '" + name + "' must be 1.." + std::to_string(kMaxNameLength) +
                      " characters without '/'");
  }
  return std::string(path);
}
std::string errno_text(const char* what, const std::string& name) {
  return std::string("shm: ") + what + " " + name + ": " + std::strerror(errno);
}
}  // namespace

SharedSegment::SharedSegment(SharedSegment&& o) noexcept {
  *this = std::move(o);
}
SharedSegment& SharedSegment::operator=(SharedSegment&& o) noexcept {
  if (this != &o) {
    unmap();
    name_ = std::move(o.name_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    fd_ = std::exchange(o.fd_, -1);
    mode_ = o.mode_;
    dev_ = o.dev_;
    ino_ = o.ino_;
  }
  return *this;
}
SharedSegment::~SharedSegment() {
  unmap();
}

Result<SharedSegment> SharedSegment::create(const std::string& name, std::size_t size,
                                            const SegmentAccess& access,
                                            const std::function<void(unsigned char*)>& init) {
  PYLON_ASSIGN(std::string path, posix_name(name));
  ::shm_unlink(path.c_str());  // a previous daemon's segment; its mappings stay valid
  // Owner-only at birth; the group is let in (fchown, then fchmod) only after init formatted it.
  int fd = ::shm_open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return make_error(errno_text("cannot create segment", path));
  void* p = MAP_FAILED;
  auto fail = [&](const char* what) {
    Error e = make_error(errno_text(what, path));
    if (p != MAP_FAILED) ::munmap(p, size);
    ::close(fd);
    ::shm_unlink(path.c_str());
    return e;
  };
  if (::fchmod(fd, 0600) != 0) return Result<SharedSegment>(fail("cannot chmod"));
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return Result<SharedSegment>(fail("cannot size"));
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Result<SharedSegment>(fail("cannot stat"));
  p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return Result<SharedSegment>(fail("cannot map"));
  if (init) init(static_cast<unsigned char*>(p));
  if (access.group) {
    if (::fchown(fd, static_cast<uid_t>(-1), *access.group) != 0)
      return Result<SharedSegment>(fail("cannot chgrp"));
    if (::fchmod(fd, access.group_writable ? 0660 : 0640) != 0)
      return Result<SharedSegment>(fail("cannot chmod"));
  }
  return adopt(path, p, size, fd, st);
}

SharedSegment SharedSegment::adopt(std::string path, void* mapped, std::size_t size, int fd,
                                   const struct stat& st) {
  SharedSegment s;
  s.name_ = std::move(path);
  s.data_ = static_cast<unsigned char*>(mapped);
  s.size_ = size;
  s.fd_ = fd;
  s.mode_ = st.st_mode & 07777;
  s.dev_ = st.st_dev;
  s.ino_ = st.st_ino;
  return s;
}

Result<SharedSegment> SharedSegment::open_existing(const std::string& name) {
  PYLON_ASSIGN(std::string path, posix_name(name));
  int fd = ::shm_open(path.c_str(), O_RDWR, 0);
  if (fd < 0) return make_error(errno_text("cannot open segment", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Error e = make_error(errno_text("cannot stat", path));
    ::close(fd);
    return e;
  }
  if (st.st_uid != ::geteuid()) {
    ::close(fd);
    return make_error("shm: segment " + path + " belongs to another user; not adopting it");
  }
  if (st.st_size <= 0) {
    ::close(fd);
    return make_error("shm: segment " + path + " is empty");
  }
  std::size_t size = static_cast<std::size_t>(st.st_size);
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  if (p == MAP_FAILED) {
    ::close(fd);
    return make_error("shm: cannot map " + path + ": " + std::strerror(err));
  }
  return adopt(path, p, size, fd, st);
}

void SharedSegment::unlink() {
  if (name_.empty()) return;
  // Only remove the name if it still points at our segment (a newer daemon may own it now).
  int fd = ::shm_open(name_.c_str(), O_RDONLY, 0);
  if (fd < 0) return;
  struct stat st {};
  bool ours = ::fstat(fd, &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_;
  ::close(fd);
  if (ours) ::shm_unlink(name_.c_str());
}

void SharedSegment::unmap() {
  if (data_ != nullptr) ::munmap(data_, size_);
  if (fd_ >= 0) ::close(fd_);
  data_ = nullptr;
  size_ = 0;
  fd_ = -1;
}

Status SharedSegment::check_intact(std::size_t need) const {
  if (fd_ < 0) return make_error("shm: segment " + name_ + " is not mapped");
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return make_error(errno_text("cannot stat", name_));
  if (st.st_size < 0 || static_cast<std::size_t>(st.st_size) < need) {
    return make_error("shm: segment " + name_ + " shrank to " + std::to_string(st.st_size) +
                      " bytes (it needs " + std::to_string(need) + ")");
  }
  int fd = ::shm_open(name_.c_str(), O_RDONLY, 0);
  if (fd < 0) return make_error("shm: segment " + name_ + " was removed");
  struct stat named {};
  bool same = ::fstat(fd, &named) == 0 && named.st_dev == dev_ && named.st_ino == ino_;
  ::close(fd);
  if (!same) return make_error("shm: the name " + name_ + " now refers to another file");
  return {};
}

}  // namespace pylon::shm
