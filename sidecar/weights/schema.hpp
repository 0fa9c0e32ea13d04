// The store's schema as a list of forward migrations: migration i takes a database from
// user_version i to i + 1, in one transaction with the version bump, so a crash mid-migration
// leaves the old version intact and the next open retries it.
#pragma once

#include <span>
#include <string>

#include "common/result.hpp"
#include "weights/sqlite_db.hpp"

namespace pylon::weights::schema {

struct Migration {
  const char* what;  // for the error message
  const char* sql;
};

// The migrations of this build, oldest first: size() == Store::kSchemaVersion.
std::span<const Migration> migrations();

// Brings db to migrations.size(). A database newer than that is refused, naming both versions.
Status migrate(sql::Db& db, std::span<const Migration> migrations);

}  // namespace pylon::weights::schema
