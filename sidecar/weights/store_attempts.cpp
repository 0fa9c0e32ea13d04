// Commit attempts and pending reveals: the committer's memory across restarts.
#include <algorithm>

#include "weights/store.hpp"
#include "weights/store_impl.hpp"

namespace pylon::weights {

namespace {

constexpr const char* kAttemptColumns =
    "id, netuid, epoch, block, call, extrinsic_hash, extrinsic, nonce, mortal_until, status, error, "
    "included_in, weights_json, created_ms, updated_ms, reveal_round, mechanism, signer";

template <class Id>
Result<Id> hash_of(const std::vector<std::uint8_t>& b, const char* what) {
  if (b.size() != 32) return make_error(std::string("weights store: a stored ") + what + " is not 32 bytes");
  Id h{};
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

// A stored text read back as its state; text this build does not know is refused (kCorrupt).
template <class E>
Result<E> state_of(const std::string& text, std::optional<E> (*parse)(std::string_view), const char* what) {
  std::optional<E> e = parse(text);
  if (!e)
    return make_error(StoreErrc::kCorrupt, std::string("weights store: unknown ") + what + " '" +
                                               text.substr(0, 32) + "' in the database");
  return *e;
}

Result<CommitAttempt> read_attempt(const sql::Stmt& st) {
  CommitAttempt a;
  a.id = st.i64(0);
  a.netuid = static_cast<std::uint16_t>(st.i64(1));
  a.epoch = st.u64(2);
  a.block = st.u64(3);
  PYLON_ASSIGN(a.call, state_of(st.text(4), &call_kind_from_text, "attempt call"));
  PYLON_ASSIGN(a.extrinsic_hash, hash_of<ExtrinsicHash>(st.blob(5), "extrinsic hash"));
  a.extrinsic = st.blob(6);
  a.nonce = st.u64(7);
  a.mortal_until = st.u64(8);
  PYLON_ASSIGN(a.status, state_of(st.text(9), &attempt_status_from_text, "attempt status"));
  a.error = st.text(10);
  if (!st.is_null(11)) {
    PYLON_ASSIGN(a.included_in, hash_of<BlockHash>(st.blob(11), "block hash"));
  }
  a.weights_json = st.text(12);
  a.created_ms = st.i64(13);
  a.updated_ms = st.i64(14);
  if (!st.is_null(15)) a.reveal_round = st.u64(15);
  a.mechanism = static_cast<std::uint8_t>(st.i64(16));  // CHECKed 0..255 by the schema
  PYLON_ASSIGN(a.signer, hash_of<AccountId>(st.blob(17), "attempt signer"));
  return a;
}

Result<std::vector<CommitAttempt>> read_attempts(sql::Stmt& st) {
  std::vector<CommitAttempt> out;
  for (;;) {
    PYLON_ASSIGN(bool row, st.step());
    if (!row) return out;
    PYLON_ASSIGN(CommitAttempt a, read_attempt(st));
    out.push_back(std::move(a));
  }
}

// u16 vectors as little-endian BLOBs: fixed-width and readable by any tool.
std::vector<std::uint8_t> u16_blob(const std::vector<std::uint16_t>& v) {
  std::vector<std::uint8_t> out;
  out.reserve(v.size() * 2);
  for (std::uint16_t x : v) {
    out.push_back(static_cast<std::uint8_t>(x & 0xff));
    out.push_back(static_cast<std::uint8_t>(x >> 8));
  }
  return out;
}

Result<std::vector<std::uint16_t>> u16_vector(const std::vector<std::uint8_t>& b, const char* what) {
  if (b.size() % 2 != 0)
    return make_error(std::string("weights store: stored reveal ") + what + " has an odd length");
  std::vector<std::uint16_t> out(b.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint16_t>(b[2 * i] | (b[2 * i + 1] << 8));
  }
  return out;
}

constexpr const char* kRevealColumns =
    "netuid, epoch, commit_hash, uids, vals, salt, version_key, commit_block, status, error, mechanism, "
    "signer";

Result<PendingReveal> read_reveal(const sql::Stmt& st) {
  PendingReveal r;
  r.netuid = static_cast<std::uint16_t>(st.i64(0));
  r.epoch = st.u64(1);
  PYLON_ASSIGN(r.commit_hash, (hash_of<std::array<std::uint8_t, 32>>(st.blob(2), "commit hash")));
  PYLON_ASSIGN(r.uids, u16_vector(st.blob(3), "uids"));
  PYLON_ASSIGN(r.values, u16_vector(st.blob(4), "values"));
  PYLON_ASSIGN(r.salt, u16_vector(st.blob(5), "salt"));
  r.version_key = st.u64(6);
  r.commit_block = st.u64(7);
  PYLON_ASSIGN(r.status, state_of(st.text(8), &reveal_status_from_text, "reveal status"));
  r.error = st.text(9);
  r.mechanism = static_cast<std::uint8_t>(st.i64(10));  // CHECKed 0..255 by the schema
  PYLON_ASSIGN(r.signer, hash_of<AccountId>(st.blob(11), "reveal signer"));
  return r;
}

}  // namespace

Result<std::int64_t> Store::record_attempt(const CommitAttempt& a) {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(
      sql::Stmt st,
      impl_->db.prepare(
          "INSERT INTO commit_attempts (netuid, epoch, block, call, extrinsic_hash, extrinsic, "
          "nonce, mortal_until, status, error, included_in, weights_json, created_ms, "
          "updated_ms, reveal_round, mechanism, signer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
          "?11, ?12, ?13, ?14, ?15, ?16, ?17)"));
  std::int64_t now = now_ms();
  st.bind(1, std::int64_t{a.netuid})
      .bind_u64(2, a.epoch)
      .bind_u64(3, a.block)
      .bind(4, to_text(a.call))
      .bind_blob(5, a.extrinsic_hash)
      .bind_blob(6, a.extrinsic)
      .bind_u64(7, a.nonce)
      .bind_u64(8, a.mortal_until)
      .bind(9, to_text(a.status))
      .bind(10, a.error)
      .bind(12, a.weights_json)
      .bind(13, a.created_ms != 0 ? a.created_ms : now)
      .bind(14, now)
      .bind(16, std::int64_t{a.mechanism})
      .bind_blob(17, a.signer);
  if (a.included_in) {
    st.bind_blob(11, *a.included_in);
  } else {
    st.bind_null(11);
  }
  if (a.reveal_round) {
    st.bind_u64(15, *a.reveal_round);
  } else {
    st.bind_null(15);
  }
  PYLON_TRY(st.run());  // autocommit: synced before returning, so the attempt exists before submission
  return impl_->db.last_insert_rowid();
}

Status Store::update_attempt(std::int64_t id, AttemptStatus status, const std::string& error,
                             const std::optional<BlockHash>& included_in) {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt st, impl_->db.prepare("UPDATE commit_attempts SET status = ?2, error = ?3, "
                                               "included_in = ?4, updated_ms = ?5 WHERE id = ?1"));
  st.bind(1, id).bind(2, to_text(status)).bind(3, error).bind(5, now_ms());
  if (included_in) {
    st.bind_blob(4, *included_in);
  } else {
    st.bind_null(4);
  }
  PYLON_TRY(st.run());
  if (impl_->db.changes() == 0) return make_error("weights store: no commit attempt " + std::to_string(id));
  return {};
}

Result<std::vector<CommitAttempt>> Store::attempts(const Lane& lane, std::uint64_t epoch) const {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt st, impl_->db.prepare(std::string("SELECT ") + kAttemptColumns +
                                               " FROM commit_attempts WHERE netuid = ?1 AND epoch = ?2 AND "
                                               "signer = ?3 ORDER BY id"));
  st.bind(1, std::int64_t{lane.netuid}).bind_u64(2, epoch).bind_blob(3, lane.signer);
  return read_attempts(st);
}

Result<std::vector<CommitAttempt>> Store::attempts_with_status(const Lane& lane, AttemptStatus status) const {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt st, impl_->db.prepare(std::string("SELECT ") + kAttemptColumns +
                                               " FROM commit_attempts WHERE status = ?1 AND netuid = ?2 AND "
                                               "signer = ?3 ORDER BY id"));
  st.bind(1, to_text(status)).bind(2, std::int64_t{lane.netuid}).bind_blob(3, lane.signer);
  return read_attempts(st);
}

Status Store::save_reveal(const PendingReveal& r) {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(
      sql::Stmt st,
      impl_->db.prepare(
          "INSERT INTO pending_reveals (netuid, epoch, commit_hash, uids, vals, salt, "
          "version_key, commit_block, status, error, updated_ms, mechanism, signer) VALUES (?1, ?2, ?3, "
          "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT (netuid, signer, mechanism, epoch) "
          "DO UPDATE SET "
          "commit_hash = excluded.commit_hash, uids = excluded.uids, vals = excluded.vals, "
          "salt = excluded.salt, version_key = excluded.version_key, "
          "commit_block = excluded.commit_block, status = excluded.status, "
          "error = excluded.error, updated_ms = excluded.updated_ms"));
  st.bind(1, std::int64_t{r.netuid})
      .bind_u64(2, r.epoch)
      .bind_blob(3, r.commit_hash)
      .bind_blob(4, u16_blob(r.uids))
      .bind_blob(5, u16_blob(r.values))
      .bind_blob(6, u16_blob(r.salt))
      .bind_u64(7, r.version_key)
      .bind_u64(8, r.commit_block)
      .bind(9, to_text(r.status))
      .bind(10, r.error)
      .bind(11, now_ms())
      .bind(12, std::int64_t{r.mechanism})
      .bind_blob(13, r.signer);
  return st.run();
}

Result<std::vector<PendingReveal>> Store::reveals_with_status(const Lane& lane, RevealStatus status) const {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt st, impl_->db.prepare(std::string("SELECT ") + kRevealColumns +
                                               " FROM pending_reveals WHERE status = ?1 AND netuid = ?2 AND "
                                               "signer = ?3 ORDER BY epoch, mechanism"));
  st.bind(1, to_text(status)).bind(2, std::int64_t{lane.netuid}).bind_blob(3, lane.signer);
  std::vector<PendingReveal> out;
  for (;;) {
    PYLON_ASSIGN(bool row, st.step());
    if (!row) return out;
    PYLON_ASSIGN(PendingReveal r, read_reveal(st));
    out.push_back(std::move(r));
  }
}

Result<std::optional<PendingReveal>> Store::reveal(const Lane& lane, std::uint64_t epoch,
                                                   std::uint8_t mechanism) const {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt st, impl_->db.prepare(std::string("SELECT ") + kRevealColumns +
                                               " FROM pending_reveals WHERE netuid = ?1 AND epoch = ?2 AND "
                                               "mechanism = ?3 AND signer = ?4"));
  st.bind(1, std::int64_t{lane.netuid})
      .bind_u64(2, epoch)
      .bind(3, std::int64_t{mechanism})
      .bind_blob(4, lane.signer);
  PYLON_ASSIGN(bool row, st.step());
  if (!row) return std::optional<PendingReveal>();
  PYLON_ASSIGN(PendingReveal r, read_reveal(st));
  return std::optional<PendingReveal>(std::move(r));
}

Status Store::bind_chain(const BlockHash& genesis) {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt read, impl_->db.prepare("SELECT genesis FROM chain WHERE id = 1"));
  PYLON_ASSIGN(bool have, read.step());
  if (have) {
    const std::vector<std::uint8_t> bound = read.blob(0);
    if (std::equal(bound.begin(), bound.end(), genesis.begin(), genesis.end())) return {};
    auto hex = [](std::span<const std::uint8_t> b) {
      static constexpr char kDigits[] = "0123456789abcdef";
      std::string out = "0x";
      for (std::uint8_t c : b) {
        out += kDigits[c >> 4];
        out += kDigits[c & 15];
      }
      return out;
    };
    return make_error("weights store " + impl_->path + " belongs to the chain with genesis " + hex(bound) +
                      ", not this one (" + hex(genesis) +
                      "); its epochs are not this chain's: set PYLON_DB_PATH to another file");
  }
  PYLON_ASSIGN(sql::Stmt put,
               impl_->db.prepare("INSERT INTO chain (id, genesis, bound_ms) VALUES (1, ?1, ?2)"));
  put.bind_blob(1, genesis).bind(2, now_ms());
  return put.run();
}

}  // namespace pylon::weights
