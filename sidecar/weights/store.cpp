#include "weights/store.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "codec/ss58.hpp"
#include "weights/schema.hpp"
#include "weights/store_impl.hpp"
#include "weights/weight_value.hpp"

namespace pylon::weights {

namespace {

std::string number(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back the same
  return std::string(buf, r.ptr);
}

std::string address(const AccountId& hotkey) {
  return codec::ss58_encode(hotkey);
}

// The checks that need no database: a batch failing them is refused before the transaction.
Status validate(std::span<const WeightUpdate> updates) {
  if (updates.size() > Store::kMaxBatch) {
    return make_error(StoreErrc::kRefused, "a batch of " + std::to_string(updates.size()) +
                                               " updates is over the limit of " +
                                               std::to_string(Store::kMaxBatch));
  }
  for (const WeightUpdate& u : updates) {
    switch (u.op) {
      case Op::set:
        if (!valid_weight(u.value)) {
          return make_error(StoreErrc::kRefused, "weight for " + address(u.hotkey) + " is " +
                                                     number(u.value) + weight_problem(u.value));
        }
        break;
      case Op::add:
        if (!valid_delta(u.value)) {
          return make_error(StoreErrc::kRefused, "weight delta for " + address(u.hotkey) + " is " +
                                                     number(u.value) + ", not a finite number within +-1e15");
        }
        break;
      case Op::clear_epoch:
        break;
      default:
        return make_error(StoreErrc::kRefused, "unknown operation for " + address(u.hotkey));
    }
  }
  return {};
}

// Several deltas summing to zero in floating point may land a hair below it (0.3 - 0.1 - 0.2):
// that is zero, not a negative weight.
double settle(double old_weight, double delta) {
  double w = old_weight + delta;
  if (w < 0 && -w <= 1e-12 * std::max(std::fabs(old_weight), std::fabs(delta))) return 0;
  return w;
}

}  // namespace

std::vector<WeightUpdate> replacing(std::uint16_t netuid, std::uint64_t epoch, std::uint8_t mechanism,
                                    const std::map<AccountId, double>& weights) {
  std::vector<WeightUpdate> out;
  out.reserve(weights.size() + 1);
  out.push_back({netuid, epoch, AccountId{}, Op::clear_epoch, 0, mechanism});
  for (const auto& [hotkey, w] : weights) out.push_back({netuid, epoch, hotkey, Op::set, w, mechanism});
  return out;
}

Status StoreDb::prepare() {
  PYLON_ASSIGN(get_weight,
               db.prepare("SELECT weight FROM weights WHERE netuid = ?1 AND epoch = ?2 AND hotkey = ?3 "
                          "AND mechanism = ?4 AND signer = ?5"));
  PYLON_ASSIGN(
      put_weight,
      db.prepare("INSERT INTO weights (netuid, epoch, hotkey, weight, updated_ms, mechanism, signer) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (netuid, signer, mechanism, epoch, hotkey) "
                 "DO UPDATE SET weight = excluded.weight, updated_ms = excluded.updated_ms"));
  PYLON_ASSIGN(zero_epoch, db.prepare("UPDATE weights SET weight = 0, updated_ms = ?4 WHERE netuid = ?1 "
                                      "AND epoch = ?2 AND mechanism = ?3 AND signer = ?5 AND weight != 0"));
  PYLON_ASSIGN(put_mark, db.prepare("INSERT INTO queue_durable (netuid, producer, seq, updated_ms) "
                                    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (netuid, producer) "
                                    "DO UPDATE SET seq = excluded.seq, updated_ms = excluded.updated_ms "
                                    "WHERE excluded.seq > queue_durable.seq"));
  PYLON_ASSIGN(put_rejected,
               db.prepare("INSERT INTO queue_rejected (netuid, producer, seq, reason, rejected_ms) "
                          "VALUES (?1, ?2, ?3, ?4, ?5)"));
  return {};
}

namespace {

// Applies one validated update. A refusal (the weight would go below zero) writes nothing and is
// returned in `refusal`; the Status is for database failures only.
Status apply_one(StoreDb& s, const WeightUpdate& u, std::int64_t now, double& out, std::string& refusal)
    PYLON_REQUIRES(s.mu) {
  if (u.op == Op::clear_epoch) {
    PYLON_TRY(s.zero_epoch.start()
                  .bind(1, std::int64_t{u.netuid})
                  .bind_u64(2, u.epoch)
                  .bind(3, std::int64_t{u.mechanism})
                  .bind(4, now)
                  .bind_blob(5, u.signer)
                  .run());
    out = 0;
    return {};
  }
  double w = u.value;
  if (u.op == Op::add) {
    s.get_weight.start()
        .bind(1, std::int64_t{u.netuid})
        .bind_u64(2, u.epoch)
        .bind_blob(3, u.hotkey)
        .bind(4, std::int64_t{u.mechanism})
        .bind_blob(5, u.signer);
    PYLON_ASSIGN(bool row, s.get_weight.step());
    w = settle(row ? s.get_weight.real(0) : 0.0, u.value);
    if (!valid_weight(w)) {
      refusal = "weight of " + address(u.hotkey) + " would become " + number(w) + weight_problem(w);
      return {};
    }
  }
  s.put_weight.start()
      .bind(1, std::int64_t{u.netuid})
      .bind_u64(2, u.epoch)
      .bind_blob(3, u.hotkey)
      .bind(4, w)
      .bind(5, now)
      .bind(6, std::int64_t{u.mechanism})
      .bind_blob(7, u.signer);
  PYLON_TRY(s.put_weight.run());
  out = w;
  return {};
}

Status put_mark(StoreDb& s, std::uint16_t netuid, const QueueMark& m, std::int64_t now) PYLON_REQUIRES(s.mu) {
  return s.put_mark.start()
      .bind(1, std::int64_t{netuid})
      .bind(2, std::int64_t{m.producer})
      .bind_u64(3, m.seq)
      .bind(4, now)
      .run();
}

Status put_rejected(StoreDb& s, std::uint16_t netuid, const QueueMark& m, const std::string& reason,
                    std::int64_t now) PYLON_REQUIRES(s.mu) {
  return s.put_rejected.start()
      .bind(1, std::int64_t{netuid})
      .bind(2, std::int64_t{m.producer})
      .bind_u64(3, m.seq)
      .bind(4, reason)
      .bind(5, now)
      .run();
}

// One REST batch inside the open transaction, under its own savepoint. The outer Result is a
// database failure (the whole transaction is lost); the inner one is the batch's own answer.
Result<Result<std::vector<double>>> apply_batch(StoreDb& s, std::span<const WeightUpdate> updates,
                                                std::int64_t now) PYLON_REQUIRES(s.mu) {
  PYLON_TRY(s.db.exec("SAVEPOINT batch"));
  std::vector<double> out(updates.size());
  std::string refusal;
  for (std::size_t i = 0; i < updates.size() && refusal.empty(); ++i) {
    PYLON_TRY(apply_one(s, updates[i], now, out[i], refusal));
  }
  if (!refusal.empty()) {
    PYLON_TRY(s.db.exec("ROLLBACK TO batch"));
    PYLON_TRY(s.db.exec("RELEASE batch"));
    return Result<std::vector<double>>(make_error(StoreErrc::kRefused, std::move(refusal)));
  }
  PYLON_TRY(s.db.exec("RELEASE batch"));
  return Result<std::vector<double>>(std::move(out));
}

Status apply_queue(StoreDb& s, const QueueBatch& q, bool marks, std::int64_t now, GroupResult& result)
    PYLON_REQUIRES(s.mu) {
  if (q.origins.size() != q.updates.size())
    return make_error(StoreErrc::kInternal, "weights store: queue origins do not match updates");
  for (const auto& [at, reason] : q.refused) {
    PYLON_TRY(put_rejected(s, q.netuid, at, reason, now));
    ++result.queue_rejected;
  }
  for (std::size_t i = 0; i < q.updates.size(); ++i) {
    std::string refusal;
    double w = 0;
    if (Status v = validate(std::span<const WeightUpdate>(&q.updates[i], 1)); !v) {
      refusal = v.error().message;
    } else {
      PYLON_TRY(apply_one(s, q.updates[i], now, w, refusal));
    }
    if (refusal.empty()) {
      ++result.queue_applied;
    } else {
      PYLON_TRY(put_rejected(s, q.netuid, q.origins[i], refusal, now));
      ++result.queue_rejected;
    }
  }
  if (marks) {
    for (const QueueMark& m : q.marks) PYLON_TRY(put_mark(s, q.netuid, m, now));
  }
  return {};
}

}  // namespace

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  Lock lock(impl->mu);  // nobody else has it yet; the analysis wants the guarded members locked
  impl->path = path;
  auto where = [&](const Error& e) { return make_error(e.message + " (weights store " + path + ")"); };
  Result<sql::Db> db = sql::Db::open(path);
  if (!db) return where(db.error());
  impl->db = std::move(db).value();
  sql::Db& d = impl->db;
  // busy_timeout first: the journal-mode switch itself may wait for another connection.
  for (const char* pragma :
       {"PRAGMA busy_timeout = 10000", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL"}) {
    if (Status s = d.exec(pragma); !s) return where(s.error());
  }
  Result<std::string> mode = d.query_text("PRAGMA journal_mode = WAL");
  if (!mode) return where(mode.error());
  if (*mode != "wal")
    return make_error("weights store " + path + ": cannot use WAL mode (journal mode is " + *mode + ")");
  if (Status s = schema::migrate(d, schema::migrations()); !s) return where(s.error());
  if (Status s = impl->prepare(); !s) return where(s.error());
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

int Store::schema_version() const {
  Lock lock(impl_->mu);
  Result<std::int64_t> v = impl_->db.query_int("PRAGMA user_version");
  return v ? static_cast<int>(*v) : -1;
}

GroupResult Store::commit_group(std::span<const std::span<const WeightUpdate>> batches,
                                const QueueBatch* queue) {
  GroupResult result;
  result.batches.reserve(batches.size());
  std::vector<bool> valid(batches.size());
  for (std::size_t i = 0; i < batches.size(); ++i) {
    Status v = validate(batches[i]);
    valid[i] = v.ok();
    result.batches.emplace_back(v ? Result<std::vector<double>>(std::vector<double>{})
                                  : Result<std::vector<double>>(std::move(v).error()));
  }
  auto fail_all = [&](const Error& e) {
    Error err = make_error(StoreErrc::kInternal,
                           "weights store: transaction failed, nothing was written: " + e.message);
    result.committed = err;
    for (auto& r : result.batches) r = err;
    result.queue_applied = result.queue_rejected = 0;
    return std::move(result);
  };
  Impl& s = *impl_;
  Lock lock(s.mu);
  std::int64_t now = now_ms();
  Result<sql::Transaction> tx = sql::Transaction::begin(s.db);
  if (!tx) return fail_all(tx.error());
  for (std::size_t i = 0; i < batches.size(); ++i) {
    if (!valid[i]) continue;
    Result<Result<std::vector<double>>> r = apply_batch(s, batches[i], now);
    if (!r) return fail_all(r.error());
    result.batches[i] = std::move(r).value();
  }
  if (queue != nullptr) {
    bool marks = !queue->marks_need_batches_ok || std::all_of(result.batches.begin(), result.batches.end(),
                                                              [](const auto& r) { return r.ok(); });
    if (Status q = apply_queue(s, *queue, marks, now, result); !q) return fail_all(q.error());
  }
  if (Status c = tx->commit(); !c) return fail_all(c.error());
  return result;
}

Result<std::vector<double>> Store::apply(std::span<const WeightUpdate> updates,
                                         std::span<const QueueMark> marks) {
  std::span<const WeightUpdate> one[] = {updates};
  if (marks.empty()) return std::move(commit_group(one, nullptr).batches.front());
  if (updates.empty()) return make_error(StoreErrc::kRefused, "queue marks need an update");
  QueueBatch q;
  q.netuid = updates.front().netuid;
  q.marks.assign(marks.begin(), marks.end());
  q.marks_need_batches_ok = true;
  return std::move(commit_group(one, &q).batches.front());
}

std::vector<Result<std::vector<double>>> Store::apply_group(
    std::span<const std::span<const WeightUpdate>> batches, std::span<const QueueMark> marks) {
  QueueBatch q;
  if (!marks.empty()) {
    // Marks take the netuid of the first update (the queue belongs to one subnet).
    const WeightUpdate* first = nullptr;
    for (auto b : batches) {
      if (!b.empty()) {
        first = &b.front();
        break;
      }
    }
    if (first == nullptr) {
      std::vector<Result<std::vector<double>>> out;
      for (std::size_t i = 0; i < batches.size(); ++i)
        out.emplace_back(make_error(StoreErrc::kRefused, "queue marks need an update"));
      return out;
    }
    q.netuid = first->netuid;
    q.marks.assign(marks.begin(), marks.end());
  }
  GroupResult r = commit_group(batches, marks.empty() ? nullptr : &q);
  return std::move(r.batches);
}

Result<std::map<AccountId, double>> Store::weights(const Lane& lane, std::uint64_t epoch,
                                                   std::uint8_t mechanism) const {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt st, impl_->db.prepare("SELECT hotkey, weight FROM weights WHERE netuid = ?1 AND "
                                               "epoch = ?2 AND mechanism = ?3 AND signer = ?4"));
  st.bind(1, std::int64_t{lane.netuid})
      .bind_u64(2, epoch)
      .bind(3, std::int64_t{mechanism})
      .bind_blob(4, lane.signer);
  std::map<AccountId, double> out;
  for (;;) {
    PYLON_ASSIGN(bool row, st.step());
    if (!row) break;
    std::vector<std::uint8_t> hk = st.blob(0);
    if (hk.size() != 32)
      return make_error(StoreErrc::kInternal, "weights store: a stored hotkey is not 32 bytes");
    AccountId id{};
    std::copy(hk.begin(), hk.end(), id.begin());
    out[id] = st.real(1);
  }
  return out;
}

Result<std::vector<std::uint8_t>> Store::mechanisms(const Lane& lane, std::uint64_t epoch) const {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt st, impl_->db.prepare("SELECT DISTINCT mechanism FROM weights WHERE netuid = ?1 AND "
                                               "epoch = ?2 AND signer = ?3 ORDER BY mechanism"));
  st.bind(1, std::int64_t{lane.netuid}).bind_u64(2, epoch).bind_blob(3, lane.signer);
  std::vector<std::uint8_t> out;
  for (;;) {
    PYLON_ASSIGN(bool row, st.step());
    if (!row) break;
    out.push_back(static_cast<std::uint8_t>(st.i64(0)));
  }
  return out;
}

Result<std::vector<std::uint64_t>> Store::epochs(const Lane& lane, std::size_t limit) const {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt st, impl_->db.prepare("SELECT DISTINCT epoch FROM weights WHERE netuid = ?1 "
                                               "AND signer = ?3 ORDER BY epoch DESC LIMIT ?2"));
  st.bind(1, std::int64_t{lane.netuid}).bind(2, static_cast<std::int64_t>(limit)).bind_blob(3, lane.signer);
  std::vector<std::uint64_t> out;
  for (;;) {
    PYLON_ASSIGN(bool row, st.step());
    if (!row) break;
    out.push_back(st.u64(0));
  }
  return out;
}

Result<std::size_t> Store::adopt_unattributed(const Lane& lane) {
  if (lane.signer == AccountId{}) return std::size_t{0};
  Impl& s = *impl_;
  Lock lock(s.mu);
  auto fail = [](const Error& e) {
    return make_error(StoreErrc::kInternal,
                      "weights store: rows written before lanes not adopted: " + e.message);
  };
  Result<sql::Transaction> tx = sql::Transaction::begin(s.db);
  if (!tx) return fail(tx.error());
  std::size_t moved = 0;
  // OR IGNORE: a key the lane already holds keeps the lane's row (the unattributed one stays).
  for (const char* sql :
       {"UPDATE OR IGNORE weights SET signer = ?2 WHERE netuid = ?1 AND signer = zeroblob(32)",
        "UPDATE commit_attempts SET signer = ?2 WHERE netuid = ?1 AND signer = zeroblob(32)",
        "UPDATE OR IGNORE pending_reveals SET signer = ?2 WHERE netuid = ?1 AND "
        "signer = zeroblob(32)"}) {
    Result<sql::Stmt> st = s.db.prepare(sql);
    if (!st) return fail(st.error());
    st->bind(1, std::int64_t{lane.netuid}).bind_blob(2, lane.signer);
    if (Status r = st->run(); !r) return fail(r.error());
    moved += static_cast<std::size_t>(s.db.changes());
  }
  if (Status c = tx->commit(); !c) return fail(c.error());
  return moved;
}

Result<std::map<std::uint32_t, std::uint64_t>> Store::queue_durable(std::uint16_t netuid) const {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt st, impl_->db.prepare("SELECT producer, seq FROM queue_durable WHERE netuid = ?1"));
  st.bind(1, std::int64_t{netuid});
  std::map<std::uint32_t, std::uint64_t> out;
  for (;;) {
    PYLON_ASSIGN(bool row, st.step());
    if (!row) break;
    out[static_cast<std::uint32_t>(st.i64(0))] = st.u64(1);
  }
  return out;
}

Status Store::record_rejected(std::uint16_t netuid, std::span<const QueueMark> entries,
                              const std::string& reason) {
  QueueBatch q;
  q.netuid = netuid;
  std::map<std::uint32_t, std::uint64_t> upto;
  for (const QueueMark& m : entries) {
    q.refused.emplace_back(m, reason);
    std::uint64_t& u = upto[m.producer];
    u = std::max(u, m.seq);
  }
  for (auto [producer, seq] : upto) q.marks.push_back(QueueMark{producer, seq});
  GroupResult r = commit_group({}, &q);
  return r.committed;
}

Result<std::vector<RejectedEntry>> Store::rejected(std::uint16_t netuid, std::size_t limit) const {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt st,
               impl_->db.prepare("SELECT producer, seq, reason, rejected_ms FROM queue_rejected "
                                 "WHERE netuid = ?1 ORDER BY id DESC LIMIT ?2"));
  st.bind(1, std::int64_t{netuid}).bind(2, static_cast<std::int64_t>(limit));
  std::vector<RejectedEntry> out;
  for (;;) {
    PYLON_ASSIGN(bool row, st.step());
    if (!row) break;
    out.push_back(
        RejectedEntry{QueueMark{static_cast<std::uint32_t>(st.i64(0)), st.u64(1)}, st.text(2), st.i64(3)});
  }
  return out;
}

Status Store::reset_queue(std::uint16_t netuid) {
  Lock lock(impl_->mu);
  PYLON_ASSIGN(sql::Stmt st, impl_->db.prepare("DELETE FROM queue_durable WHERE netuid = ?1"));
  return st.bind(1, std::int64_t{netuid}).run();
}

}  // namespace pylon::weights
