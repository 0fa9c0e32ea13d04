// Typed access to a subtensor node over JSON-RPC: blocks, runtime versions, metadata (resolved
// for the block at hand, cached per spec version so a runtime upgrade reloads it before anything
// is decoded with it), runtime API calls, storage, nonces, and extrinsic submission watched to
// inclusion/finality with the outcome read from the block's events. Blocks older than the archive
// cutoff go to the archive endpoint when one is configured.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "chain/events.hpp"
#include "chain/read_ahead.hpp"
#include "codec/metadata.hpp"
#include "codec/ss58.hpp"
#include "common/ids.hpp"
#include "common/sync.hpp"
#include "net/rpc_client.hpp"  // what callers build the client from
#include "net/rpc_transport.hpp"

namespace pylon::chain {

// What kind of failure a ChainClient error is (`error.kind_of<ChainErrc>()`). Failures of the
// connection itself keep net::RpcErrc (a node's JSON-RPC error, a timeout, a lost connection).
enum class ChainErrc {
  kBadAnswer = 1,  // the node answered, but not what the method returns (shape, types, hex, sizes)
  kUnknownBlock,   // the node has no such block
  kNotInBlock,     // outcome_in_block: the extrinsic is not among the block's extrinsics
  kBadState,       // storage or events the metadata cannot account for
};

struct Header {
  BlockHash hash{};
  BlockHash parent{};
  std::uint64_t number = 0;
};

struct RuntimeVersion {
  std::string spec_name;
  std::uint32_t spec_version = 0;
  std::uint32_t transaction_version = 0;
};

// A block both by hash and number (the number routes archive reads).
struct BlockRef {
  BlockHash hash{};
  std::uint64_t number = 0;
};

struct TxOutcome {
  enum class Status { Included, Finalized, Invalid, Dropped, Usurped, TimedOut } status = Status::TimedOut;
  BlockHash block{};     // the block it landed in (Included/Finalized)
  bool success = false;  // ExtrinsicSuccess in that block
  std::string
      error;  // the dispatch error by name ("SubtensorModule.CommitRevealEnabled"), or why not included
  DispatchError dispatch_error;  // the dispatch error, structured, for programs (Included/Finalized)
  std::uint32_t extrinsic_index = 0;
  std::vector<ExtrinsicEvent> events;  // what the extrinsic emitted (Included/Finalized)
};

struct ChainClientOptions {
  std::uint64_t archive_cutoff = 300;  // blocks behind the finalized head that go to the archive
};

class ChainClient {
 public:
  // `archive` may be null. Both clients must outlive this one.
  // `rpc` is the node's JSON-RPC connection (net::RpcClient in production).
  ChainClient(net::RpcTransport& rpc, net::RpcTransport* archive = nullptr, ChainClientOptions options = {});
  ~ChainClient();  // ends watch_runtime's subscription and thread
  ChainClient(const ChainClient&) = delete;
  ChainClient& operator=(const ChainClient&) = delete;

  Result<BlockHash> genesis_hash();
  Result<std::optional<BlockHash>> block_hash(std::uint64_t number);
  Result<BlockHash> finalized_head();
  // The best (newest, not necessarily final) block's hash.
  Result<BlockHash> best_hash();
  Result<Header> header(const BlockHash& at);
  Result<RuntimeVersion> runtime_version(const BlockHash& at);
  Result<std::shared_ptr<const codec::Metadata>> metadata(const BlockHash& at);
  Result<std::shared_ptr<const codec::Metadata>> metadata_for(const RuntimeVersion& v, const BlockHash& at);
  // The same, routed like every other state read: a pruned node has discarded the state of old
  // blocks ("State already discarded"), runtime version and metadata included, so for blocks past
  // the archive cutoff these ask the archive. Prefer them wherever the block number is known.
  Result<RuntimeVersion> runtime_version(const BlockRef& at);
  Result<std::shared_ptr<const codec::Metadata>> metadata(const BlockRef& at);
  Result<std::shared_ptr<const codec::Metadata>> metadata_for(const RuntimeVersion& v, const BlockRef& at);
  // Milliseconds since the epoch (Timestamp.Now).
  Result<std::uint64_t> timestamp(const BlockRef& at);

  // The encoded extrinsics of a block's body (chain_getBlock), each with its compact length
  // prefix, in block order; nullopt when the node has no such block. Routed like state reads: a
  // block past the archive cutoff is read from the archive.
  Result<std::optional<std::vector<Bytes>>> block_extrinsics(const BlockRef& at);

  // Runtime API call; the answer's raw bytes.
  Result<Bytes> state_call(std::string_view method, ByteSpan args, const BlockRef& at);
  // nullopt when the key holds nothing.
  Result<std::optional<Bytes>> storage(ByteSpan key, const BlockRef& at);
  // Every (key, value) under a prefix, paged through state_getKeysPaged + state_queryStorageAt.
  Result<std::vector<std::pair<Bytes, Bytes>>> storage_by_prefix(ByteSpan prefix, const BlockRef& at,
                                                                 std::uint32_t page_size = 512);
  Result<std::uint64_t> account_nonce(const AccountId& account);

  // Submits and watches until included (or finalized when asked), then reads the block's events.
  // `on_accepted` (optional) runs on the calling thread as soon as the node has taken the
  // extrinsic into its pool (author_submitAndWatchExtrinsic answered with a subscription; a
  // refusal, such as a stale nonce, is an error instead), before inclusion is awaited.
  Result<TxOutcome> submit_and_watch(ByteSpan extrinsic, std::chrono::milliseconds timeout,
                                     bool wait_finalized, const std::function<void()>& on_accepted = {});
  // The outcome of the extrinsic with this hash in that block, from System.Events.
  Result<TxOutcome> outcome_in_block(const BlockHash& block, ByteSpan extrinsic);

  // For chains that make blocks on request (the local chain): submits, asks for one block
  // (dev_newBlock) and reads the outcome from it.
  Result<TxOutcome> submit_and_seal(ByteSpan extrinsic);
  // The same for several extrinsics sealed in one block (one block instead of one each: the local
  // chain takes ~1 s a block); the outcomes in the order given. An extrinsic the block lacks (the
  // pool refused or deferred it) is an error of kind kNotInBlock.
  Result<std::vector<TxOutcome>> submit_all_and_seal(std::span<const Bytes> extrinsics);

  // Runtime upgrades as the node announces them (state_subscribeRuntimeVersion: the best block's
  // runtime, sent at once and again whenever it changes). Decoding does not depend on it: every
  // snapshot reads the runtime version of its own block and decodes with that spec's metadata, as
  // the announcement speaks of the best block, not of the block being decoded, and may come late
  // or be lost with a connection. What it adds: a new spec's metadata is fetched in the
  // background as soon as the upgrade is imported, blocks before it is finalized, so the first
  // snapshot of the new runtime does not wait for the download; the upgrade is logged; and
  // announced_runtime() tells which version the node checks new transactions against (the best
  // block's). `on_runtime` (optional) hears each announcement, on the network thread.
  Status watch_runtime(std::function<void(const RuntimeVersion&)> on_runtime = {});
  // The version last announced (nullopt before watch_runtime's first notification).
  std::optional<RuntimeVersion> announced_runtime();
  // Whether the metadata of this spec is cached (read for a block, or prefetched).
  bool has_metadata_for(std::uint32_t spec_version);

  // Reading ahead (read_ahead.hpp). While a Recording lives, the block-bound requests its thread
  // makes through this client at its block (state reads on the main endpoint) are recorded into
  // its pattern, which starts empty. One Recording per thread at a time; it cannot move.
  class Recording {
   public:
    ~Recording();
    Recording(const Recording&) = delete;
    Recording& operator=(const Recording&) = delete;

   private:
    friend class ChainClient;
    Recording(ChainClient& client, ReadPattern& into, std::string hash_hex);
    ChainClient& client_;
    ReadPattern& into_;
    std::string hash_hex_;
    Recording* outer_;  // the thread's Recording before this one (of another client), restored after
  };
  [[nodiscard]] Recording record_reads(ReadPattern& into, const BlockRef& at);
  // Sends the requests of every pattern at `at` at once and keeps their answers until a read asks
  // the same request (each answer is served once). Answers an earlier read_ahead kept and nobody
  // asked are dropped first. Does nothing for blocks whose reads go to the archive. Returns how many
  // answers now wait.
  std::size_t read_ahead(std::span<const ReadPattern* const> patterns, const BlockRef& at);
  // Drops every waiting answer (the builds they were for are done).
  void drop_read_ahead();

  // Remembers the newest finalized block number (for routing to the archive).
  void note_finalized(std::uint64_t number);
  // Whether reads at this block go to the archive endpoint: one is configured and the block is
  // more than archive_cutoff blocks behind the newest finalized block noted. Block lookups by
  // number or hash (headers, bodies) always go to the main endpoint: nodes keep every block, only
  // old state is pruned.
  bool routes_to_archive(const BlockRef& at);

 private:
  net::RpcTransport& route(const BlockRef& at);
  Result<std::string> call(net::RpcTransport& c, const std::string& method, const std::string& params);
  // read_ahead.cpp: records a request into this thread's Recording; takes a waiting answer.
  void note_read(const std::string& method, const std::string& params);
  std::optional<std::string> take_ahead(const std::string& method, const std::string& params);
  Result<std::shared_ptr<const codec::Metadata>> fetch_metadata(const BlockHash& at);
  Result<std::shared_ptr<const codec::Metadata>> fetch_metadata(net::RpcTransport& c, const BlockHash& at);
  Result<RuntimeVersion> runtime_version(net::RpcTransport& c, const BlockHash& at);
  std::shared_ptr<const codec::Metadata> cached_metadata(std::uint32_t spec);
  void remember_metadata(std::uint32_t spec, std::shared_ptr<const codec::Metadata> md);

  struct RuntimeWatch;  // runtime_watch.cpp
  void prefetch_metadata(std::uint32_t spec);

  net::RpcTransport& rpc_;
  net::RpcTransport* archive_;
  ChainClientOptions options_;
  Mutex mu_;
  std::map<std::uint32_t, std::shared_ptr<const codec::Metadata>> metadata_by_spec_ PYLON_GUARDED_BY(mu_);
  std::optional<BlockHash> genesis_ PYLON_GUARDED_BY(mu_);
  std::uint64_t finalized_number_ PYLON_GUARDED_BY(mu_) = 0;
  // The runtime versions of the last blocks asked about: a block's runtime never changes, and
  // every followed subnet's build, its epoch and the committer ask for the same block's, so a
  // block costs one state_getRuntimeVersion however many ask. Replaced round robin.
  std::array<std::optional<std::pair<BlockHash, RuntimeVersion>>, 8> versions_by_block_
      PYLON_GUARDED_BY(mu_){};
  std::size_t next_version_slot_ PYLON_GUARDED_BY(mu_) = 0;
  std::shared_ptr<RuntimeWatch> watch_;  // set by watch_runtime
  // read_ahead's answers, keyed by method and parameters (read_ahead.cpp's ahead_key).
  std::unordered_map<std::string, std::string> ahead_ PYLON_GUARDED_BY(mu_);
};

// A runtime version object as state_getRuntimeVersion and its subscription return it.
Result<RuntimeVersion> parse_runtime_version(std::string_view json);

std::string hash_hex(const BlockHash& h);
Result<BlockHash> parse_hash(std::string_view hex);

}  // namespace pylon::chain
