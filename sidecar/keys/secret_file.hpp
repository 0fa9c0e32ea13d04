// Reading and writing files that hold secrets: permission checks (refuse world-readable files,
// and group-readable ones unless PYLON_ALLOW_GROUP_READABLE_KEYS=1), bounded reads into
// SecretBytes, and new files written 0600 in 0700 folders via a temporary file and rename.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "common/hex.hpp"
#include "common/result.hpp"
#include "keys/secret_bytes.hpp"

namespace pylon::keys {

// Checks a secret file's mode bits; the error names the file and says to chmod 600.
Status check_secret_file_mode(const std::filesystem::path& file, mode_t mode);

// Opens, fstat-checks (regular file, mode as above, at most max_bytes) and reads a secret file.
Result<SecretBytes> read_secret_file(const std::filesystem::path& file, std::size_t max_bytes = 1 << 20);
// Same without the mode check, for files that may be public (coldkeypub.txt); the caller checks
// the mode itself (check_secret_file_mode) if the content turns out to hold secrets.
struct FileRead {
  SecretBytes data;
  mode_t mode = 0;
};
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
