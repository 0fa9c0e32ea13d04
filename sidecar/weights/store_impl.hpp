// Store internals shared by its source files (weights and queue in store.cpp, attempts and
// reveals in store_attempts.cpp). Every member is used with `mu` held, which the clang trees check.
// Thread contract: any thread may call the Store; one SQLite connection, serialised by `mu`.
#pragma once

#include <chrono>
#include <string>

#include "common/sync.hpp"
#include "weights/sqlite_db.hpp"
#include "weights/store.hpp"

namespace pylon::weights {

// The connection and its statements (free helper functions take this; Store::Impl is private).
struct StoreDb {
  std::string path;
  mutable Mutex mu;
  sql::Db db PYLON_GUARDED_BY(mu);
  // Prepared once: the hot path (one SELECT and one UPSERT per update) then skips parsing.
  sql::Stmt get_weight PYLON_GUARDED_BY(mu);
  sql::Stmt put_weight PYLON_GUARDED_BY(mu);
  sql::Stmt zero_epoch PYLON_GUARDED_BY(mu);  // Op::clear_epoch
  sql::Stmt put_mark PYLON_GUARDED_BY(mu);
  sql::Stmt put_rejected PYLON_GUARDED_BY(mu);

  Status prepare() PYLON_REQUIRES(mu);
};

struct Store::Impl : StoreDb {};

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace pylon::weights
