#include "weights/schema.hpp"

#include <string>

namespace pylon::weights::schema {

namespace {

// u64 chain quantities (epoch, block, nonce) are stored in SQLite's signed INTEGER by bit pattern;
// real values stay far below 2^63. Hotkeys and hashes are 32-byte BLOBs; u16 vectors are BLOBs of
// little-endian u16.
constexpr Migration kMigrations[] = {
    {"v1: weights, queue positions, commit attempts, pending reveals", R"sql(
CREATE TABLE weights (
  netuid INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  hotkey BLOB NOT NULL CHECK (length(hotkey) = 32),
  weight REAL NOT NULL CHECK (weight >= 0),
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (netuid, epoch, hotkey)
) WITHOUT ROWID;

CREATE TABLE queue_durable (
  netuid INTEGER NOT NULL,
  producer INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (netuid, producer)
) WITHOUT ROWID;

CREATE TABLE queue_rejected (
  id INTEGER PRIMARY KEY,
  netuid INTEGER NOT NULL,
  producer INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  reason TEXT NOT NULL,
  rejected_ms INTEGER NOT NULL
);

CREATE TABLE commit_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  netuid INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  block INTEGER NOT NULL,
  call TEXT NOT NULL,
  extrinsic_hash BLOB NOT NULL CHECK (length(extrinsic_hash) = 32),
  extrinsic BLOB NOT NULL,
  nonce INTEGER NOT NULL,
  mortal_until INTEGER NOT NULL,
  status TEXT NOT NULL,
  error TEXT NOT NULL,
  included_in BLOB CHECK (included_in IS NULL OR length(included_in) = 32),
  weights_json TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX commit_attempts_by_epoch ON commit_attempts (netuid, epoch);
CREATE INDEX commit_attempts_by_status ON commit_attempts (status, netuid);

CREATE TABLE pending_reveals (
  netuid INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  commit_hash BLOB NOT NULL CHECK (length(commit_hash) = 32),
  uids BLOB NOT NULL,
  vals BLOB NOT NULL,
  salt BLOB NOT NULL,
  version_key INTEGER NOT NULL,
  commit_block INTEGER NOT NULL,
  status TEXT NOT NULL,
  error TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (netuid, epoch)
) WITHOUT ROWID;
CREATE INDEX pending_reveals_by_status ON pending_reveals (status, netuid);
)sql"},
    // Epochs are block numbers: the same numbers recur on another chain (a restarted local chain,
    // testnet vs finney), so a database belongs to one chain, named by its genesis hash.
    {"v2: the chain the database belongs to", R"sql(
CREATE TABLE chain (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  genesis BLOB NOT NULL CHECK (length(genesis) = 32),
  bound_ms INTEGER NOT NULL
);
)sql"},
    // Timelocked commits (commit-reveal v4) are sealed to a drand round; the chain reveals them,
    // so the round is what an operator checks the reveal against. NULL for every other call.
    {"v3: the drand round of timelocked commits", R"sql(
ALTER TABLE commit_attempts ADD COLUMN reveal_round INTEGER;
)sql"},
    // Subnets have up to a few mechanisms (sub-subnets) whose weights are set separately: weights
    // are keyed by mechanism too. Every existing row is mechanism 0, the only one of runtimes
    // without mechanisms. SQLite cannot change a primary key in place: the table is rebuilt.
    {"v4: weights per mechanism", R"sql(
CREATE TABLE weights_v4 (
  netuid INTEGER NOT NULL,
  mechanism INTEGER NOT NULL CHECK (mechanism BETWEEN 0 AND 255),
  epoch INTEGER NOT NULL,
  hotkey BLOB NOT NULL CHECK (length(hotkey) = 32),
  weight REAL NOT NULL CHECK (weight >= 0),
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (netuid, mechanism, epoch, hotkey)
) WITHOUT ROWID;
INSERT INTO weights_v4 (netuid, mechanism, epoch, hotkey, weight, updated_ms)
  SELECT netuid, 0, epoch, hotkey, weight, updated_ms FROM weights;
DROP TABLE weights;
ALTER TABLE weights_v4 RENAME TO weights;
CREATE INDEX weights_by_epoch ON weights (netuid, epoch);
)sql"},
    // The committer commits each mechanism's weights separately: its attempts and owed reveals
    // are keyed by mechanism too. Every existing row is mechanism 0 (all a v4 build committed).
    // pending_reveals' primary key gains the mechanism: rebuilt as weights was in v4.
    {"v5: commit attempts and reveals per mechanism", R"sql(
ALTER TABLE commit_attempts ADD COLUMN mechanism INTEGER NOT NULL DEFAULT 0
  CHECK (mechanism BETWEEN 0 AND 255);
CREATE TABLE pending_reveals_v5 (
  netuid INTEGER NOT NULL,
  mechanism INTEGER NOT NULL CHECK (mechanism BETWEEN 0 AND 255),
  epoch INTEGER NOT NULL,
  commit_hash BLOB NOT NULL CHECK (length(commit_hash) = 32),
  uids BLOB NOT NULL,
  vals BLOB NOT NULL,
  salt BLOB NOT NULL,
  version_key INTEGER NOT NULL,
  commit_block INTEGER NOT NULL,
  status TEXT NOT NULL,
  error TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (netuid, mechanism, epoch)
) WITHOUT ROWID;
INSERT INTO pending_reveals_v5 (netuid, mechanism, epoch, commit_hash, uids, vals, salt, version_key,
                                commit_block, status, error, updated_ms)
  SELECT netuid, 0, epoch, commit_hash, uids, vals, salt, version_key, commit_block, status, error,
         updated_ms FROM pending_reveals;
DROP TABLE pending_reveals;
ALTER TABLE pending_reveals_v5 RENAME TO pending_reveals;
CREATE INDEX pending_reveals_by_status ON pending_reveals (status, netuid);
)sql"},
    // Two validators' hotkeys may sign on one subnet (identities of one daemon): weights, attempts
    // and owed reveals belong to a lane, a subnet and the hotkey that signs there (the signer).
    // Existing rows were written when one hotkey signed per subnet: they get the zero signer,
    // "written before lanes", until Store::adopt_unattributed gives them to the subnet's default
    // signer. weights and pending_reveals gain the signer in their primary keys: rebuilt.
    {"v6: weights, attempts and reveals per signing hotkey", R"sql(
CREATE TABLE weights_v6 (
  netuid INTEGER NOT NULL,
  signer BLOB NOT NULL CHECK (length(signer) = 32),
  mechanism INTEGER NOT NULL CHECK (mechanism BETWEEN 0 AND 255),
  epoch INTEGER NOT NULL,
  hotkey BLOB NOT NULL CHECK (length(hotkey) = 32),
  weight REAL NOT NULL CHECK (weight >= 0),
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (netuid, signer, mechanism, epoch, hotkey)
) WITHOUT ROWID;
INSERT INTO weights_v6 (netuid, signer, mechanism, epoch, hotkey, weight, updated_ms)
  SELECT netuid, zeroblob(32), mechanism, epoch, hotkey, weight, updated_ms FROM weights;
DROP TABLE weights;
ALTER TABLE weights_v6 RENAME TO weights;
CREATE INDEX weights_by_epoch ON weights (netuid, signer, epoch);
ALTER TABLE commit_attempts ADD COLUMN signer BLOB NOT NULL
  DEFAULT x'0000000000000000000000000000000000000000000000000000000000000000'
  CHECK (length(signer) = 32);
CREATE TABLE pending_reveals_v6 (
  netuid INTEGER NOT NULL,
  signer BLOB NOT NULL CHECK (length(signer) = 32),
  mechanism INTEGER NOT NULL CHECK (mechanism BETWEEN 0 AND 255),
  epoch INTEGER NOT NULL,
  commit_hash BLOB NOT NULL CHECK (length(commit_hash) = 32),
  uids BLOB NOT NULL,
  vals BLOB NOT NULL,
  salt BLOB NOT NULL,
  version_key INTEGER NOT NULL,
  commit_block INTEGER NOT NULL,
  status TEXT NOT NULL,
  error TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (netuid, signer, mechanism, epoch)
) WITHOUT ROWID;
INSERT INTO pending_reveals_v6 (netuid, signer, mechanism, epoch, commit_hash, uids, vals, salt,
                                version_key, commit_block, status, error, updated_ms)
  SELECT netuid, zeroblob(32), mechanism, epoch, commit_hash, uids, vals, salt, version_key,
         commit_block, status, error, updated_ms FROM pending_reveals;
DROP TABLE pending_reveals;
ALTER TABLE pending_reveals_v6 RENAME TO pending_reveals;
CREATE INDEX pending_reveals_by_status ON pending_reveals (status, netuid);
)sql"},
};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

namespace {

Error newer(std::int64_t version, std::int64_t target) {
  return make_error("weights store: the database has schema version " + std::to_string(version) +
                    ", newer than this build's " + std::to_string(target) +
                    "; run a newer Pylon or restore a database of version " + std::to_string(target) +
                    " or older");
}

}  // namespace

Status migrate(sql::Db& db, std::span<const Migration> list) {
  const auto target = static_cast<std::int64_t>(list.size());
  PYLON_ASSIGN(std::int64_t version, db.query_int("PRAGMA user_version"));
  if (version > target) return newer(version, target);
  if (version < 0) return make_error("weights store: negative schema version " + std::to_string(version));
  while (version < target) {
    const Migration& m = list[static_cast<std::size_t>(version)];
    auto fail = [&](const Error& e) {
      return make_error("weights store: migration to schema version " + std::to_string(version + 1) + " (" +
                        m.what + ") failed: " + e.message);
    };
    // IMMEDIATE: a second process opening the same file waits for us instead of migrating twice.
    Result<sql::Transaction> tx = sql::Transaction::begin(db);
    if (!tx) return fail(tx.error());
    // Re-read under the lock: another opener may have migrated meanwhile.
    PYLON_ASSIGN(std::int64_t now, db.query_int("PRAGMA user_version"));
    if (now != version) {
      if (now > target) return newer(now, target);
      version = now;
      continue;
    }
    if (Status s = db.exec(m.sql); !s) return fail(s.error());
    if (Status s = db.exec("PRAGMA user_version = " + std::to_string(version + 1)); !s)
      return fail(s.error());
    if (Status s = tx->commit(); !s) return fail(s.error());
    ++version;
  }
  return {};
}

}  // namespace pylon::weights::schema
