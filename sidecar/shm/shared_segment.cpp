#include "shm/shared_segment.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "pylon/shm/segment.hpp"

namespace pylon::shm {

std::string default_segment_name(std::uint16_t netuid) {
  return "pylon-" + std::to_string(netuid);
}
std::string queue_segment_name(const std::string& snapshot_name) {
  return snapshot_name + "-weights";
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
    dev_ = o.dev_;
    ino_ = o.ino_;
  }
  return *this;
}
SharedSegment::~SharedSegment() {
  unmap();
}

Result<SharedSegment> SharedSegment::create(const std::string& name, std::size_t size,
                                            const SegmentAccess& access) {
  PYLON_ASSIGN(std::string path, posix_name(name));
  ::shm_unlink(path.c_str());  // a previous daemon's segment; its mappings stay valid
  // Owner-only at birth; group bits are added by fchmod below, after fchown, never before.
  int fd = ::shm_open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return make_error(errno_text("cannot create segment", path));
  auto fail = [&](const char* what) {
    Error e = make_error(errno_text(what, path));
    ::close(fd);
    ::shm_unlink(path.c_str());
    return e;
  };
  if (access.group) {
    if (::fchown(fd, static_cast<uid_t>(-1), *access.group) != 0)
      return Result<SharedSegment>(fail("cannot chgrp"));
    if (::fchmod(fd, access.group_writable ? 0660 : 0640) != 0)
      return Result<SharedSegment>(fail("cannot chmod"));
  } else if (::fchmod(fd, 0600) != 0) {
    return Result<SharedSegment>(fail("cannot chmod"));
  }
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return Result<SharedSegment>(fail("cannot size"));
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Result<SharedSegment>(fail("cannot stat"));
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return Result<SharedSegment>(fail("cannot map"));
  ::close(fd);
  SharedSegment s;
  s.name_ = path;
  s.data_ = static_cast<unsigned char*>(p);
  s.size_ = size;
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
  ::close(fd);
  if (p == MAP_FAILED) return make_error("shm: cannot map " + path + ": " + std::strerror(err));
  SharedSegment s;
  s.name_ = path;
  s.data_ = static_cast<unsigned char*>(p);
  s.size_ = size;
  s.dev_ = st.st_dev;
  s.ino_ = st.st_ino;
  return s;
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
  data_ = nullptr;
  size_ = 0;
}

}  // namespace pylon::shm
