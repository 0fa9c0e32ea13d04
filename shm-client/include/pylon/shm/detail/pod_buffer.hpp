// A growable array of trivially copyable rows whose allocation failure is a return value, not an
// exception: the client must build with -fno-exceptions (where std::vector::reserve would
// terminate the validator on bad_alloc) and still report Errc::no_memory.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <type_traits>

namespace pylon::shm::detail {

template <class T>
class PodBuffer {
  static_assert(std::is_trivially_copyable_v<T>, "rows are copied with memcpy");

 public:
  PodBuffer() noexcept = default;
  PodBuffer(const PodBuffer&) = delete;  // a copy could fail to allocate, and nothing needs one
  PodBuffer& operator=(const PodBuffer&) = delete;
  PodBuffer(PodBuffer&& o) noexcept : p_(o.p_), size_(o.size_), cap_(o.cap_) {
    o.p_ = nullptr, o.size_ = o.cap_ = 0;
  }
  PodBuffer& operator=(PodBuffer&& o) noexcept {
    if (this != &o) {
      std::free(p_);
      p_ = o.p_, size_ = o.size_, cap_ = o.cap_;
      o.p_ = nullptr, o.size_ = o.cap_ = 0;
    }
    return *this;
  }
  ~PodBuffer() { std::free(p_); }

  // Room for n rows; false (and unchanged) when the memory is not there.
  bool reserve(std::size_t n) noexcept {
    if (n <= cap_) return true;
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) return false;
    void* q = std::realloc(p_, n * sizeof(T));
    if (q == nullptr) return false;
    p_ = static_cast<T*>(q);
    cap_ = n;
    return true;
  }
  // Precondition n <= capacity(). Rows gained are zeroed, as std::vector value-initialises them.
  void resize(std::size_t n) noexcept {
    if (n > size_) std::memset(static_cast<void*>(p_ + size_), 0, (n - size_) * sizeof(T));
    size_ = n;
  }
  T* data() noexcept { return p_; }
  const T* data() const noexcept { return p_; }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return cap_; }
  T& operator[](std::size_t i) noexcept { return p_[i]; }
  const T& operator[](std::size_t i) const noexcept { return p_[i]; }

 private:
  T* p_ = nullptr;
  std::size_t size_ = 0;
  std::size_t cap_ = 0;
};

}  // namespace pylon::shm::detail
