#include "chain/chain_client.hpp"

#include <simdjson.h>

#include <condition_variable>

#include "chain/events.hpp"
#include "chain/extrinsic_status.hpp"
#include "chain/storage_key.hpp"
#include "codec/scale_writer.hpp"
#include "common/json_writer.hpp"
#include "keys/hash.hpp"

namespace pylon::chain {

std::string hash_hex(const BlockHash& h) {
  return to_hex(h);
}

Result<BlockHash> parse_hash(std::string_view hex) {
  PYLON_ASSIGN(Bytes b, from_hex(hex));
  if (b.size() != 32)
    return make_error("expected a 32-byte hash, got " + std::to_string(b.size()) + " bytes");
  BlockHash h;
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

namespace {

// A request's params: a JSON array written by the JSON writer, so every string is escaped and the
// text is valid JSON whatever the values hold.
class Params {
 public:
  Params() { w_.begin_array(); }
  Params& string(std::string_view s) {
    w_.string(s);
    return *this;
  }
  Params& hex(ByteSpan b) { return string(to_hex(b)); }
  Params& hash(const BlockHash& h) { return string(hash_hex(h)); }
  Params& number(std::uint64_t n) {
    w_.number(n);
    return *this;
  }
  Params& null() {
    w_.null();
    return *this;
  }
  // Writes into the array directly (nested arrays and objects).
  JsonWriter& writer() { return w_; }
  std::string json() {
    w_.end_array();
    return w_.take();
  }

 private:
  JsonWriter w_;
};

// Parses an RPC result (raw JSON text) and hands its root to `fn`.
// Whatever goes wrong while reading the answer, short of a kind of its own (kNotInBlock, ...), is
// an answer that does not fit: kBadAnswer.
template <class F>
auto with_json(const std::string& method, const std::string& text, F&& fn)
    -> decltype(fn(simdjson::dom::element{})) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(text).get(doc); err != simdjson::SUCCESS)
    return make_error(ChainErrc::kBadAnswer,
                      method + ": the node's answer is not JSON (" + simdjson::error_message(err) + ")");
  auto r = fn(doc);
  if (!r.ok() && r.error().domain == nullptr)
    r.error() = make_error(ChainErrc::kBadAnswer, r.error().message);
  return r;
}

Result<std::string> json_string(const std::string& method, simdjson::dom::element e) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS)
    return make_error(method + ": expected a string in the answer");
  return std::string(s);
}

// A block hash in the answer: a "0x…" string of 32 bytes.
Result<BlockHash> json_hash(const std::string& method, simdjson::dom::element e) {
  PYLON_ASSIGN(std::string s, json_string(method, e));
  return parse_hash(s);
}

// The bytes of a node's hex answer (state_call and state_getStorage results, hundreds of KB a block
// per subnet) decoded straight from the answer text when it is a quoted string of hex digits,
// instead of parsing it as a document and copying the string out first. Digits and the "0x"
// prefix need no escaping, so a text that decodes here is that JSON string exactly. nullopt for
// anything else (null, escapes, other JSON, surrounding space, digits that are not hex): the full
// parser then reads it and reports what is wrong, as before.
std::optional<Bytes> quoted_hex(std::string_view text) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return std::nullopt;
  auto b = from_hex(text.substr(1, text.size() - 2));
  if (!b.ok()) return std::nullopt;
  return std::move(b).value();
}

Result<std::uint64_t> json_number(const std::string& method, simdjson::dom::element e) {
  std::uint64_t v;
  if (e.get_uint64().get(v) == simdjson::SUCCESS) return v;
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) {  // "0x…" numbers in headers
    auto x = parse_hex_u64(s);
    if (!x.ok()) return make_error(method + ": bad hex number in the answer: " + x.error().message);
    return *x;
  }
  return make_error(method + ": expected a number in the answer");
}

}  // namespace

ChainClient::ChainClient(net::RpcTransport& rpc, net::RpcTransport* archive, ChainClientOptions options)
    : rpc_(rpc), archive_(archive), options_(options) {}

Result<std::string> ChainClient::call(net::RpcTransport& c, const std::string& method,
                                      const std::string& params) {
  if (&c == &rpc_) {
    note_read(method, params);
    if (auto waiting = take_ahead(method, params)) return std::move(*waiting);
  }
  return c.call(method, params);
}

net::RpcTransport& ChainClient::route(const BlockRef& at) {
  return routes_to_archive(at) ? *archive_ : rpc_;
}

bool ChainClient::routes_to_archive(const BlockRef& at) {
  Lock lock(mu_);
  return archive_ && finalized_number_ > at.number && finalized_number_ - at.number > options_.archive_cutoff;
}

void ChainClient::note_finalized(std::uint64_t number) {
  Lock lock(mu_);
  finalized_number_ = std::max(finalized_number_, number);
}

Result<std::optional<BlockHash>> ChainClient::block_hash(std::uint64_t number) {
  const std::string m = "chain_getBlockHash";
  PYLON_ASSIGN(std::string text, call(rpc_, m, Params().number(number).json()));
  return with_json(m, text, [&](simdjson::dom::element e) -> Result<std::optional<BlockHash>> {
    if (e.is_null()) return std::optional<BlockHash>{};
    PYLON_ASSIGN(BlockHash h, json_hash(m, e));
    return std::optional<BlockHash>{h};
  });
}

Result<BlockHash> ChainClient::genesis_hash() {
  {
    Lock lock(mu_);
    if (genesis_) return *genesis_;
  }
  PYLON_ASSIGN(std::optional<BlockHash> h, block_hash(0));
  if (!h) return make_error(ChainErrc::kUnknownBlock, "chain_getBlockHash(0): the node has no genesis block");
  Lock lock(mu_);
  genesis_ = *h;
  return *h;
}

Result<BlockHash> ChainClient::finalized_head() {
  const std::string m = "chain_getFinalizedHead";
  PYLON_ASSIGN(std::string text, call(rpc_, m, Params().json()));
  return with_json(m, text, [&](simdjson::dom::element e) { return json_hash(m, e); });
}

Result<BlockHash> ChainClient::best_hash() {
  const std::string m = "chain_getBlockHash";
  PYLON_ASSIGN(std::string text, call(rpc_, m, Params().json()));
  return with_json(m, text, [&](simdjson::dom::element e) { return json_hash(m, e); });
}

Result<Header> ChainClient::header(const BlockHash& at) {
  const std::string m = "chain_getHeader";
  PYLON_ASSIGN(std::string text, call(rpc_, m, Params().hash(at).json()));
  return with_json(m, text, [&](simdjson::dom::element e) -> Result<Header> {
    if (e.is_null()) return make_error(ChainErrc::kUnknownBlock, m + ": unknown block " + hash_hex(at));
    // Every field is looked up through a checked accessor: a node may answer anything, and a
    // missing member or a non-object must be an error, never a read of an invalid element.
    simdjson::dom::element parent_e, number_e;
    if (e["parentHash"].get(parent_e) != simdjson::SUCCESS || e["number"].get(number_e) != simdjson::SUCCESS)
      return make_error(m + ": the header lacks parentHash or number");
    Header h;
    h.hash = at;
    PYLON_ASSIGN(std::string parent, json_string(m, parent_e));
    auto parent_hash = parse_hash(parent);
    if (!parent_hash.ok()) return with_context(m + ": parentHash", std::move(parent_hash).error());
    h.parent = *parent_hash;
    PYLON_ASSIGN(h.number, json_number(m, number_e));
    return h;
  });
}

Result<RuntimeVersion> ChainClient::runtime_version(const BlockHash& at) {
  return runtime_version(BlockRef{at, UINT64_MAX});  // a number past any cutoff: the main endpoint
}

// The public reads go through the per-block copy; the runtime watch's prefetch asks the node
// afresh (runtime_version(c, at)), as it looks at whatever the node reports for its best block now.
Result<RuntimeVersion> ChainClient::runtime_version(const BlockRef& at) {
  {
    Lock lock(mu_);
    for (const auto& known : versions_by_block_)
      if (known && known->first == at.hash) return known->second;
  }
  PYLON_ASSIGN(RuntimeVersion v, runtime_version(route(at), at.hash));
  Lock lock(mu_);
  versions_by_block_[next_version_slot_].emplace(at.hash, v);
  next_version_slot_ = (next_version_slot_ + 1) % versions_by_block_.size();
  return v;
}

Result<RuntimeVersion> ChainClient::runtime_version(net::RpcTransport& c, const BlockHash& at) {
  const std::string m = "state_getRuntimeVersion";
  PYLON_ASSIGN(std::string text, call(c, m, Params().hash(at).json()));
  auto v = parse_runtime_version(text);
  if (!v.ok()) return with_context(m, std::move(v).error());
  return v;
}

Result<RuntimeVersion> parse_runtime_version(std::string_view json) {
  // simdjson copies the text first: a view without data (nullptr, 0) must not reach memcpy.
  if (json.empty()) return make_error(ChainErrc::kBadAnswer, "the runtime version is empty");
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (auto err = parser.parse(json.data(), json.size()).get(e); err != simdjson::SUCCESS)
    return make_error(ChainErrc::kBadAnswer,
                      std::string("the runtime version is not JSON (") + simdjson::error_message(err) + ")");
  RuntimeVersion v;
  std::uint64_t spec, tx;
  std::string_view name;
  if (e["specVersion"].get_uint64().get(spec) || e["transactionVersion"].get_uint64().get(tx) ||
      e["specName"].get_string().get(name))
    return make_error(ChainErrc::kBadAnswer,
                      "the runtime version lacks specName/specVersion/transactionVersion");
  if (spec > UINT32_MAX || tx > UINT32_MAX)
    return make_error(ChainErrc::kBadAnswer, "runtime version out of range");
  v.spec_name = std::string(name);
  v.spec_version = static_cast<std::uint32_t>(spec);
  v.transaction_version = static_cast<std::uint32_t>(tx);
  return v;
}

Result<std::shared_ptr<const codec::Metadata>> ChainClient::fetch_metadata(const BlockHash& at) {
  return fetch_metadata(rpc_, at);
}

Result<std::shared_ptr<const codec::Metadata>> ChainClient::fetch_metadata(net::RpcTransport& c,
                                                                           const BlockHash& at) {
  // V15 through the runtime API (it carries the runtime APIs' types); V14 from state_getMetadata
  // on runtimes that do not offer V15.
  const Bytes v15{0x0f, 0, 0, 0};
  auto text = call(c, "state_call", Params().string("Metadata_metadata_at_version").hex(v15).hash(at).json());
  if (text.ok()) {
    auto r = with_json("state_call", *text,
                       [&](simdjson::dom::element e) -> Result<std::shared_ptr<const codec::Metadata>> {
                         PYLON_ASSIGN(std::string s, json_string("Metadata_metadata_at_version", e));
                         PYLON_ASSIGN(Bytes b, from_hex(s));
                         PYLON_ASSIGN(Bytes raw, codec::unwrap_metadata_bytes(b));
                         return codec::parse_metadata(raw);
                       });
    if (r.ok()) return r;
  }
  PYLON_ASSIGN(std::string legacy, call(c, "state_getMetadata", Params().hash(at).json()));
  return with_json("state_getMetadata", legacy,
                   [&](simdjson::dom::element e) -> Result<std::shared_ptr<const codec::Metadata>> {
                     PYLON_ASSIGN(std::string s, json_string("state_getMetadata", e));
                     PYLON_ASSIGN(Bytes b, from_hex(s));
                     PYLON_ASSIGN(Bytes raw, codec::unwrap_metadata_bytes(b));
                     return codec::parse_metadata(raw);
                   });
}

Result<std::shared_ptr<const codec::Metadata>> ChainClient::metadata_for(const RuntimeVersion& v,
                                                                         const BlockHash& at) {
  return metadata_for(v, BlockRef{at, UINT64_MAX});  // a number past any cutoff: the main endpoint
}

Result<std::shared_ptr<const codec::Metadata>> ChainClient::metadata_for(const RuntimeVersion& v,
                                                                         const BlockRef& at) {
  if (auto cached = cached_metadata(v.spec_version)) return cached;
  PYLON_ASSIGN(auto md, fetch_metadata(route(at), at.hash));
  remember_metadata(v.spec_version, md);
  return md;
}

std::shared_ptr<const codec::Metadata> ChainClient::cached_metadata(std::uint32_t spec) {
  Lock lock(mu_);
  auto it = metadata_by_spec_.find(spec);
  return it == metadata_by_spec_.end() ? nullptr : it->second;
}

void ChainClient::remember_metadata(std::uint32_t spec, std::shared_ptr<const codec::Metadata> md) {
  Lock lock(mu_);
  metadata_by_spec_[spec] = std::move(md);
  // Keep only the newest few runtimes: old ones are only needed for old blocks.
  while (metadata_by_spec_.size() > 4) metadata_by_spec_.erase(metadata_by_spec_.begin());
}

Result<std::shared_ptr<const codec::Metadata>> ChainClient::metadata(const BlockHash& at) {
  PYLON_ASSIGN(RuntimeVersion v, runtime_version(at));
  return metadata_for(v, at);
}

Result<std::shared_ptr<const codec::Metadata>> ChainClient::metadata(const BlockRef& at) {
  PYLON_ASSIGN(RuntimeVersion v, runtime_version(at));
  return metadata_for(v, at);
}

Result<Bytes> ChainClient::state_call(std::string_view method, ByteSpan args, const BlockRef& at) {
  const std::string m = "state_call";
  PYLON_ASSIGN(std::string text, call(route(at), m, Params().string(method).hex(args).hash(at.hash).json()));
  if (auto bytes = quoted_hex(text)) return std::move(*bytes);
  return with_json(m, text, [&](simdjson::dom::element e) -> Result<Bytes> {
    PYLON_ASSIGN(std::string s, json_string(std::string(method), e));
    return from_hex(s);
  });
}

Result<std::optional<Bytes>> ChainClient::storage(ByteSpan key, const BlockRef& at) {
  const std::string m = "state_getStorage";
  PYLON_ASSIGN(std::string text, call(route(at), m, Params().hex(key).hash(at.hash).json()));
  if (auto bytes = quoted_hex(text)) return bytes;
  return with_json(m, text, [&](simdjson::dom::element e) -> Result<std::optional<Bytes>> {
    if (e.is_null()) return std::optional<Bytes>{};
    PYLON_ASSIGN(std::string s, json_string(m, e));
    PYLON_ASSIGN(Bytes b, from_hex(s));
    return std::optional<Bytes>{std::move(b)};
  });
}

Result<std::vector<std::pair<Bytes, Bytes>>> ChainClient::storage_by_prefix(ByteSpan prefix,
                                                                            const BlockRef& at,
                                                                            std::uint32_t page_size) {
  std::vector<std::pair<Bytes, Bytes>> out;
  std::string start;
  net::RpcTransport& c = route(at);
  for (int pages = 0; pages < 100000; ++pages) {
    Params params;
    params.hex(prefix).number(page_size);
    if (start.empty())
      params.null();
    else
      params.string(start);
    PYLON_ASSIGN(std::string text, call(c, "state_getKeysPaged", params.hash(at.hash).json()));
    std::vector<std::string> keys;
    PYLON_TRY(with_json("state_getKeysPaged", text, [&](simdjson::dom::element e) -> Status {
      simdjson::dom::array arr;
      if (e.get_array().get(arr)) return make_error("state_getKeysPaged: expected an array of keys");
      for (auto k : arr) {
        PYLON_ASSIGN(std::string s, json_string("state_getKeysPaged", k));
        keys.push_back(std::move(s));
      }
      return {};
    }));
    if (keys.empty()) break;
    if (!start.empty()) {
      // Keys come in order, each page after the last one's final key: a page that does not move
      // past it would have the node asked for the same keys again and again.
      auto last = from_hex(keys.back());
      auto previous = from_hex(start);
      if (last.ok() && previous.ok() && *last <= *previous)
        return make_error(ChainErrc::kBadAnswer,
                          "state_getKeysPaged: a page does not move past the previous one");
    }
    Params query;
    query.writer().begin_array();
    for (const auto& k : keys) query.writer().string(k);
    query.writer().end_array();
    PYLON_ASSIGN(std::string values, call(c, "state_queryStorageAt", query.hash(at.hash).json()));
    PYLON_TRY(with_json("state_queryStorageAt", values, [&](simdjson::dom::element e) -> Status {
      simdjson::dom::array sets;
      if (e.get_array().get(sets)) return make_error("state_queryStorageAt: expected an array");
      for (auto set : sets) {
        simdjson::dom::array changes;
        if (set["changes"].get_array().get(changes))
          return make_error("state_queryStorageAt: a change set lacks changes");
        for (auto ch : changes) {
          simdjson::dom::array pair;
          if (ch.get_array().get(pair) || pair.size() != 2)
            return make_error("state_queryStorageAt: a change is not [key, value]");
          simdjson::dom::element key_e, value_e;
          if (pair.at(0).get(key_e) != simdjson::SUCCESS || pair.at(1).get(value_e) != simdjson::SUCCESS)
            return make_error("state_queryStorageAt: a change is not [key, value]");
          PYLON_ASSIGN(std::string k, json_string("state_queryStorageAt", key_e));
          if (value_e.is_null()) continue;  // removed meanwhile
          PYLON_ASSIGN(std::string v, json_string("state_queryStorageAt", value_e));
          PYLON_ASSIGN(Bytes kb, from_hex(k));
          PYLON_ASSIGN(Bytes vb, from_hex(v));
          out.emplace_back(std::move(kb), std::move(vb));
        }
      }
      return {};
    }));
    if (keys.size() < page_size) break;
    start = keys.back();
  }
  return out;
}

Result<std::uint64_t> ChainClient::account_nonce(const AccountId& account) {
  const std::string m = "system_accountNextIndex";
  PYLON_ASSIGN(std::string text, call(rpc_, m, Params().string(codec::ss58_encode(account)).json()));
  return with_json(m, text, [&](simdjson::dom::element e) { return json_number(m, e); });
}

Result<std::uint64_t> ChainClient::timestamp(const BlockRef& at) {
  PYLON_ASSIGN(auto md, metadata(at));
  PYLON_ASSIGN(Bytes key, storage_key(*md, "Timestamp", "Now", {}));
  PYLON_ASSIGN(std::optional<Bytes> v, storage(key, at));
  if (!v) return std::uint64_t{0};
  if (v->size() != 8)
    return make_error(ChainErrc::kBadState,
                      "Timestamp.Now holds " + std::to_string(v->size()) + " bytes, not a u64");
  std::uint64_t ms = 0;
  for (std::size_t i = 8; i-- > 0;) ms = ms << 8 | (*v)[i];
  return ms;
}

Result<std::optional<std::vector<Bytes>>> ChainClient::block_extrinsics(const BlockRef& at) {
  const std::string m = "chain_getBlock";
  PYLON_ASSIGN(std::string text, call(route(at), m, Params().hash(at.hash).json()));
  return with_json(m, text, [&](simdjson::dom::element e) -> Result<std::optional<std::vector<Bytes>>> {
    if (e.is_null()) return std::optional<std::vector<Bytes>>{};
    simdjson::dom::array xs;
    if (e["block"]["extrinsics"].get_array().get(xs)) return make_error(m + ": the block lacks extrinsics");
    std::vector<Bytes> out;
    for (auto x : xs) {
      std::string_view s;
      if (x.get_string().get(s)) return make_error(m + ": an extrinsic is not a hex string");
      auto b = from_hex(s);
      if (!b.ok()) return make_error(m + ": an extrinsic is not hex: " + b.error().message);
      out.push_back(std::move(*b));
    }
    return std::optional<std::vector<Bytes>>{std::move(out)};
  });
}

Result<TxOutcome> ChainClient::outcome_in_block(const BlockHash& block, ByteSpan extrinsic) {
  const std::string m = "chain_getBlock";
  PYLON_ASSIGN(std::string text, call(rpc_, m, Params().hash(block).json()));
  const std::string want = to_hex(extrinsic);
  PYLON_ASSIGN(
      std::uint32_t index, with_json(m, text, [&](simdjson::dom::element e) -> Result<std::uint32_t> {
        simdjson::dom::array xs;
        if (e["block"]["extrinsics"].get_array().get(xs))
          return make_error(m + ": the block lacks extrinsics");
        std::uint32_t i = 0;
        for (auto x : xs) {
          std::string_view s;
          if (x.get_string().get(s) == simdjson::SUCCESS && s == want) return i;
          ++i;
        }
        return make_error(ChainErrc::kNotInBlock, m + ": the extrinsic is not in block " + hash_hex(block));
      }));
  PYLON_ASSIGN(auto md, metadata(block));
  PYLON_ASSIGN(Bytes key, storage_key(*md, "System", "Events", {}));
  PYLON_ASSIGN(Header h, header(block));
  PYLON_ASSIGN(std::optional<Bytes> events, storage(key, BlockRef{block, h.number}));
  if (!events) return make_error(ChainErrc::kBadState, "System.Events is empty in block " + hash_hex(block));
  PYLON_ASSIGN(ExtrinsicResult r, extrinsic_result(*md, *events, index));
  TxOutcome o;
  o.status = TxOutcome::Status::Included;
  o.block = block;
  o.extrinsic_index = index;
  o.success = r.success;
  o.error = r.error;
  o.dispatch_error = std::move(r.dispatch_error);
  o.events = std::move(r.events);
  return o;
}

Result<TxOutcome> ChainClient::submit_and_seal(ByteSpan extrinsic) {
  const Bytes one(extrinsic.begin(), extrinsic.end());
  PYLON_ASSIGN(std::vector<TxOutcome> out, submit_all_and_seal(std::span<const Bytes>(&one, 1)));
  return std::move(out.front());
}

Result<std::vector<TxOutcome>> ChainClient::submit_all_and_seal(std::span<const Bytes> extrinsics) {
  for (const Bytes& x : extrinsics) PYLON_TRY(call(rpc_, "author_submitExtrinsic", Params().hex(x).json()));
  Params one_block;
  one_block.writer().begin_object();
  one_block.writer().key("count");
  one_block.writer().number(std::uint64_t{1});
  one_block.writer().end_object();
  PYLON_ASSIGN(std::string made, call(rpc_, "dev_newBlock", one_block.json()));
  PYLON_ASSIGN(BlockHash block, with_json("dev_newBlock", made, [](simdjson::dom::element e) {
                 return json_hash("dev_newBlock", e);
               }));
  std::vector<TxOutcome> out;
  out.reserve(extrinsics.size());
  for (const Bytes& x : extrinsics) {
    PYLON_ASSIGN(TxOutcome o, outcome_in_block(block, x));
    out.push_back(std::move(o));
  }
  return out;
}

Result<TxOutcome> ChainClient::submit_and_watch(ByteSpan extrinsic, std::chrono::milliseconds timeout,
                                                bool wait_finalized,
                                                const std::function<void()>& on_accepted) {
  struct Watch {
    Mutex mu;
    std::condition_variable cv;  // with mu
    bool done PYLON_GUARDED_BY(mu) = false;
    TxOutcome outcome PYLON_GUARDED_BY(mu);
    std::optional<BlockHash> in_block PYLON_GUARDED_BY(mu);
    // The node gave up on the transaction: the watch ends with `status` and why.
    void fail(TxOutcome::Status status, std::string error) PYLON_REQUIRES(mu) {
      outcome.status = status;
      outcome.error = std::move(error);
      done = true;
    }
  };
  auto w = std::make_shared<Watch>();
  net::SubscribeSpec spec{"author_submitAndWatchExtrinsic", Params().hex(extrinsic).json(),
                          "author_unwatchExtrinsic"};
  auto on_status = [w, wait_finalized](std::string_view json) {
    // A notification that is not a transaction status is not understood, and changes nothing.
    auto st = parse_extrinsic_status(json);
    if (!st.ok()) return;
    using Kind = ExtrinsicStatus::Kind;
    Lock lock(w->mu);
    if (w->done) return;
    switch (st->kind) {
      case Kind::kInBlock:
        w->in_block = st->block;
        if (!wait_finalized) w->done = true;
        break;
      case Kind::kFinalized:
        w->in_block = st->block;
        w->outcome.status = TxOutcome::Status::Finalized;
        w->done = true;
        break;
      case Kind::kInvalid:
        w->fail(TxOutcome::Status::Invalid, "the node reports the transaction invalid");
        break;
      case Kind::kDropped:
        w->fail(TxOutcome::Status::Dropped, "the node reports the transaction dropped");
        break;
      case Kind::kUsurped:
        w->fail(TxOutcome::Status::Usurped, "the node reports " + std::string(json.substr(0, 200)));
        break;
      case Kind::kFinalityTimeout:
        w->fail(TxOutcome::Status::Dropped, "the node reports " + std::string(json.substr(0, 200)));
        break;
      case Kind::kFuture:
      case Kind::kReady:
      case Kind::kBroadcast:
      case Kind::kRetracted:
        break;
    }
    if (w->done) w->cv.notify_all();
  };
  PYLON_ASSIGN(net::SubscriptionId sub, rpc_.subscribe(spec, on_status));
  if (on_accepted) on_accepted();
  {
    Lock lock(w->mu);
    lock.wait_for(w->cv, timeout, [&]() PYLON_REQUIRES(w->mu) { return w->done; });
  }
  (void)rpc_.unsubscribe(sub);
  TxOutcome out;
  std::optional<BlockHash> block;
  {
    Lock lock(w->mu);
    out = w->outcome;
    block = w->in_block;
    if (!w->done) {
      out.status = TxOutcome::Status::TimedOut;
      out.error = "not " + std::string(wait_finalized ? "finalized" : "included") + " within the timeout";
    }
  }
  if (!block || (out.status != TxOutcome::Status::Finalized && !out.error.empty())) return out;
  PYLON_ASSIGN(TxOutcome in_block, outcome_in_block(*block, extrinsic));
  in_block.status =
      out.status == TxOutcome::Status::Finalized ? TxOutcome::Status::Finalized : TxOutcome::Status::Included;
  return in_block;
}

}  // namespace pylon::chain
