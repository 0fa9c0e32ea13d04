// Reading and writing files that hold secrets: permission checks (refuse world-readable files,
// and group-readable ones unless PYLON_ALLOW_GROUP_READABLE_KEYS=1), bounded reads into
// SecretBytes, and new files written 0600 in 0700 folders via a temporary file and rename.
//
// Opening rules (every file read here, secret or not):
//  - opened O_NONBLOCK, so a FIFO or a device at the path cannot hang the start; then fstat'ed
//    through the descriptor, and anything but a regular file is refused before a byte is read;
//  - a symlink is followed only when its final target lies inside the folder that holds the link
//    (a Kubernetes Secret volume links `name -> ..data/name` inside the mount); a link pointing
//    out of its folder is refused. The checks below then apply to the final target.
// Secret files must also be owned by the effective user or by root (a Kubernetes Secret volume's
// files belong to root), so another user cannot plant a key that Pylon then trusts; the exception
// is a file shared with Pylon through its group while PYLON_ALLOW_GROUP_READABLE_KEYS=1.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "common/hex.hpp"
#include "common/result.hpp"
#include "keys/secret_bytes.hpp"

namespace pylon::keys {

// Why a file was not read; the message names the file and the fix, never its contents.
enum class FileErrc {
  missing,            // no such file (ENOENT)
  unreadable,         // open/read failed otherwise
  not_regular,        // a FIFO, device, socket or folder
  too_large,          // more than the caller's limit
  symlink_escapes,    // a symlink whose target is outside the link's folder
  exposed_to_others,  // mode gives access to other users
  exposed_to_group,   // mode gives access to the group without PYLON_ALLOW_GROUP_READABLE_KEYS=1
  foreign_owner,      // owned by a user other than us and root
  empty,              // a password file without a password
};

// Whether group access to a secret file is allowed; nullopt: read PYLON_ALLOW_GROUP_READABLE_KEYS
// from the environment (the daemon copies its setting, also from .env, there at start).
using GroupAccess = std::optional<bool>;

struct FileRead {
  SecretBytes data;
  mode_t mode = 0;
  uid_t owner = 0;
};

// Checks a secret file's mode bits and owner; the error names the file and says to chmod 600.
Status check_secret_file(const std::filesystem::path& file, mode_t mode, uid_t owner, GroupAccess group = {});
// The mode bits only (the owner check is in check_secret_file).
Status check_secret_file_mode(const std::filesystem::path& file, mode_t mode, GroupAccess group = {});

// Opens, fstat-checks (regular file, mode and owner as above, at most max_bytes) and reads a
// secret file.
Result<SecretBytes> read_secret_file(const std::filesystem::path& file, std::size_t max_bytes = 1 << 20,
                                     GroupAccess group = {});
// Same without the mode and owner checks, for files that may be public (coldkeypub.txt, .env);
// the caller checks them itself (check_secret_file) if the content turns out to hold secrets.
Result<FileRead> read_file_with_mode(const std::filesystem::path& file, std::size_t max_bytes = 1 << 20);

// A password from a file (one trailing newline removed) or an environment variable. Passwords
// are never taken from the command line, where other users could read them.
Result<SecretString> read_password_file(const std::filesystem::path& file);
Result<SecretString> read_password_env(const std::string& variable);

// Writes `contents` to `file` with mode 0600, creating missing parent folders with mode 0700.
// Refuses to replace an existing file unless `overwrite`. Written to a temporary file first and
// renamed, so a crash never leaves a half-written keyfile.
Status write_private_file(const std::filesystem::path& file, ByteSpan contents, bool overwrite);

}  // namespace pylon::keys
