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

// The path to open: `file` itself, or, when `file` is a symlink, its final target if that lies
// inside the folder holding the link (the Kubernetes Secret layout `name -> ..data/name`).
Result<fs::path> path_to_open(const fs::path& file) {
  struct stat lst {};
  if (::lstat(file.c_str(), &lst) != 0) {
    const FileErrc kind = errno == ENOENT ? FileErrc::missing : FileErrc::unreadable;
    return make_error(kind, "cannot open " + file.string() + ": " + errno_text());
  }
  if (!S_ISLNK(lst.st_mode)) return file;
  std::error_code ec;
  const fs::path target = fs::canonical(file, ec);
  if (ec)
    return make_error(FileErrc::missing, "cannot open " + file.string() + ": its symlink target is missing");
  const fs::path folder = fs::canonical(file.parent_path().empty() ? fs::path(".") : file.parent_path(), ec);
  if (ec) return make_error(FileErrc::unreadable, "cannot open " + file.string() + ": " + ec.message());
  const fs::path inside = target.lexically_relative(folder);
  if (inside.empty() || *inside.begin() == "..") {
    return make_error(FileErrc::symlink_escapes,
                      "refusing " + file.string() + ": it is a symlink to " + target.string() +
                          ", outside its folder " + folder.string() +
                          "; Pylon follows symlinks only within the folder that holds them "
                          "(copy the file there, or link to a file in that folder)");
  }
  return target;
}

bool group_allowed(GroupAccess group) {
  if (group) return *group;
  const char* allow = std::getenv("PYLON_ALLOW_GROUP_READABLE_KEYS");
  return allow && std::strcmp(allow, "1") == 0;
}

}  // namespace

Status check_secret_file_mode(const fs::path& file, mode_t mode, GroupAccess group) {
  if (mode & S_IRWXO) {
    return make_error(FileErrc::exposed_to_others,
                      "refusing " + file.string() +
                          ": it holds secrets and is accessible by other users (mode " + mode_text(mode) +
                          "); fix with: chmod 600 " + file.string());
  }
  if (mode & S_IRWXG) {
    group = group_allowed(group);
    if (!*group) {
      return make_error(FileErrc::exposed_to_group,
                        "refusing " + file.string() +
                            ": it holds secrets and is accessible by its group (mode " + mode_text(mode) +
                            "); fix with: chmod 600 " + file.string() +
                            " (or set PYLON_ALLOW_GROUP_READABLE_KEYS=1 to allow group access)");
    }
  }
  return {};
}

Status check_secret_file(const fs::path& file, mode_t mode, uid_t owner, GroupAccess group) {
  PYLON_TRY(check_secret_file_mode(file, mode, group));
  // Another user's file is accepted only when it is shared with Pylon through its group, and
  // group access is allowed (a host user's key bind-mounted for the container's group).
  const bool shared_by_group = (mode & S_IRWXG) && group_allowed(group);
  if (owner != ::geteuid() && owner != 0 && !shared_by_group) {
    return make_error(FileErrc::foreign_owner,
                      "refusing " + file.string() + ": it holds secrets and belongs to user " +
                          std::to_string(owner) + ", neither Pylon's user (" + std::to_string(::geteuid()) +
                          ") nor root, nor shared through its group with PYLON_ALLOW_GROUP_READABLE_KEYS=1; "
                          "fix with: chown " +
                          std::to_string(::geteuid()) + " " + file.string());
  }
  return {};
}

Result<SecretBytes> read_secret_file(const fs::path& file, std::size_t max_bytes, GroupAccess group) {
  PYLON_ASSIGN(FileRead r, read_file_with_mode(file, max_bytes));
  PYLON_TRY(check_secret_file(file, r.mode, r.owner, group));
  return std::move(r.data);
}

Result<FileRead> read_file_with_mode(const fs::path& file, std::size_t max_bytes) {
  PYLON_ASSIGN(const fs::path target, path_to_open(file));
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever. O_NOFOLLOW:
  // the path was resolved above, a symlink planted since is refused, not followed.
  Fd f{::open(target.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW)};
  if (f.fd < 0) {
    const FileErrc kind = errno == ENOENT ? FileErrc::missing : FileErrc::unreadable;
    return make_error(kind, "cannot open " + file.string() + ": " + errno_text());
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    return make_error(FileErrc::unreadable, "cannot stat " + file.string() + ": " + errno_text());
  if (!S_ISREG(st.st_mode))
    return make_error(FileErrc::not_regular, file.string() + " is not a regular file");
  // A regular file never blocks; clear the flag anyway so reads follow the ordinary rules.
  const int flags = ::fcntl(f.fd, F_GETFL);
  if (flags < 0 || ::fcntl(f.fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
    return make_error(FileErrc::unreadable, "cannot read " + file.string() + ": " + errno_text());
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    return make_error(FileErrc::too_large, file.string() + " is larger than " + std::to_string(max_bytes) +
                                               " bytes, more than such a file holds");
  }
  SecretBytes buf(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(f.fd, buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(FileErrc::unreadable, "cannot read " + file.string() + ": " + errno_text());
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got != buf.size())
    return FileRead{SecretBytes(buf.data(), got), st.st_mode, st.st_uid};  // file shrank meanwhile
  return FileRead{std::move(buf), st.st_mode, st.st_uid};
}

Result<SecretString> read_password_file(const fs::path& file) {
  PYLON_ASSIGN(SecretBytes raw, read_secret_file(file, 4096));
  std::size_t len = raw.size();
  if (len && raw[len - 1] == '\n') --len;
  if (len && raw[len - 1] == '\r') --len;
  if (len == 0) return make_error(FileErrc::empty, "password file " + file.string() + " is empty");
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
