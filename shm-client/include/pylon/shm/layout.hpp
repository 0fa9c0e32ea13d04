// The frozen binary layout of Pylon's two shared-memory segments (LAYOUT.md is the prose version).
// Every struct is trivially copyable with fixed-width fields and explicit padding; every size and
// offset is pinned by a static_assert so a change that would break readers in other processes or
// languages fails to compile. Fields are little-endian (x86-64 / aarch64 hosts). Positions inside a
// segment are byte offsets from the segment (or slot) start, never pointers: each process maps the
// segment at its own address. Fields written while readers run are accessed with __atomic builtins
// (atomic_words.hpp) and are 8-byte aligned; hot ones sit alone on 64-byte cache lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace pylon::shm {

// The snapshot segment's ABI (the queue's is below). Version 2 added the subnet's mechanisms
// (sub-subnets): their count in SnapshotMeta (bytes 60..63, reserved in version 1), and a
// mechanism area at the end of each slot (geometry in header bytes 92..111, reserved in version 1).
// A version-1 reader would read the meta's count bytes as padding and never find the area: the
// version is bumped so it is refused by name instead of serving mechanism 0 alone unknowingly.
inline constexpr std::uint32_t kAbiVersion = 2;
inline constexpr std::size_t kCacheLine = 64;
// "PYLNSNAP" / "PYLNWQUE" as little-endian u64 (the first 8 bytes of the segment spell it).
inline constexpr std::uint64_t kSnapshotMagic = 0x50414E534E4C5950ULL;
inline constexpr std::uint64_t kQueueMagic = 0x455551574E4C5950ULL;

// Hard bounds a reader enforces before trusting any count or offset (defence against garbage).
inline constexpr std::uint32_t kMaxNeurons = 65536;  // uids are u16
inline constexpr std::uint32_t kMaxCommitments = 65536;
inline constexpr std::uint32_t kMaxCommitmentBytes = 4096;  // one commitment's data
inline constexpr std::uint32_t kMaxCommitmentDataCapacity = 256u << 20;
inline constexpr std::uint32_t kMaxSlots = 4;
inline constexpr std::uint32_t kMaxMechanisms = 256;  // mechanism ids are u8 (subtensor's MechId)
inline constexpr std::uint32_t kMaxProducerSlots = 1024;
inline constexpr std::uint32_t kMaxRingCapacity = 1u << 20;

enum class SegmentState : std::uint32_t { initializing = 0, live = 1, retired = 2 };

// ---------------------------------------------------------------------------------------------
// Snapshot segment: [SnapshotSegmentHeader][slot 0][slot 1]...; the daemon maps it read-write,
// readers read-only. Each slot holds one complete snapshot guarded by its own sequence word.

struct SnapshotSegmentHeader {
  // Line 0: identity and geometry, written once before state becomes live.
  std::uint64_t magic;                     // 0   kSnapshotMagic
  std::uint32_t abi_version;               // 8   kAbiVersion
  std::uint32_t header_size;               // 12  sizeof(SnapshotSegmentHeader)
  std::uint64_t segment_size;              // 16  bytes mapped
  std::uint64_t generation;                // 24  new value on every daemon start / regrow
  std::uint32_t slot_count;                // 32  1 = plain seqlock, 2 = double buffer
  std::uint32_t slot_size;                 // 36  bytes per slot, multiple of 64
  std::uint64_t slots_offset;              // 40  first slot, from segment start
  std::uint32_t neuron_capacity;           // 48  rows in each slot's neuron table
  std::uint32_t commitment_capacity;       // 52  rows in each slot's commitment table
  std::uint32_t commitment_data_capacity;  // 56  bytes in each slot's commitment data area
  std::uint16_t netuid;                    // 60
  std::uint16_t reserved0;                 // 62
  // Line 1: offsets inside a slot (identical for every slot of a generation).
  std::uint32_t neuron_record_size;      // 64  sizeof(NeuronRecord)
  std::uint32_t commitment_record_size;  // 68  sizeof(CommitmentRecord)
  std::uint32_t meta_offset;             // 72  SnapshotMeta
  std::uint32_t neurons_offset;          // 76  NeuronRecord[neuron_capacity]
  std::uint32_t hotkey_index_offset;     // 80  u16[neuron_capacity]: uids sorted by hotkey
  std::uint32_t commitments_offset;      // 84  CommitmentRecord[commitment_capacity]
  std::uint32_t commitment_data_offset;  // 88  u8[commitment_data_capacity]
  // The mechanism area (version 2), after everything else in the slot so that a reader of
  // mechanism 0 (the neuron rows) reads nothing of it: MechanismRecord[mechanism_capacity], then
  // for each mechanism m >= 1 its per-uid columns, at a stride fixed by neuron_capacity:
  //   last_update of m: mechanism_last_update_offset + (m-1) * neuron_capacity * 8  (u64 each)
  //   incentive of m:   mechanism_incentives_offset + (m-1) * align_up(neuron_capacity * 2, 8)
  std::uint32_t mechanism_capacity;            // 92  mechanisms each slot has room for, with 0
  std::uint32_t mechanism_record_size;         // 96  sizeof(MechanismRecord)
  std::uint32_t mechanisms_offset;             // 100 MechanismRecord[mechanism_capacity]
  std::uint32_t mechanism_last_update_offset;  // 104 u64[(mechanism_capacity-1) * neuron_capacity]
  std::uint32_t mechanism_incentives_offset;   // 108 u16 columns (stride above)
  std::uint32_t reserved1[4];                  // 112
  // Line 2: which slot is current. Written by the writer on every publish.
  alignas(64) std::uint32_t state;  // 128 SegmentState
  std::uint32_t current_slot;       // 132 slot holding the newest complete snapshot
  std::uint64_t publish_count;      // 136 snapshots published this generation
  std::uint64_t reserved2[6];       // 144
  // Line 3: writer liveness, on its own line so heartbeats do not disturb readers of line 2.
  alignas(64) std::uint64_t heartbeat_ns;  // 192 CLOCK_MONOTONIC of the writer's last heartbeat
  std::uint64_t writer_pid;                // 200 informational only
  std::uint64_t reserved3[6];              // 208
};
static_assert(sizeof(SnapshotSegmentHeader) == 256);
static_assert(offsetof(SnapshotSegmentHeader, magic) == 0);
static_assert(offsetof(SnapshotSegmentHeader, abi_version) == 8);
static_assert(offsetof(SnapshotSegmentHeader, header_size) == 12);
static_assert(offsetof(SnapshotSegmentHeader, segment_size) == 16);
static_assert(offsetof(SnapshotSegmentHeader, generation) == 24);
static_assert(offsetof(SnapshotSegmentHeader, slot_count) == 32);
static_assert(offsetof(SnapshotSegmentHeader, slot_size) == 36);
static_assert(offsetof(SnapshotSegmentHeader, slots_offset) == 40);
static_assert(offsetof(SnapshotSegmentHeader, neuron_capacity) == 48);
static_assert(offsetof(SnapshotSegmentHeader, commitment_capacity) == 52);
static_assert(offsetof(SnapshotSegmentHeader, commitment_data_capacity) == 56);
static_assert(offsetof(SnapshotSegmentHeader, netuid) == 60);
static_assert(offsetof(SnapshotSegmentHeader, neuron_record_size) == 64);
static_assert(offsetof(SnapshotSegmentHeader, commitment_record_size) == 68);
static_assert(offsetof(SnapshotSegmentHeader, meta_offset) == 72);
static_assert(offsetof(SnapshotSegmentHeader, neurons_offset) == 76);
static_assert(offsetof(SnapshotSegmentHeader, hotkey_index_offset) == 80);
static_assert(offsetof(SnapshotSegmentHeader, commitments_offset) == 84);
static_assert(offsetof(SnapshotSegmentHeader, commitment_data_offset) == 88);
static_assert(offsetof(SnapshotSegmentHeader, mechanism_capacity) == 92);
static_assert(offsetof(SnapshotSegmentHeader, mechanism_record_size) == 96);
static_assert(offsetof(SnapshotSegmentHeader, mechanisms_offset) == 100);
static_assert(offsetof(SnapshotSegmentHeader, mechanism_last_update_offset) == 104);
static_assert(offsetof(SnapshotSegmentHeader, mechanism_incentives_offset) == 108);
static_assert(offsetof(SnapshotSegmentHeader, reserved1) == 112);
static_assert(offsetof(SnapshotSegmentHeader, state) == 128);
static_assert(offsetof(SnapshotSegmentHeader, current_slot) == 132);
static_assert(offsetof(SnapshotSegmentHeader, publish_count) == 136);
static_assert(offsetof(SnapshotSegmentHeader, heartbeat_ns) == 192);
static_assert(offsetof(SnapshotSegmentHeader, writer_pid) == 200);

// First 64 bytes of every slot: the slot's sequence word. Even = stable, odd = being written,
// 0 = never written. Alone on its line: it is the one word every reader polls.
struct SlotHeader {
  std::uint64_t seq;          // 0
  std::uint64_t reserved[7];  // 8
};
static_assert(sizeof(SlotHeader) == 64);

// The subnet hyperparameters, fixed-width. Wider fields first so there is no implicit padding.
struct Hyperparams {
  std::uint64_t min_difficulty;                // 0
  std::uint64_t max_difficulty;                // 8
  std::uint64_t weights_version;               // 16
  std::uint64_t weights_rate_limit;            // 24
  std::uint64_t min_burn;                      // 32  rao
  std::uint64_t max_burn;                      // 40  rao
  std::uint64_t bonds_moving_avg;              // 48
  std::uint64_t serving_rate_limit;            // 56
  std::uint64_t adjustment_alpha;              // 64
  std::uint64_t difficulty;                    // 72
  std::uint64_t commit_reveal_period;          // 80
  std::uint16_t rho;                           // 88
  std::uint16_t kappa;                         // 90
  std::uint16_t immunity_period;               // 92
  std::uint16_t min_allowed_weights;           // 94
  std::uint16_t max_weights_limit;             // 96
  std::uint16_t tempo;                         // 98
  std::uint16_t adjustment_interval;           // 100
  std::uint16_t activity_cutoff;               // 102
  std::uint16_t target_regs_per_interval;      // 104
  std::uint16_t max_regs_per_block;            // 106
  std::uint16_t max_validators;                // 108
  std::uint16_t alpha_high;                    // 110
  std::uint16_t alpha_low;                     // 112
  std::uint8_t registration_allowed;           // 114 0/1
  std::uint8_t commit_reveal_weights_enabled;  // 115 0/1
  std::uint8_t liquid_alpha_enabled;           // 116 0/1
  std::uint8_t reserved[11];                   // 117
};
static_assert(sizeof(Hyperparams) == 128);
static_assert(offsetof(Hyperparams, commit_reveal_period) == 80);
static_assert(offsetof(Hyperparams, rho) == 88);
static_assert(offsetof(Hyperparams, alpha_low) == 112);
static_assert(offsetof(Hyperparams, registration_allowed) == 114);
static_assert(offsetof(Hyperparams, liquid_alpha_enabled) == 116);

// Per-snapshot metadata at slot offset meta_offset.
struct SnapshotMeta {
  std::uint64_t block_number;          // 0
  std::uint64_t timestamp_ms;          // 8   block timestamp, unix milliseconds
  std::uint8_t block_hash[32];         // 16
  std::uint32_t neuron_count;          // 48  rows used in the neuron table (= uid count)
  std::uint32_t commitment_count;      // 52  rows used in the commitment table
  std::uint32_t commitment_data_size;  // 56  bytes used in the data area
  // The subnet's mechanisms at this block (1 on a runtime without them): records 0..count-1 of
  // the mechanism area are used. 0 when the daemon could not read them at this block (the node
  // refused the read): only mechanism 0, the neuron rows, is known.
  std::uint32_t mechanism_count;    // 60
  std::uint64_t published_unix_ns;  // 64  CLOCK_REALTIME when the daemon published it
  std::uint64_t reserved[7];        // 72
  Hyperparams hyperparams;          // 128
};
static_assert(sizeof(SnapshotMeta) == 256);
static_assert(offsetof(SnapshotMeta, timestamp_ms) == 8);
static_assert(offsetof(SnapshotMeta, block_hash) == 16);
static_assert(offsetof(SnapshotMeta, neuron_count) == 48);
static_assert(offsetof(SnapshotMeta, commitment_count) == 52);
static_assert(offsetof(SnapshotMeta, commitment_data_size) == 56);
static_assert(offsetof(SnapshotMeta, mechanism_count) == 60);
static_assert(offsetof(SnapshotMeta, published_unix_ns) == 64);
static_assert(offsetof(SnapshotMeta, hyperparams) == 128);

enum class IpType : std::uint8_t { none = 0, v4 = 4, v6 = 6 };

// One metagraph row; row i has uid i. Wide fields first, 136 bytes = 17 words, so a scan of one
// column walks a fixed stride and a row copy is whole words.
struct NeuronRecord {
  std::uint8_t hotkey[32];        // 0
  std::uint8_t coldkey[32];       // 32
  std::uint64_t stake;            // 64   rao
  std::uint64_t emission;         // 72   rao
  std::uint64_t last_update;      // 80   block
  std::uint8_t axon_ip[16];       // 88   v4: first 4 bytes (network order), v6: all 16
  std::uint32_t axon_version;     // 104
  std::uint16_t uid;              // 108
  std::uint16_t rank;             // 110  u16 fixed point (x / 65535)
  std::uint16_t trust;            // 112
  std::uint16_t validator_trust;  // 114
  std::uint16_t consensus;        // 116
  std::uint16_t incentive;        // 118
  std::uint16_t dividends;        // 120
  std::uint16_t pruning_score;    // 122
  std::uint16_t axon_port;        // 124
  std::uint8_t validator_permit;  // 126  0/1
  std::uint8_t active;            // 127  0/1
  std::uint8_t axon_ip_type;      // 128  IpType
  std::uint8_t axon_protocol;     // 129
  std::uint8_t reserved[6];       // 130
};
static_assert(sizeof(NeuronRecord) == 136);
static_assert(offsetof(NeuronRecord, coldkey) == 32);
static_assert(offsetof(NeuronRecord, stake) == 64);
static_assert(offsetof(NeuronRecord, emission) == 72);
static_assert(offsetof(NeuronRecord, last_update) == 80);
static_assert(offsetof(NeuronRecord, axon_ip) == 88);
static_assert(offsetof(NeuronRecord, axon_version) == 104);
static_assert(offsetof(NeuronRecord, uid) == 108);
static_assert(offsetof(NeuronRecord, rank) == 110);
static_assert(offsetof(NeuronRecord, trust) == 112);
static_assert(offsetof(NeuronRecord, validator_trust) == 114);
static_assert(offsetof(NeuronRecord, consensus) == 116);
static_assert(offsetof(NeuronRecord, incentive) == 118);
static_assert(offsetof(NeuronRecord, dividends) == 120);
static_assert(offsetof(NeuronRecord, pruning_score) == 122);
static_assert(offsetof(NeuronRecord, axon_port) == 124);
static_assert(offsetof(NeuronRecord, validator_permit) == 126);
static_assert(offsetof(NeuronRecord, active) == 127);
static_assert(offsetof(NeuronRecord, axon_ip_type) == 128);
static_assert(offsetof(NeuronRecord, axon_protocol) == 129);

// One commitment: its bytes live at data_offset (from the slot's data area) for data_len bytes.
struct CommitmentRecord {
  std::uint8_t hotkey[32];    // 0
  std::uint32_t data_offset;  // 32
  std::uint32_t data_len;     // 36  <= kMaxCommitmentBytes
  std::uint64_t block;        // 40  block the commitment was made at
  std::uint64_t reserved[2];  // 48
};
static_assert(sizeof(CommitmentRecord) == 64);
static_assert(offsetof(CommitmentRecord, data_offset) == 32);
static_assert(offsetof(CommitmentRecord, data_len) == 36);
static_assert(offsetof(CommitmentRecord, block) == 40);

// MechanismRecord::flags bits.
inline constexpr std::uint8_t kMechanismHasEmissionShare = 1;  // emission_share holds the split's part
inline constexpr std::uint8_t kMechanismHasFields = 2;         // the per-uid columns hold this block's values

// One mechanism of the subnet (record m of the slot's mechanism area is mechanism m). Mechanism
// 0's per-uid fields are the neuron rows' incentive and last_update; a mechanism m >= 1 has its
// own columns (SnapshotSegmentHeader), valid only with kMechanismHasFields: without it the daemon
// could not read them at this block (the runtime has no get_selective_mechagraph, or the node
// refused the call), and the columns hold nothing.
struct MechanismRecord {
  std::uint16_t emission_share;  // 0  its part of the subnet's emission, of 65535
  std::uint8_t flags;            // 2  kMechanismHas* bits
  std::uint8_t reserved[5];      // 3
};
static_assert(sizeof(MechanismRecord) == 8);
static_assert(offsetof(MechanismRecord, emission_share) == 0);
static_assert(offsetof(MechanismRecord, flags) == 2);
static_assert(offsetof(MechanismRecord, reserved) == 3);

// ---------------------------------------------------------------------------------------------
// Weight queue: two segments per queue (ABI kQueueAbiVersion).
//   queue segment  <name>      [QueueSegmentHeader][producer slot 0][producer slot 1]...
//                              mapped read-write by producers (group 0660): what producers write.
//   ack segment    <name>-ack  [AckSegmentHeader][AckSlot 0][AckSlot 1]...
//                              written only by the daemon, mapped read-only by producers (group
//                              0640): state, heartbeat, and every slot's drained/durable positions.
// A producer can therefore not retire the queue, nor move (fake) any producer's acknowledgement:
// the words that say "durable" are in a file it may only read. A producer slot is a
// single-producer/single-consumer ring owned through a lease.

// The queue ABI is versioned apart from the snapshot's (kAbiVersion): version 2 moved the daemon's
// words into the ack segment and added the doorbell; version 3 names the subnet's mechanism in
// every WeightEntry (byte 56, formerly reserved). Snapshot readers were not affected by either.
// A v2 producer would write 0 there and mean "mechanism 0" by accident, not by contract, so the
// version is bumped and an older client is refused by name instead.
inline constexpr std::uint32_t kQueueAbiVersion = 3;
// "PYLNWACK" as little-endian u64.
inline constexpr std::uint64_t kAckMagic = 0x4B4341574E4C5950ULL;

struct QueueSegmentHeader {
  // Line 0: identity and geometry, written once by the daemon before producers may map it.
  std::uint64_t magic;             // 0   kQueueMagic
  std::uint32_t abi_version;       // 8   kQueueAbiVersion
  std::uint32_t header_size;       // 12
  std::uint64_t segment_size;      // 16
  std::uint64_t generation;        // 24  equals the ack segment's generation
  std::uint32_t producer_slots;    // 32
  std::uint32_t ring_capacity;     // 36  entries per ring, power of two
  std::uint32_t entry_size;        // 40  sizeof(WeightEntry)
  std::uint32_t slot_stride;       // 44  bytes per producer slot (control + ring)
  std::uint64_t slots_offset;      // 48
  std::uint64_t lease_timeout_ms;  // 56  a lease not renewed for this long may be taken over
  // Line 1: written once too.
  std::uint32_t netuid;        // 64
  std::uint32_t reserved0;     // 68
  std::uint64_t reserved1[7];  // 72
  // Line 2: the doorbell, a futex word producers bump (then FUTEX_WAKE) when the ack segment's
  // writer_sleeping says the daemon waits on it. On its own line: it changes once per wake-up.
  alignas(64) std::uint32_t doorbell;  // 128
  std::uint32_t reserved2;             // 132
  std::uint64_t reserved3[7];          // 136
};
static_assert(sizeof(QueueSegmentHeader) == 192);
static_assert(offsetof(QueueSegmentHeader, magic) == 0);
static_assert(offsetof(QueueSegmentHeader, abi_version) == 8);
static_assert(offsetof(QueueSegmentHeader, header_size) == 12);
static_assert(offsetof(QueueSegmentHeader, segment_size) == 16);
static_assert(offsetof(QueueSegmentHeader, generation) == 24);
static_assert(offsetof(QueueSegmentHeader, producer_slots) == 32);
static_assert(offsetof(QueueSegmentHeader, ring_capacity) == 36);
static_assert(offsetof(QueueSegmentHeader, entry_size) == 40);
static_assert(offsetof(QueueSegmentHeader, slot_stride) == 44);
static_assert(offsetof(QueueSegmentHeader, slots_offset) == 48);
static_assert(offsetof(QueueSegmentHeader, lease_timeout_ms) == 56);
static_assert(offsetof(QueueSegmentHeader, netuid) == 64);
static_assert(offsetof(QueueSegmentHeader, doorbell) == 128);

struct AckSegmentHeader {
  // Line 0: identity and geometry.
  std::uint64_t magic;           // 0   kAckMagic
  std::uint32_t abi_version;     // 8   kQueueAbiVersion
  std::uint32_t header_size;     // 12
  std::uint64_t segment_size;    // 16
  std::uint64_t generation;      // 24  the queue segment this one belongs to
  std::uint32_t producer_slots;  // 32
  std::uint32_t slot_stride;     // 36  bytes per AckSlot
  std::uint64_t slots_offset;    // 40
  std::uint64_t reserved0[2];    // 48
  // Line 1: what every push reads: the queue's state and whether the daemon sleeps.
  alignas(64) std::uint32_t state;  // 64  SegmentState
  std::uint32_t writer_sleeping;    // 68  1 while the daemon waits on the doorbell
  std::uint64_t reserved1[7];       // 72
  // Line 2: daemon liveness.
  alignas(64) std::uint64_t heartbeat_ns;  // 128 daemon's CLOCK_MONOTONIC heartbeat
  std::uint64_t daemon_pid;                // 136 informational only
  std::uint64_t reserved2[6];              // 144
};
static_assert(sizeof(AckSegmentHeader) == 192);
static_assert(offsetof(AckSegmentHeader, magic) == 0);
static_assert(offsetof(AckSegmentHeader, abi_version) == 8);
static_assert(offsetof(AckSegmentHeader, header_size) == 12);
static_assert(offsetof(AckSegmentHeader, segment_size) == 16);
static_assert(offsetof(AckSegmentHeader, generation) == 24);
static_assert(offsetof(AckSegmentHeader, producer_slots) == 32);
static_assert(offsetof(AckSegmentHeader, slot_stride) == 36);
static_assert(offsetof(AckSegmentHeader, slots_offset) == 40);
static_assert(offsetof(AckSegmentHeader, state) == 64);
static_assert(offsetof(AckSegmentHeader, writer_sleeping) == 68);
static_assert(offsetof(AckSegmentHeader, heartbeat_ns) == 128);
static_assert(offsetof(AckSegmentHeader, daemon_pid) == 136);

// One producer slot's positions as the daemon publishes them, each on its own cache line.
struct AckSlot {
  alignas(64) std::uint64_t drained;  // 0   entries taken by the drain
  std::uint64_t reserved0[7];         // 8
  alignas(64) std::uint64_t durable;  // 64  entries committed by the weights store
  std::uint64_t reserved1[7];         // 72
};
static_assert(sizeof(AckSlot) == 128);
static_assert(offsetof(AckSlot, drained) == 0);
static_assert(offsetof(AckSlot, durable) == 64);

// Lease word: bit 63 held, bits 40..62 epoch (bumped on every claim), bits 0..39 the holder's
// last renewal in CLOCK_MONOTONIC milliseconds. One word, so claim/renew/release are single CASes
// and nobody can observe "held" without the matching renewal time.
inline constexpr std::uint64_t kLeaseHeldBit = 1ULL << 63;
inline constexpr unsigned kLeaseEpochShift = 40;
inline constexpr std::uint64_t kLeaseEpochMask = (1ULL << 23) - 1;
inline constexpr std::uint64_t kLeaseTimeMask = (1ULL << 40) - 1;

// Control block of one producer slot in the queue segment: the lease and the head, each on its
// own cache line (the daemon's drained/durable are in the ack segment's AckSlot).
struct ProducerSlotControl {
  alignas(64) std::uint64_t lease;  // 0   lease word (above)
  std::uint64_t owner_pid;          // 8   informational only; never trusted
  std::uint64_t reserved0[6];       // 16
  alignas(64) std::uint64_t head;   // 64  producer: entries published (next position)
  std::uint64_t reserved1[7];       // 72
};
static_assert(sizeof(ProducerSlotControl) == 128);
static_assert(offsetof(ProducerSlotControl, lease) == 0);
static_assert(offsetof(ProducerSlotControl, owner_pid) == 8);
static_assert(offsetof(ProducerSlotControl, head) == 64);

enum class WeightOp : std::uint8_t { set = 1, add = 2 };
enum class KeyKind : std::uint8_t { uid = 1, hotkey = 2 };

// One queued weight. The producer fills it, then writes stamp = position + 1, then publishes by
// advancing head; the daemon rejects an entry whose stamp is not its position + 1.
struct WeightEntry {
  std::uint64_t stamp;        // 0
  double weight;              // 8   IEEE-754 binary64
  std::uint8_t hotkey[32];    // 16  used when key_kind == hotkey
  std::uint16_t uid;          // 48  used when key_kind == uid
  std::uint8_t key_kind;      // 50  KeyKind
  std::uint8_t op;            // 51  WeightOp
  std::uint32_t lease_epoch;  // 52  epoch of the lease the producer held
  std::uint8_t mechanism;     // 56  the subnet's mechanism (sub-subnet) the weight is for; 0 first
  std::uint8_t reserved[7];   // 57  written as 0
};
static_assert(sizeof(WeightEntry) == 64);
static_assert(offsetof(WeightEntry, stamp) == 0);
static_assert(offsetof(WeightEntry, weight) == 8);
static_assert(offsetof(WeightEntry, hotkey) == 16);
static_assert(offsetof(WeightEntry, uid) == 48);
static_assert(offsetof(WeightEntry, key_kind) == 50);
static_assert(offsetof(WeightEntry, op) == 51);
static_assert(offsetof(WeightEntry, lease_epoch) == 52);
static_assert(offsetof(WeightEntry, mechanism) == 56);
static_assert(offsetof(WeightEntry, reserved) == 57);

static_assert(std::is_trivially_copyable_v<SnapshotSegmentHeader> &&
              std::is_trivially_copyable_v<SlotHeader> && std::is_trivially_copyable_v<Hyperparams> &&
              std::is_trivially_copyable_v<SnapshotMeta> && std::is_trivially_copyable_v<NeuronRecord> &&
              std::is_trivially_copyable_v<CommitmentRecord> &&
              std::is_trivially_copyable_v<MechanismRecord> &&
              std::is_trivially_copyable_v<QueueSegmentHeader> &&
              std::is_trivially_copyable_v<AckSegmentHeader> && std::is_trivially_copyable_v<AckSlot> &&
              std::is_trivially_copyable_v<ProducerSlotControl> && std::is_trivially_copyable_v<WeightEntry>);
static_assert(std::is_standard_layout_v<SnapshotSegmentHeader> &&
              std::is_standard_layout_v<QueueSegmentHeader> && std::is_standard_layout_v<AckSegmentHeader> &&
              std::is_standard_layout_v<AckSlot> && std::is_standard_layout_v<ProducerSlotControl> &&
              std::is_standard_layout_v<NeuronRecord>);
static_assert(sizeof(double) == 8 && sizeof(std::uint64_t) == 8);

constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) noexcept {
  return (v + a - 1) / a * a;
}

}  // namespace pylon::shm
