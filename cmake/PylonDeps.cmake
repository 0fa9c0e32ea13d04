# Third-party dependencies, all from Debian 12 packages (script/bootstrap installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# Boost 1.81 headers (Asio, Beast, Interprocess, Lockfree, URL): /usr/include from libboost1.81-dev.
find_package(Boost 1.81 REQUIRED)

pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
# The REST bodies' Content-Encodings (rest/compress.hpp): gzip from zlib (zlib1g-dev), zstd from
# libzstd (libzstd-dev), both Debian's.
find_package(ZLIB REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
find_package(simdjson REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(GTest REQUIRED)
# CLI11 2.1 (libcli11-dev, header-only): every command's options (sidecar/app/cli.hpp).
find_package(CLI11 2.1 REQUIRED)
if(PYLON_BENCH AND NOT PYLON_SANITIZE)
  find_package(benchmark REQUIRED)
endif()
