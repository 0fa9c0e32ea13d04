// pylon::Client: one API for a validator beside Pylon (shared memory) or away from it (REST),
// the C++ counterpart of the Python package pylon_shm (shm-client/python). Opt-in: this header
// needs Boost.Beast and simdjson (CMake target pylon::shm_client_rest); the shm-only headers
// under pylon/shm/ stay dependency-free.
//
//   auto client = pylon::Client::connect({.netuid = 1});           // shm when co-located, else REST
//   auto snap = client->snapshot();                                  // SnapshotPtr (immutable)
//   auto seq = client->push_weights(std::map<pylon::WeightKey, double>{{0, 1.0}, {"5F…", 0.5}});
//   client->wait_durable(*seq, std::chrono::seconds(10));
//
// Every call is noexcept and returns ShmResult/ShmStatus with the shm client's Errc; HTTP
// statuses map onto the same codes (400/413 invalid_argument, 401/403 permission, 404 not_found,
// 503 not_live, 504 timeout). push_weights checks every item before anything is sent (weights
// finite 0..1e15, hotkeys SS58 of prefix 42 with a valid checksum, uids below the latest
// snapshot's neuron count): one bad item and nothing is pushed.
//
// Thread contract: a Client is used by one thread at a time (move it between threads freely).
#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "pylon/client/detail/http.hpp"
#include "pylon/client/detail/rest_parse.hpp"
#include "pylon/client/detail/ss58.hpp"
#include "pylon/client/snapshot.hpp"
#include "pylon/shm/client.hpp"

namespace pylon {

enum class Transport : std::uint8_t { shm, rest };
enum class Prefer : std::uint8_t { automatic, shm, rest };

struct ClientOptions {
  int netuid = -1;       // names the segment pylon-<netuid> unless shm_name is given
  std::string shm_name;  // snapshot segment; the queue is <shm_name>-weights
  std::string rest_url;  // default http://127.0.0.1:8000
  std::string token;     // bearer token for REST (never printed)
  Prefer prefer = Prefer::automatic;
  std::chrono::milliseconds http_timeout{10000};
};

// The weights the daemon stores: finite, 0..1e15 (sidecar/weights/weight_value.hpp: kMaxWeight).
inline constexpr double kMaxWeight = 1e15;

// A weight's target: a uid or an SS58 hotkey. Converts implicitly from both, so any map or
// vector of pairs with these keys can be pushed.
class WeightKey {
 public:
  template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  WeightKey(I uid) : is_uid_(true), uid_(static_cast<long long>(uid)) {  // NOLINT: implicit by design
    if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(long long)) {
      if (uid > static_cast<unsigned long long>(INT64_MAX)) uid_ = -1;  // out of range either way
    }
  }
  WeightKey(std::string hotkey) : hotkey_(std::move(hotkey)) {}     // NOLINT
  WeightKey(const char* hotkey) : hotkey_(hotkey ? hotkey : "") {}  // NOLINT
  WeightKey(std::string_view hotkey) : hotkey_(hotkey) {}           // NOLINT
  bool is_uid() const noexcept { return is_uid_; }
  long long uid() const noexcept { return uid_; }
  const std::string& hotkey() const noexcept { return hotkey_; }
  friend bool operator<(const WeightKey& a, const WeightKey& b) noexcept {
    if (a.is_uid_ != b.is_uid_) return a.is_uid_;
    return a.is_uid_ ? a.uid_ < b.uid_ : a.hotkey_ < b.hotkey_;
  }

 private:
  bool is_uid_ = false;
  long long uid_ = 0;
  std::string hotkey_;
};

class Client {
 public:
  Client() noexcept = default;

  static shm::ShmResult<Client> connect(const ClientOptions& opt) noexcept {
    return guarded<Client>([&]() -> shm::ShmResult<Client> { return open(opt); });
  }

  Transport transport() const noexcept { return impl_ && impl_->rest ? Transport::rest : Transport::shm; }

  // The latest snapshot. Snapshots are immutable and shared: while no newer block was published
  // this returns the same one again without copying (over shm a check of a few words of the
  // segment, over REST one GET /latest_block instead of the metagraph), and one the caller holds
  // never changes when a newer block comes.
  shm::ShmResult<SnapshotPtr> snapshot() noexcept {
    return guarded<SnapshotPtr>([&]() -> shm::ShmResult<SnapshotPtr> {
      if (!impl_) return not_connected();
      if (impl_->last && still_newest()) return impl_->last;
      auto snap = std::make_shared<ClientSnapshot>();
      shm::ShmStatus st = impl_->rest ? rest_snapshot(*snap) : shm_snapshot(*snap);
      if (!st) return st.error();
      impl_->uid_limit = snap->neurons.size();
      impl_->last_hotkeys.resize(snap->neurons.size());
      for (std::size_t i = 0; i < snap->neurons.size(); ++i) {
        std::memcpy(impl_->last_hotkeys[i].data(), snap->neurons[i].hotkey, 32);
      }
      impl_->last = std::move(snap);
      return impl_->last;
    });
  }

  // The first snapshot of a block after `after`, as soon as the daemon publishes it. Over shm it
  // sleeps on the segment's publish futex; over REST it long-polls
  // GET /latest_block?after=N&timeout=S (the server answers when the block is published).
  shm::ShmResult<SnapshotPtr> wait_for_block(std::uint64_t after, std::chrono::nanoseconds timeout) noexcept {
    return guarded<SnapshotPtr>([&]() -> shm::ShmResult<SnapshotPtr> {
      if (!impl_) return not_connected();
      if (!impl_->rest) {
        shm::ShmResult<std::uint64_t> b = impl_->reader.wait_for_block(after, timeout);
        if (!b) return b.error();
        return snapshot();
      }
      using std::chrono::milliseconds;
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      for (;;) {
        const auto asked = std::chrono::steady_clock::now();
        // The server parks a request at most 60 s: longer waits are several requests.
        const auto left = deadline > asked ? deadline - asked : std::chrono::steady_clock::duration::zero();
        const milliseconds wait = std::min(kMaxServerWait, std::chrono::duration_cast<milliseconds>(left));
        char target[96];
        std::snprintf(target, sizeof target, "/latest_block?after=%llu&timeout=%lld.%03lld",
                      static_cast<unsigned long long>(after), static_cast<long long>(wait.count() / 1000),
                      static_cast<long long>(wait.count() % 1000));
        shm::ShmResult<client_detail::HttpAnswer> a = impl_->rest->request(
            boost::beast::http::verb::get, target, std::string(), wait + impl_->http_timeout);
        if (!a) return a.error();
        if (a->status == 200) {
          shm::ShmResult<std::uint64_t> block = impl_->parser.latest_block(a->body);
          if (!block) return block.error();
          if (*block > after) return snapshot();
        } else if (a->status != 503) {  // 503: no snapshot yet, or too many waiting: ask again
          return http_error("GET /latest_block", *a).error();
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
          return shm::make_shm_error(shm::Errc::timeout, "no snapshot after block %llu in time",
                                     static_cast<unsigned long long>(after));
        }
        // A server that answered before the time asked did not wait (a Pylon without the
        // long-poll, or one with too many requests parked): pause rather than ask again at once.
        if (now - asked < wait) {
          std::this_thread::sleep_for(
              std::min<std::chrono::steady_clock::duration>(deadline - now, kRetryPause));
        }
      }
    });
  }

  // Pushes every (key, weight) of `items` (a map or a range of pairs; a later key wins) for the
  // subnet's `mechanism` (default 0, the one every subnet has) and returns the sequence number to
  // wait_durable on. Over shm it waits only when the ring has no room (at most `timeout` per
  // wait), and the daemon refuses (and counts) entries for a mechanism the subnet lacks; over REST
  // it is one PUT /set_weights, ?mechanism=N above 0, refused at once (invalid_argument) then.
  template <class Items>
  shm::ShmResult<std::uint64_t> push_weights(const Items& items,
                                             std::chrono::nanoseconds timeout = std::chrono::seconds(10),
                                             std::uint8_t mechanism = 0) noexcept {
    return guarded<std::uint64_t>([&]() -> shm::ShmResult<std::uint64_t> {
      if (!impl_) return not_connected();
      std::vector<Item> batch;
      for (const auto& [key, weight] : items) {
        shm::ShmResult<Item> it = check(WeightKey(key), static_cast<double>(weight));
        if (!it) return it.error();
        batch.push_back(*it);
      }
      if (batch.empty()) return shm::make_shm_error(shm::Errc::invalid_argument, "no weights given");
      return impl_->rest ? rest_push(batch, mechanism) : shm_push(batch, timeout, mechanism);
    });
  }

  // Returns once the daemon's store committed `seq` (over REST the write was durable when it
  // answered, so only the number is checked).
  shm::ShmStatus wait_durable(std::uint64_t seq, std::chrono::nanoseconds timeout) noexcept {
    if (!impl_) return not_connected();
    if (impl_->rest) {
      if (seq == 0 || seq > impl_->rest_seq) {
        return shm::make_shm_error(shm::Errc::invalid_argument, "sequence %llu was never pushed (last %llu)",
                                   static_cast<unsigned long long>(seq),
                                   static_cast<unsigned long long>(impl_->rest_seq));
      }
      return {};
    }
    if (!impl_->has_producer) {
      return shm::make_shm_error(shm::Errc::invalid_argument, "sequence %llu was never pushed",
                                 static_cast<unsigned long long>(seq));
    }
    return impl_->producer.wait_durable(seq, timeout);
  }

 private:
  struct Item {
    bool by_uid = false;
    std::uint16_t uid = 0;
    client_detail::AccountId hotkey{};
    double weight = 0;
  };
  struct Impl {
    // shm
    std::string queue_name;
    shm::SnapshotReader reader;
    shm::Snapshot copy;  // reused: steady-state copies do not allocate in the reader
    shm::WeightProducer producer;
    bool has_producer = false;
    // both: the latest snapshot handed out, returned again while no newer block exists
    SnapshotPtr last;
    // rest
    std::unique_ptr<client_detail::HttpConnection> rest;
    client_detail::RestParser parser;
    std::chrono::milliseconds http_timeout{10000};
    std::uint64_t rest_seq = 0;
    // both: the latest snapshot's uid count and hotkeys, to check and resolve uids
    std::size_t uid_limit = 0;
    std::vector<client_detail::AccountId> last_hotkeys;
  };

  // A writer whose heartbeat is older than this is taken for dead by Prefer::automatic (the daemon
  // beats every ~100 ms; the reader uses the same 5 s to look for a new generation).
  static constexpr std::uint64_t kStaleWriterNs = 5'000'000'000ULL;
  // The longest a Pylon REST server parks GET /latest_block?after=N (rest/long_poll.hpp), and the
  // pause before asking again when a server answered without waiting.
  static constexpr std::chrono::milliseconds kMaxServerWait{60000};
  static constexpr std::chrono::milliseconds kRetryPause{200};

  template <class T, class F>
  static shm::ShmResult<T> guarded(F&& f) noexcept {
#if defined(__cpp_exceptions)
    try {
      return f();
    } catch (const std::bad_alloc&) {
      return shm::make_shm_error(shm::Errc::no_memory, "out of memory");
    } catch (const std::exception& e) {
      return shm::make_shm_error(shm::Errc::os_error, "%s", e.what());
    }
#else
    return f();
#endif
  }

  static shm::ShmError not_connected() noexcept {
    return shm::make_shm_error(shm::Errc::invalid_argument,
                               "the client is not connected (use Client::connect)");
  }

  static shm::ShmResult<Client> open(const ClientOptions& opt) {
    std::string shm_name = opt.shm_name;
    if (shm_name.empty() && opt.netuid != -1) {
      if (opt.netuid < 0 || opt.netuid > 65535) {
        return shm::make_shm_error(shm::Errc::invalid_argument, "netuid %d is not a subnet number",
                                   opt.netuid);
      }
      shm_name = "pylon-" + std::to_string(opt.netuid);
    }
    Client c;
    c.impl_ = std::make_unique<Impl>();
    if (opt.prefer != Prefer::rest) {
      if (shm_name.empty()) {
        if (opt.prefer == Prefer::shm) {
          return shm::make_shm_error(shm::Errc::invalid_argument, "Prefer::shm needs netuid or shm_name");
        }
      } else {
        shm::ShmResult<shm::SnapshotReader> r = shm::SnapshotReader::open(shm_name.c_str());
        if (r && (opt.prefer == Prefer::shm || r->heartbeat_age_ns() <= kStaleWriterNs)) {
          c.impl_->reader = std::move(r).value();
          c.impl_->queue_name = shm_name + "-weights";
          return c;
        }
        const shm::Errc e = r.code();
        const bool absent = e == shm::Errc::ok || e == shm::Errc::not_found || e == shm::Errc::no_snapshot ||
                            e == shm::Errc::retired || e == shm::Errc::not_live;
        if (opt.prefer == Prefer::shm || !absent) return r.error();  // a foreign or corrupt segment
      }
    }
    client_detail::HttpUrl url;
    const std::string rest_url = opt.rest_url.empty() ? "http://127.0.0.1:8000" : opt.rest_url;
    if (!client_detail::parse_http_url(rest_url, url)) {
      return shm::make_shm_error(shm::Errc::invalid_argument,
                                 "rest_url %.100s is not http://host[:port][/path]", rest_url.c_str());
    }
    c.impl_->rest = std::make_unique<client_detail::HttpConnection>(std::move(url), opt.token);
    c.impl_->http_timeout = opt.http_timeout;
    return c;
  }

  shm::ShmResult<Item> check(const WeightKey& key, double weight) {
    // NaN fails both comparisons.
    if (!(weight >= 0 && weight <= kMaxWeight)) {
      return shm::make_shm_error(shm::Errc::invalid_argument,
                                 "weight %g is not a finite number from 0 to 1e15", weight);
    }
    Item it;
    it.weight = weight;
    if (!key.is_uid()) {
      if (!client_detail::ss58_decode(key.hotkey(), it.hotkey)) {
        return shm::make_shm_error(shm::Errc::invalid_argument,
                                   "malformed hotkey %.60s: not an SS58 address of prefix 42",
                                   key.hotkey().c_str());
      }
      return it;
    }
    // uids are resolved at the latest block: refresh when the last snapshot is too small.
    if (!impl_->last || key.uid() >= static_cast<long long>(impl_->uid_limit)) {
      shm::ShmResult<SnapshotPtr> s = snapshot();
      if (!s) return s.error();
    }
    if (key.uid() < 0 || key.uid() >= static_cast<long long>(impl_->uid_limit)) {
      return shm::make_shm_error(shm::Errc::out_of_range, "uid %lld is not below the subnet's %zu neurons",
                                 key.uid(), impl_->uid_limit);
    }
    it.by_uid = true;
    it.uid = static_cast<std::uint16_t>(key.uid());
    it.hotkey = impl_->last_hotkeys[it.uid];
    return it;
  }

  // Whether impl_->last is still the newest snapshot; false also when that cannot be told (the
  // full read that follows reports the error).
  bool still_newest() {
    if (!impl_->rest) {
      shm::ShmResult<bool> same = impl_->reader.is_newest(impl_->copy);
      return same && *same;
    }
    shm::ShmResult<client_detail::HttpAnswer> a = get("/latest_block");
    if (!a || a->status != 200) return false;
    shm::ShmResult<std::uint64_t> block = impl_->parser.latest_block(a->body);
    return block && *block == impl_->last->block;
  }

  // ---- shm ----
  shm::ShmStatus shm_snapshot(ClientSnapshot& out) {
    if (shm::ShmStatus st = impl_->reader.copy(impl_->copy); !st) return st;
    const shm::Snapshot& s = impl_->copy;
    out.block = s.block_number();
    std::memcpy(out.block_hash_bytes.data(), s.block_hash(), 32);
    out.neurons.assign(s.neurons(), s.neurons() + s.neuron_count());
    out.hyperparams = s.hyperparams();
    out.commitments.clear();
    for (std::size_t i = 0; i < s.commitment_count(); ++i) {
      shm::CommitmentView v = s.commitment(i);
      ClientCommitment c;
      std::memcpy(c.hotkey.data(), v.hotkey, 32);
      c.data.assign(v.data, v.data + v.size);
      out.commitments.push_back(std::move(c));
    }
    return {};
  }

  shm::ShmResult<std::uint64_t> shm_push(const std::vector<Item>& batch, std::chrono::nanoseconds timeout,
                                         std::uint8_t mechanism) {
    // A daemon restart retires the queue, and a lease can be taken over: reopen by name once and
    // push the whole batch again (every entry is a `set`, so a repeat is harmless).
    for (int attempt = 0;; ++attempt) {
      if (!impl_->has_producer) {
        shm::ShmResult<shm::WeightProducer> p = shm::WeightProducer::open(impl_->queue_name.c_str());
        if (!p) return p.error();
        impl_->producer = std::move(p).value();
        impl_->has_producer = true;
      }
      shm::ShmResult<std::uint64_t> r = shm_push_once(batch, timeout, mechanism);
      const shm::Errc e = r.code();
      if (r || attempt == 1 ||
          (e != shm::Errc::retired && e != shm::Errc::lease_lost && e != shm::Errc::not_live)) {
        return r;
      }
      impl_->producer = shm::WeightProducer();
      impl_->has_producer = false;
    }
  }

  // A batch larger than the ring goes in ring-sized parts, each after room was made durable.
  shm::ShmResult<std::uint64_t> shm_push_once(const std::vector<Item>& batch,
                                              std::chrono::nanoseconds timeout, std::uint8_t mechanism) {
    shm::WeightProducer& p = impl_->producer;
    const std::uint64_t cap = p.capacity();
    std::uint64_t last = p.last_seq();
    std::size_t i = 0;
    while (i < batch.size()) {
      const std::uint64_t part = std::min<std::uint64_t>(cap, batch.size() - i);
      const std::uint64_t head = p.last_seq();
      if (head + part > p.durable() + cap) {
        if (shm::ShmStatus s = p.wait_durable(head + part - cap, timeout); !s) return s.error();
      }
      for (std::uint64_t k = 0; k < part; ++k, ++i) {
        const Item& it = batch[i];
        shm::ShmResult<std::uint64_t> seq =
            it.by_uid ? p.push_uid(it.uid, it.weight, shm::WeightOp::set, mechanism)
                      : p.push_hotkey(it.hotkey.data(), it.weight, shm::WeightOp::set, mechanism);
        if (!seq) return seq;
        last = *seq;
      }
    }
    return last;
  }

  // ---- rest ----
  shm::ShmResult<client_detail::HttpAnswer> get(const std::string& target) {
    return impl_->rest->request(boost::beast::http::verb::get, target, std::string(), impl_->http_timeout);
  }

  shm::ShmResult<client_detail::HttpAnswer> http_error(const char* what, const client_detail::HttpAnswer& a) {
    shm::Errc e = shm::Errc::os_error;
    switch (a.status) {
      case 400:
      case 413:
        e = shm::Errc::invalid_argument;
        break;
      case 401:
      case 403:
        e = shm::Errc::permission;
        break;
      case 404:
        e = shm::Errc::not_found;
        break;
      case 503:
        e = shm::Errc::not_live;
        break;
      case 504:
        e = shm::Errc::timeout;
        break;
      default:
        break;
    }
    return shm::make_shm_error(e, "%s: HTTP %u %s", what, a.status, impl_->parser.detail(a.body).c_str());
  }

  // GET `target` and hand a 200 answer's body to `parse`.
  template <class F>
  shm::ShmStatus get_parsed(const char* target, F&& parse) {
    shm::ShmResult<client_detail::HttpAnswer> a = get(target);
    if (!a) return a.error();
    if (a->status != 200) return http_error(target, *a).error();
    return parse(a->body);
  }

  shm::ShmStatus rest_snapshot(ClientSnapshot& out) {
    client_detail::RestParser& p = impl_->parser;
    if (shm::ShmStatus s =
            get_parsed("/metagraph", [&](const std::string& b) { return p.metagraph(b, out); });
        !s) {
      return s;
    }
    if (shm::ShmStatus s = get_parsed(
            "/hyperparams", [&](const std::string& b) { return p.hyperparams(b, out.hyperparams); });
        !s) {
      return s;
    }
    const std::string commitments = "/get_commitments?block=" + std::to_string(out.block);
    return get_parsed(commitments.c_str(),
                      [&](const std::string& b) { return p.commitments(b, out.commitments); });
  }

  shm::ShmResult<std::uint64_t> rest_push(const std::vector<Item>& batch, std::uint8_t mechanism) {
    // One body keyed by hotkey (a later item for the same neuron wins, as in the queue).
    std::map<std::string, double> by_hotkey;
    for (const Item& it : batch) by_hotkey[client_detail::ss58_encode(it.hotkey.data())] = it.weight;
    std::string body = "{\"weights\":{";
    bool first = true;
    for (const auto& [hk, w] : by_hotkey) {
      if (!first) body += ',';
      first = false;
      body += '"';
      body += hk;  // SS58 text: nothing to escape
      body += "\":";
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, w);
      body.append(buf, r.ptr);
    }
    body += "}}";
    // Mechanism 0 keeps the legacy URL, which every Pylon serves.
    const std::string target =
        mechanism == 0 ? std::string("/set_weights") : "/set_weights?mechanism=" + std::to_string(mechanism);
    shm::ShmResult<client_detail::HttpAnswer> a =
        impl_->rest->request(boost::beast::http::verb::put, target, body, impl_->http_timeout);
    if (!a) return a.error();
    if (a->status != 200) return http_error(("PUT " + target).c_str(), *a).error();
    return ++impl_->rest_seq;
  }

  std::unique_ptr<Impl> impl_;
};

}  // namespace pylon
