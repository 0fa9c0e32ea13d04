// A thin RAII layer over the SQLite C API with errors as values: a connection, prepared
// statements that reset themselves before each use, and transactions that roll back unless
// committed. Only what the weights store needs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace pylon::weights::sql {

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st) {}
  ~Stmt();
  Stmt(Stmt&& o) noexcept : db_(o.db_), st_(o.st_) { o.st_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Resets the statement and clears its bindings: call before binding for a new use.
  Stmt& start();
  Stmt& bind(int index, std::int64_t v);
  Stmt& bind_u64(int index, std::uint64_t v) { return bind(index, static_cast<std::int64_t>(v)); }
  Stmt& bind(int index, double v);
  Stmt& bind(int index, std::string_view text);
  Stmt& bind_blob(int index, std::span<const std::uint8_t> bytes);
  Stmt& bind_null(int index);

  // true: a row is ready; false: done. Errors carry SQLite's message.
  Result<bool> step();
  // Steps to completion (statements that return no rows).
  Status run();

  bool is_null(int col) const;
  std::int64_t i64(int col) const;
  std::uint64_t u64(int col) const { return static_cast<std::uint64_t>(i64(col)); }
  double real(int col) const;
  std::string text(int col) const;
  std::vector<std::uint8_t> blob(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* st_ = nullptr;
  Status bind_status_;  // the first bind failure, reported by step()
};

class Db {
 public:
  // Opens (creating when missing) the database file in read-write mode.
  static Result<Db> open(const std::string& path);
  Db() = default;
  ~Db();
  Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without results.
  Status exec(const std::string& sql);
  // The first column of the first row as an integer (PRAGMA reads).
  Result<std::int64_t> query_int(const std::string& sql);
  Result<std::string> query_text(const std::string& sql);
  // A statement kept for the connection's life (SQLITE_PREPARE_PERSISTENT).
  Result<Stmt> prepare(std::string_view sql);
  std::string last_error() const;
  std::int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  std::int64_t changes() const;
  sqlite3* raw() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// BEGIN on construction (IMMEDIATE takes the write lock up front, so a writer never fails half
// way through on a lock upgrade); ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Db& db, bool immediate = true);
  Transaction(Transaction&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_ = nullptr;
};

}  // namespace pylon::weights::sql
