// The weights store: the only place a validator's weights live, and the record of every attempt
// to put them on chain. SQLite in WAL mode with synchronous=FULL: a call that returns ok has
// committed, so whatever it acknowledges survives a crash or power loss. Schema versioned with
// PRAGMA user_version and forward migrations run at open.
//
// Thread-safe: one connection behind a mutex (the writer thread, the committer and REST reads all
// come through here; SQLite serialises writers anyway).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.hpp"
#include "common/result.hpp"
#include "weights/attempt_state.hpp"

namespace pylon::weights {

// What kind of failure a store error is (Error::kind_of<StoreErrc>()):
//   kRefused   the request itself is wrong (a value outside weight_value.hpp's rule, a delta that
//              would leave it, a batch over the limit); nothing was written; the caller's to fix
//   kNotFound  what was asked for does not exist (no weights for the epoch)
//   kInternal  the database failed; nothing was written
//   kStopped   the writer is stopping and did not take the update
//   kCorrupt   the file holds what this build cannot read (a status or call text it does not
//              know, written by another program or a newer build): refused, never guessed
enum class StoreErrc : std::uint8_t { kRefused, kNotFound, kInternal, kStopped, kCorrupt };

// Whose weights: a subnet and the validator hotkey that signs them there. Weights, commit
// attempts and owed reveals are kept per lane, so two validators' hotkeys on one subnet (two
// /api/v1 identities of one daemon) never see each other's rows; identities sharing a hotkey on a
// subnet share its lane, as the chain keeps one weight row per hotkey. The zero signer is the
// lane of rows written before lanes existed (schema v6), until adopt_unattributed gives them to
// their subnet's signer; tests with a single lane use it too.
struct Lane {
  std::uint16_t netuid = 0;
  AccountId signer{};
  auto operator<=>(const Lane&) const = default;
};

// set: the weight becomes value; add: value is added to it.
// clear_epoch: every weight stored for (netuid, signer, mechanism, epoch) becomes 0 (hotkey and value are
// ignored). Followed by sets in the same batch it replaces the epoch's weight set in one
// transaction (replacing() below): "the latest request wins" without a read-then-write race.
// Zeros, not deleted rows: the committer reads a zero as "no weight", as for any stored 0. Never
// produced by the shm queue (its op byte is set or add only).
enum class Op : std::uint8_t { set = 0, add = 1, clear_epoch = 2 };

// One change to one hotkey's weight in one epoch (the epoch is its start block).
struct WeightUpdate {
  std::uint16_t netuid = 0;
  std::uint64_t epoch = 0;
  AccountId hotkey{};
  Op op = Op::set;
  double value = 0;  // the weight (set) or the delta (add)
  // The subnet's mechanism (sub-subnet) the weight is for; 0 on runtimes without mechanisms, and
  // for every writer that names none (the legacy REST surface, an shm push without one).
  std::uint8_t mechanism = 0;
  // The lane's signing hotkey (Lane); a weights::Writer stamps its own on every update it takes.
  AccountId signer{};
};

// One batch that makes `weights` the epoch's whole weight set for the mechanism: a clear_epoch
// then a set per hotkey. Applied as one batch (Store::apply, Writer::submit), it is atomic: two
// such batches can never leave the union of their hotkeys behind. The result vector's first entry
// is the clear's (0); the sets' follow in `weights` order.
std::vector<WeightUpdate> replacing(std::uint16_t netuid, std::uint64_t epoch, std::uint8_t mechanism,
                                    const std::map<AccountId, double>& weights);

// The shm queue position an update batch covers: committed in the same transaction, so the
// durable position and the weights can never disagree after a crash.
struct QueueMark {
  std::uint32_t producer = 0;  // producer slot
  std::uint64_t seq = 0;       // drained up to (inclusive)
};

// One attempt to put an epoch's weights on chain.
struct CommitAttempt {
  std::int64_t id = 0;  // assigned by record_attempt
  std::uint16_t netuid = 0;
  std::uint64_t epoch = 0;
  std::uint64_t block = 0;  // the block it was built at
  CallKind call = CallKind::kSetWeights;
  ExtrinsicHash extrinsic_hash{};
  std::vector<std::uint8_t> extrinsic;  // the signed bytes, persisted before submission
  std::uint64_t nonce = 0;
  std::uint64_t mortal_until = 0;                  // last block the extrinsic is valid in
  AttemptStatus status = AttemptStatus::kPending;  // error says why when failed, expired or missed
  std::string error;
  std::optional<BlockHash> included_in;
  std::string weights_json;                   // {"uids":[...],"values":[...]} as sent, for the operator
  std::optional<std::uint64_t> reveal_round;  // commit_timelocked_weights: the drand round it is sealed to
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::uint8_t mechanism = 0;  // the mechanism whose weights it carries (0: the legacy calls)
  AccountId signer{};          // the hotkey that signed it (its lane's)
};

// A commit_weights whose reveal is still owed: everything reveal_weights needs, persisted before
// the commit is submitted so a restart between commit and reveal still reveals.
struct PendingReveal {
  std::uint16_t netuid = 0;
  std::uint64_t epoch = 0;
  std::array<std::uint8_t, 32> commit_hash{};  // weights_commit_hash of what is revealed
  std::vector<std::uint16_t> uids;
  std::vector<std::uint16_t> values;
  std::vector<std::uint16_t> salt;
  std::uint64_t version_key = 0;
  std::uint64_t commit_block = 0;  // 0 until the commit is included
  RevealStatus status = RevealStatus::kPending;
  std::string error;
  std::uint8_t mechanism = 0;  // revealed with reveal_weights (0) or reveal_mechanism_weights
  AccountId signer{};          // the hotkey that committed it and reveals it (its lane's)
};

// Entries drained from the shm queue, committed together with REST batches (Store::commit_group).
// Unlike a REST batch, each update stands alone: one that cannot apply (a delta below zero) is
// recorded in queue_rejected and the rest still commit, because the producer has no way to be
// told "your whole batch failed" and the queue must move on.
struct QueueBatch {
  std::uint16_t netuid = 0;
  std::vector<WeightUpdate> updates;
  std::vector<QueueMark> origins;  // origins[i]: where updates[i] came from (same size)
  // Refused before reaching the store (unknown uid, ...), recorded with their reason.
  std::vector<std::pair<QueueMark, std::string>> refused;
  // Per producer, the position this batch covers; never moves a stored position backwards.
  std::vector<QueueMark> marks;
  // Write the marks only when every REST batch of the group succeeded (Store::apply's
  // all-or-nothing); otherwise they commit with the transaction.
  bool marks_need_batches_ok = false;
};

struct GroupResult {
  Status committed;  // the transaction itself: when it failed nothing was written
  std::vector<Result<std::vector<double>>> batches;
  std::size_t queue_applied = 0;
  std::size_t queue_rejected = 0;  // refused ones plus updates that could not apply
};

// A drained queue entry that was refused, as recorded for the operator.
struct RejectedEntry {
  QueueMark at;
  std::string reason;
  std::int64_t rejected_ms = 0;
};

class Store {
 public:
  // Opens (creating when missing) and migrates to the current schema. A database of a newer schema
  // than this build knows is refused with both versions in the message.
  static Result<std::unique_ptr<Store>> open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  static constexpr int kSchemaVersion = 6;  // bump with a new migration step
  int schema_version() const;

  // Binds the database to the chain with this genesis hash the first time; afterwards refuses
  // another chain's (its epochs are the same block numbers, its weights not ours) with both
  // hashes named.
  Status bind_chain(const BlockHash& genesis);

  // Applies the updates in order in one transaction (with the queue marks), synced at commit.
  // Returns each hotkey's weight after its update. All or nothing: a set outside valid_weight, a
  // delta outside valid_delta, or a delta whose result is outside valid_weight (weight_value.hpp)
  // refuses the whole call (StoreErrc::kRefused) with the reason and changes nothing (the marks
  // included). Database failures are StoreErrc::kInternal. The marks belong to the netuid of the first
  // update.
  Result<std::vector<double>> apply(std::span<const WeightUpdate> updates,
                                    std::span<const QueueMark> marks = {});

  // Several independent batches in ONE transaction (group commit): each batch succeeds or fails on
  // its own (a savepoint each), and the whole is synced once. results[i] is batch i's answer.
  // The marks commit with the transaction, for the netuid of the first update of the group.
  std::vector<Result<std::vector<double>>> apply_group(std::span<const std::span<const WeightUpdate>> batches,
                                                       std::span<const QueueMark> marks = {});

  // The general form of apply_group: REST batches and a queue drain in one synced transaction.
  GroupResult commit_group(std::span<const std::span<const WeightUpdate>> batches, const QueueBatch* queue);

  // Refusal limit of one batch (REST or queue drain).
  static constexpr std::size_t kMaxBatch = 65536;

  // The lane's weights of the epoch for one mechanism (hotkeys with weight 0 included as stored);
  // empty when none. Mechanism 0 is the subnet's only one on runtimes without mechanisms.
  Result<std::map<AccountId, double>> weights(const Lane& lane, std::uint64_t epoch,
                                              std::uint8_t mechanism = 0) const;
  // The mechanisms holding the lane's weights for the epoch, ascending.
  Result<std::vector<std::uint8_t>> mechanisms(const Lane& lane, std::uint64_t epoch) const;
  // Epochs holding the lane's weights (of any mechanism), newest first.
  Result<std::vector<std::uint64_t>> epochs(const Lane& lane, std::size_t limit = 64) const;

  // Gives the rows written before lanes (the zero signer's) of lane.netuid to `lane`: weights,
  // attempts and owed reveals. They were written when one hotkey signed per subnet, the one the
  // daemon still signs the subnet's legacy surface and queue with: the daemon calls it for that
  // lane before anything writes. A row whose key the lane already holds keeps the lane's. Returns
  // how many rows moved.
  Result<std::size_t> adopt_unattributed(const Lane& lane);

  // Per producer slot, the last seq whose update is committed (what the drain resumes after).
  Result<std::map<std::uint32_t, std::uint64_t>> queue_durable(std::uint16_t netuid) const;
  // Queue entries that were drained but refused (unknown uid, NaN, below zero): kept for the
  // operator; their positions still become durable (the refusal is the durable outcome).
  Status record_rejected(std::uint16_t netuid, std::span<const QueueMark> entries, const std::string& reason);

  // The latest refused queue entries, newest first.
  Result<std::vector<RejectedEntry>> rejected(std::uint16_t netuid, std::size_t limit = 100) const;
  // Forgets the netuid's queue positions: for a queue segment that was created afresh (its
  // sequence numbers start again at 1, so positions of the old segment mean nothing).
  Status reset_queue(std::uint16_t netuid);

  // Commit attempts.
  Result<std::int64_t> record_attempt(const CommitAttempt& attempt);  // returns the id
  Status update_attempt(std::int64_t id, AttemptStatus status, const std::string& error,
                        const std::optional<BlockHash>& included_in);
  // The lane's attempts of the epoch, every mechanism's, oldest first (CommitAttempt::mechanism
  // tells them apart).
  Result<std::vector<CommitAttempt>> attempts(const Lane& lane, std::uint64_t epoch) const;
  // Reading a row whose status or call text this build does not know fails with kCorrupt.
  Result<std::vector<CommitAttempt>> attempts_with_status(const Lane& lane, AttemptStatus status) const;

  // Pending reveals, keyed by (netuid, signer, mechanism, epoch).
  Status save_reveal(const PendingReveal& reveal);
  Result<std::vector<PendingReveal>> reveals_with_status(const Lane& lane, RevealStatus status) const;
  Result<std::optional<PendingReveal>> reveal(const Lane& lane, std::uint64_t epoch,
                                              std::uint8_t mechanism = 0) const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pylon::weights
