// Store internals shared by its source files (weights and queue in store.cpp, attempts and
// reveals in store_attempts.cpp). Every member is used with `mu` held.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "weights/sqlite_db.hpp"
#include "weights/store.hpp"

namespace pylon::weights {

// The connection and its statements (free helper functions take this; Store::Impl is private).
struct StoreDb {
  std::string path;
  mutable std::mutex mu;
  sql::Db db;
  // Prepared once: the hot path (one SELECT and one UPSERT per update) then skips parsing.
  sql::Stmt get_weight;
  sql::Stmt put_weight;
  sql::Stmt put_mark;
  sql::Stmt put_rejected;

  Status prepare();
};

struct Store::Impl : StoreDb {};

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace pylon::weights
