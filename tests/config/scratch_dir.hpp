// A scratch folder for the files a configuration test writes (.env files, token and key files),
// removed with everything in it when the test ends. One per test; not shared between threads.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace pylon::config::test {

class ScratchDir {
 public:
  ScratchDir() {
    char t[] = "/tmp/pylon-config-XXXXXX";
    if (::mkdtemp(t)) dir_ = t;
  }
  ~ScratchDir() { std::filesystem::remove_all(dir_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& dir() const { return dir_; }

  // Writes `text` to `name` in the folder with permission bits `mode`; returns its path.
  std::string write(const std::string& name, const std::string& text, mode_t mode) const {
    const std::string p = dir_ + "/" + name;
    std::ofstream(p, std::ios::trunc | std::ios::binary) << text;
    ::chmod(p.c_str(), mode);
    return p;
  }

 private:
  std::string dir_;
};

}  // namespace pylon::config::test
