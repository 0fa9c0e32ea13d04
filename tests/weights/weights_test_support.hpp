// Helpers for the weights tests: a private temporary directory, hotkeys, updates.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "weights/store.hpp"

namespace pylon::weights::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pylon-weights-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A distinct hotkey per number.
inline AccountId hotkey(std::uint32_t n) {
  AccountId a{};
  for (int i = 0; i < 4; ++i) a[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
  a[31] = 0xA5;
  return a;
}

inline WeightUpdate set(std::uint32_t hk, double v, std::uint64_t epoch = 100, std::uint16_t netuid = 2) {
  return WeightUpdate{netuid, epoch, hotkey(hk), Op::set, v};
}
inline WeightUpdate add(std::uint32_t hk, double v, std::uint64_t epoch = 100, std::uint16_t netuid = 2) {
  return WeightUpdate{netuid, epoch, hotkey(hk), Op::add, v};
}

inline std::unique_ptr<Store> open_store(const std::string& path) {
  Result<std::unique_ptr<Store>> s = Store::open(path);
  if (!s) {
    ADD_FAILURE() << s.error().message;
    return nullptr;
  }
  return std::move(s).value();
}

inline std::string unique_shm_name(const char* tag) {
  static std::atomic<int> counter{0};
  return std::string("pylon-wtest-") + tag + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter++);
}

}  // namespace pylon::weights::test
