#include "weights/sqlite_db.hpp"

#include <sqlite3.h>

namespace pylon::weights::sql {

namespace {

Error sqlite_error(sqlite3* db, std::string_view what) {
  std::string msg = "sqlite: " + std::string(what) + ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return make_error(std::move(msg));
}

}  // namespace

Stmt::~Stmt() {
  if (st_ != nullptr) sqlite3_finalize(st_);
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (st_ != nullptr) sqlite3_finalize(st_);
    db_ = o.db_;
    st_ = o.st_;
    o.st_ = nullptr;
  }
  return *this;
}

Stmt& Stmt::start() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
  bind_status_ = {};
  return *this;
}

Stmt& Stmt::bind(int index, std::int64_t v) {
  if (sqlite3_bind_int64(st_, index, v) != SQLITE_OK && bind_status_)
    bind_status_ = sqlite_error(db_, "bind");
  return *this;
}

Stmt& Stmt::bind(int index, double v) {
  if (sqlite3_bind_double(st_, index, v) != SQLITE_OK && bind_status_)
    bind_status_ = sqlite_error(db_, "bind");
  return *this;
}

Stmt& Stmt::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(st_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) !=
          SQLITE_OK &&
      bind_status_) {
    bind_status_ = sqlite_error(db_, "bind");
  }
  return *this;
}

Stmt& Stmt::bind_blob(int index, std::span<const std::uint8_t> bytes) {
  // An empty span would bind NULL with a null pointer; zeroblob(0) keeps it an empty BLOB.
  int rc = bytes.empty() ? sqlite3_bind_zeroblob(st_, index, 0)
                         : sqlite3_bind_blob(st_, index, bytes.data(), static_cast<int>(bytes.size()),
                                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_status_) bind_status_ = sqlite_error(db_, "bind");
  return *this;
}

Stmt& Stmt::bind_null(int index) {
  if (sqlite3_bind_null(st_, index) != SQLITE_OK && bind_status_) bind_status_ = sqlite_error(db_, "bind");
  return *this;
}

Result<bool> Stmt::step() {
  if (!bind_status_) return bind_status_.error();
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e = sqlite_error(db_, sqlite3_sql(st_));
  sqlite3_reset(st_);
  return e;
}

Status Stmt::run() {
  for (;;) {
    PYLON_ASSIGN(bool row, step());
    if (!row) return {};
  }
}

bool Stmt::is_null(int col) const {
  return sqlite3_column_type(st_, col) == SQLITE_NULL;
}

std::int64_t Stmt::i64(int col) const {
  return sqlite3_column_int64(st_, col);
}

double Stmt::real(int col) const {
  return sqlite3_column_double(st_, col);
}

std::string Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(st_, col);
  int n = sqlite3_column_bytes(st_, col);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::vector<std::uint8_t> Stmt::blob(int col) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st_, col));
  int n = sqlite3_column_bytes(st_, col);
  return p == nullptr ? std::vector<std::uint8_t>() : std::vector<std::uint8_t>(p, p + n);
}

Result<Db> Db::open(const std::string& path) {
  sqlite3* db = nullptr;
  // NOMUTEX: the store serialises every use of the connection behind its own mutex.
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db, "open " + path);
    sqlite3_close(db);
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  return Db(db);
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

Status Db::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return {};
  std::string msg = "sqlite: " + sql.substr(0, 60) + ": " + (err != nullptr ? err : sqlite3_errstr(rc));
  sqlite3_free(err);
  return make_error(std::move(msg));
}

Result<std::int64_t> Db::query_int(const std::string& sql) {
  PYLON_ASSIGN(Stmt st, prepare(sql));
  PYLON_ASSIGN(bool row, st.step());
  if (!row) return make_error("sqlite: " + sql + ": no row");
  return st.i64(0);
}

Result<std::string> Db::query_text(const std::string& sql) {
  PYLON_ASSIGN(Stmt st, prepare(sql));
  PYLON_ASSIGN(bool row, st.step());
  if (!row) return make_error("sqlite: " + sql + ": no row");
  return st.text(0);
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st,
                              nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, "prepare " + std::string(sql.substr(0, 60)));
  return Stmt(db_, st);
}

std::string Db::last_error() const {
  return sqlite3_errmsg(db_);
}

std::int64_t Db::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

std::int64_t Db::changes() const {
  return sqlite3_changes64(db_);
}

Result<Transaction> Transaction::begin(Db& db, bool immediate) {
  PYLON_TRY(db.exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  // Best effort: a failed COMMIT may already have ended the transaction.
  if (db_ != nullptr && sqlite3_get_autocommit(db_->raw()) == 0) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  Status s = db_->exec("COMMIT");
  if (s) db_ = nullptr;
  return s;
}

}  // namespace pylon::weights::sql
