#include "keys/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pylon::keys {

namespace fs = std::filesystem;

namespace {

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

std::string errno_text() {
  return std::strerror(errno);
}

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Status check_secret_file_mode(const fs::path& file, mode_t mode) {
  if (mode & S_IRWXO) {
    return Error{"refusing " + file.string() + ": it holds secrets and is accessible by other users (mode " +
                 mode_text(mode) + "); fix with: chmod 600 " + file.string()};
  }
  if (mode & S_IRWXG) {
    const char* allow = std::getenv("PYLON_ALLOW_GROUP_READABLE_KEYS");
    if (!(allow && std::strcmp(allow, "1") == 0)) {
      return Error{"refusing " + file.string() + ": it holds secrets and is accessible by its group (mode " +
                   mode_text(mode) + "); fix with: chmod 600 " + file.string() +
                   " (or set PYLON_ALLOW_GROUP_READABLE_KEYS=1 to allow group access)"};
    }
  }
  return {};
}

Result<SecretBytes> read_secret_file(const fs::path& file, std::size_t max_bytes) {
  PYLON_ASSIGN(FileRead r, read_file_with_mode(file, max_bytes));
  PYLON_TRY(check_secret_file_mode(file, r.mode));
  return std::move(r.data);
}

Result<FileRead> read_file_with_mode(const fs::path& file, std::size_t max_bytes) {
  Fd f{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return Error{"cannot open " + file.string() + ": " + errno_text()};
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return Error{"cannot stat " + file.string() + ": " + errno_text()};
  if (!S_ISREG(st.st_mode)) return Error{file.string() + " is not a regular file"};
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    return Error{file.string() + " is larger than " + std::to_string(max_bytes) + " bytes; not a keyfile"};
  }
  SecretBytes buf(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(f.fd, buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{"cannot read " + file.string() + ": " + errno_text()};
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got != buf.size()) return FileRead{SecretBytes(buf.data(), got), st.st_mode};  // file shrank meanwhile
  return FileRead{std::move(buf), st.st_mode};
}

Result<SecretString> read_password_file(const fs::path& file) {
  PYLON_ASSIGN(SecretBytes raw, read_secret_file(file, 4096));
  std::size_t len = raw.size();
  if (len && raw[len - 1] == '\n') --len;
  if (len && raw[len - 1] == '\r') --len;
  if (len == 0) return Error{"password file " + file.string() + " is empty"};
  return SecretString(std::string_view(reinterpret_cast<const char*>(raw.data()), len));
}

Result<SecretString> read_password_env(const std::string& variable) {
  const char* value = std::getenv(variable.c_str());
  if (!value) return Error{"environment variable " + variable + " (the password) is not set"};
  if (!*value) return Error{"environment variable " + variable + " (the password) is empty"};
  return SecretString(value);
}

Status write_private_file(const fs::path& file, ByteSpan contents, bool overwrite) {
  std::error_code ec;
  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  // Create missing folders one by one with mode 0700 (create_directories would use the umask).
  fs::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (fs::exists(partial, ec)) continue;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return Error{"cannot create folder " + partial.string() + ": " + errno_text()};
    }
  }
  if (!overwrite && fs::exists(fs::symlink_status(file, ec))) {
    return Error{file.string() + " already exists; refusing to overwrite it (use --overwrite)"};
  }
  const fs::path tmp = file.string() + ".tmp-" + std::to_string(::getpid());
  Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
  if (f.fd < 0) return Error{"cannot create " + tmp.string() + ": " + errno_text()};
  ::fchmod(f.fd, 0600);  // independent of the umask
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(f.fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = errno_text();
      ::unlink(tmp.c_str());
      return Error{"cannot write " + tmp.string() + ": " + why};
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(f.fd) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    return Error{"cannot sync " + tmp.string() + ": " + why};
  }
  ::close(f.fd);
  f.fd = -1;
  if (!overwrite) {
    // link() fails if the target appeared meanwhile: no silent replacement.
    if (::link(tmp.c_str(), file.c_str()) != 0) {
      const std::string why = errno_text();
      ::unlink(tmp.c_str());
      return Error{"cannot create " + file.string() + ": " + why};
    }
    ::unlink(tmp.c_str());
  } else if (::rename(tmp.c_str(), file.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    return Error{"cannot replace " + file.string() + ": " + why};
  }
  return {};
}

}  // namespace pylon::keys
