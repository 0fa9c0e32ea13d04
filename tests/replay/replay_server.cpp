#include "replay_server.hpp"

#include <simdjson.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <vector>

#include "codec/metadata.hpp"
#include "common/hex.hpp"
#include "common/json_writer.hpp"

namespace pylon::replay {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// The runtime the metadata file describes (shared/README.md: finney spec 343, scenario metagraph).
constexpr std::uint64_t kMetadataSpec = 343;
// Answers above this size are cut by Fault::kCutLargeAnswers (get_neurons_lite: ~373 KB).
constexpr std::size_t kLargeAnswer = 64 * 1024;

std::string quote(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

std::string hex_number(std::uint64_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[n & 15]);
    n >>= 4;
  } while (n);
  return "0x" + s;
}

}  // namespace

// One client connection (named, not anonymous: ReplayServer::Impl holds it).
namespace detail {

struct Session {
  Session(tcp::socket socket, asio::io_context& io) : ws(std::move(socket)), wake(io) {}
  beast::websocket::stream<beast::tcp_stream> ws;
  asio::steady_timer wake;  // cancelled to wake the writer
  struct Outgoing {
    std::string frame;
    bool cut = false;  // send the first half as an unfinished message, then close the socket
  };
  std::deque<Outgoing> out;
  std::vector<std::string> subscriptions;          // finalized heads
  std::vector<std::string> runtime_subscriptions;  // runtime versions
  bool closed = false;

  void send(std::string frame, bool cut = false) {
    if (closed) return;
    out.push_back({std::move(frame), cut});
    wake.cancel();
  }
  void close() {
    closed = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws).socket().close(ec);
    wake.cancel();
  }
};

}  // namespace detail

using detail::Session;

struct ReplayServer::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::string url;

  Recording rec;
  std::string metadata_option_hex;  // Option<OpaqueMetadata>, as Metadata_metadata_at_version returns
  std::string metadata_raw_hex;     // "meta…", as state_getMetadata returns
  std::uint64_t recorded_number = 0;
  std::string recorded_hash;
  std::string recorded_header;  // JSON
  std::string state_root, extrinsics_root, digest;

  mutable std::mutex mu;  // guards the fields below (test thread vs server thread)
  Fault fault = Fault::kNone;
  Override override_fn;
  std::uint64_t head = 0;
  std::unordered_map<std::string, std::uint64_t> synthetic;  // hash -> number
  std::unordered_map<std::string, std::uint64_t> requests_by_method;
  bool state_pruned = false;
  std::string runtime_version_json;  // pushed to runtime version subscribers; recorded one at first

  // Server thread only.
  std::vector<std::weak_ptr<Session>> sessions;
  simdjson::dom::parser parser;
  std::uint64_t next_subscription = 1;

  std::atomic<int> connections{0};
  std::atomic<std::uint64_t> answered{0};
  std::atomic<bool> refuse_batches{false};  // answer a batch as jsonrpsee does with batches off

  std::string synthetic_hash(std::uint64_t n) const {
    std::string h = recorded_hash.substr(0, 2 + 48);
    std::string tail = hex_number(n).substr(2);
    return h + std::string(16 - tail.size(), '0') + tail;
  }
  std::string hash_of(std::uint64_t n) const {
    return n == recorded_number ? recorded_hash : synthetic_hash(n);
  }
  std::string header_of(std::uint64_t n) const {
    if (n == recorded_number) return recorded_header;
    return "{\"parentHash\":" + quote(hash_of(n - 1)) + ",\"number\":" + quote(hex_number(n)) +
           ",\"stateRoot\":" + state_root + ",\"extrinsicsRoot\":" + extrinsics_root +
           ",\"digest\":" + digest + "}";
  }
  std::optional<std::uint64_t> synthetic_number(std::string_view hash) const {
    std::lock_guard lock(mu);
    auto it = synthetic.find(std::string(hash));
    if (it == synthetic.end()) return std::nullopt;
    return it->second;
  }

  // The runtime version answer for a block: recorded at it, else recorded at its recorded parent.
  const RecordedAnswer* runtime_version_at(const std::string& hash) const {
    if (auto a = rec.find("state_getRuntimeVersion", "[" + quote(hash) + "]")) return a;
    const RecordedAnswer* header = rec.find("chain_getHeader", "[" + quote(hash) + "]");
    if (!header || header->is_error) return nullptr;
    simdjson::dom::parser p;
    std::string_view parent;
    if (p.parse(header->json).get_object()["parentHash"].get_string().get(parent)) return nullptr;
    auto canon = canonical_params("[" + quote(parent) + "]");
    return canon.ok() ? rec.find("state_getRuntimeVersion", *canon) : nullptr;
  }
  bool has_metadata_spec(const std::string& hash) const {
    const RecordedAnswer* v = runtime_version_at(hash);
    if (!v || v->is_error) return false;
    simdjson::dom::parser p;
    std::uint64_t spec = 0;
    return !p.parse(v->json).get_object()["specVersion"].get_uint64().get(spec) && spec == kMetadataSpec;
  }

  static std::string result_frame(const std::string& id, const std::string& result) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}";
  }
  // An unsubscribe call: params [subscription id]; true when it was one of `subs` (now dropped), as
  // the node answers.
  static std::string unsubscribe(const std::string& id, simdjson::dom::array params,
                                 std::vector<std::string>& subs) {
    std::string_view sub;
    bool found = false;
    if (params.size() == 1 && !params.at(0).get_string().get(sub))
      found = std::erase(subs, std::string(sub)) > 0;
    return result_frame(id, found ? "true" : "false");
  }
  static std::string error_frame(const std::string& id, int code, std::string_view message) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":" + std::to_string(code) +
           ",\"message\":" + quote(message) + "}}";
  }
  std::string runtime_notification(const std::string& sub, const std::string& version) const {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"state_runtimeVersion\",\"params\":{\"subscription\":" +
           quote(sub) + ",\"result\":" + version + "}}";
  }
  std::string notification(const std::string& sub, std::uint64_t n) const {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"chain_finalizedHead\",\"params\":{\"subscription\":" +
           quote(sub) + ",\"result\":" + header_of(n) + "}}";
  }

  // The block a request names in its params[index] (canonical hex): synthetic ones map onto the
  // recorded block; absent or null means the head.
  std::string block_param(simdjson::dom::array params, std::size_t index) const {
    std::string_view h;
    if (params.size() <= index || params.at(index).get_string().get(h)) {
      std::lock_guard lock(mu);
      return hash_of(head);
    }
    return std::string(h);
  }

  // The answer frame to one request (nullopt: none, e.g. while stalled).
  std::string answer(Session& s, const std::string& id, const std::string& method,
                     simdjson::dom::element params_el, std::uint64_t& notify_head, bool& notify_runtime) {
    // Map synthetic hashes onto the recorded block: their state is the recorded state.
    const HexRewrite to_recorded = [this](std::string_view hex) -> std::optional<std::string> {
      if (hex.size() != 66 || hex.substr(0, 50) != std::string_view(recorded_hash).substr(0, 50))
        return std::nullopt;
      if (synthetic_number(hex)) return recorded_hash;
      return std::nullopt;
    };
    const std::string raw_params = simdjson::minify(params_el);
    auto canon = canonical_params(raw_params, to_recorded);
    if (!canon.ok()) return error_frame(id, -32602, method + ": " + canon.error().message);
    simdjson::dom::array params;
    if (params_el.get_array().get(params))
      return error_frame(id, -32602, method + ": params are not an array");

    static constexpr std::string_view kStateReads[] = {
        "state_call",           "state_getStorage",        "state_getStorageAt", "state_getKeysPaged",
        "state_queryStorageAt", "state_getRuntimeVersion", "state_getMetadata"};
    bool pruned;
    {
      std::lock_guard lock(mu);
      pruned = state_pruned;
    }
    if (pruned &&
        std::find(std::begin(kStateReads), std::end(kStateReads), method) != std::end(kStateReads)) {
      simdjson::dom::parser p;
      simdjson::dom::array cp;
      std::string block = recorded_hash;
      if (!p.parse(*canon).get_array().get(cp) && cp.size() > 0) {
        std::string_view last;
        if (!cp.at(cp.size() - 1).get_string().get(last) && last.size() == 66) block = std::string(last);
      }
      return error_frame(
          id, 4003, "Client error: Api called for an unknown Block: State already discarded for " + block);
    }
    if (method == "state_subscribeRuntimeVersion") {
      {
        std::lock_guard lock(mu);
        if (runtime_version_json.empty())
          return error_frame(id, -32000,
                             "replay of scenario '" + rec.scenario() + "' has no runtime version");
      }
      std::string sub = "replay-rv-" + std::to_string(next_subscription++);
      s.runtime_subscriptions.push_back(sub);
      notify_runtime = true;
      return result_frame(id, quote(sub));
    }
    if (method == "state_unsubscribeRuntimeVersion") return unsubscribe(id, params, s.runtime_subscriptions);
    if (method == "chain_subscribeFinalizedHeads") {
      std::string sub = "replay-" + std::to_string(next_subscription++);
      s.subscriptions.push_back(sub);
      std::lock_guard lock(mu);
      notify_head = head;
      return result_frame(id, quote(sub));
    }
    if (method == "chain_unsubscribeFinalizedHeads") return unsubscribe(id, params, s.subscriptions);
    if (method == "chain_getFinalizedHead") {
      std::lock_guard lock(mu);
      return result_frame(id, quote(hash_of(head)));
    }
    if (method == "chain_getBlockHash") {
      if (params.size() == 0 || params.at(0).is_null()) {  // no number: the best block
        std::lock_guard lock(mu);
        return result_frame(id, quote(hash_of(head)));
      }
      std::uint64_t n = 0;
      if (params.size() == 1 && !params.at(0).get_uint64().get(n)) {
        std::lock_guard lock(mu);
        if (n > recorded_number && n <= head) return result_frame(id, quote(synthetic_hash(n)));
      }
    }
    if (method == "chain_getHeader") {
      std::string_view h;
      const bool no_hash = params.size() == 0 || params.at(0).is_null();
      if (no_hash) {
        std::lock_guard lock(mu);
        return result_frame(id, header_of(head));
      }
      if (!params.at(0).get_string().get(h)) {
        auto c = canonical_params("[" + quote(h) + "]");
        if (c.ok())
          if (auto n = synthetic_number(c->substr(2, 66))) return result_frame(id, header_of(*n));
      }
    }
    Override o;
    {
      std::lock_guard lock(mu);
      o = override_fn;
    }
    if (o)
      if (auto r = o(method, *canon)) return result_frame(id, *r);

    if (method == "state_call" || method == "state_getMetadata") {
      std::string_view api;
      const bool metadata_call =
          method == "state_getMetadata" || (params.size() >= 2 && !params.at(0).get_string().get(api) &&
                                            api == "Metadata_metadata_at_version");
      if (metadata_call) {
        simdjson::dom::parser p;  // the canonical params, synthetic hashes already mapped
        simdjson::dom::array cp;
        std::string_view version;
        if (!p.parse(*canon).get_array().get(cp)) {
          const std::size_t block_at = method == "state_getMetadata" ? 0 : 2;
          const std::string block = block_param(cp, block_at);
          const std::string at = synthetic_number(block) ? recorded_hash : block;
          const bool v15 = method == "state_getMetadata" ||
                           (!cp.at(1).get_string().get(version) && version == "0x0f000000");
          if (v15 && has_metadata_spec(at))
            return result_frame(
                id, quote(method == "state_getMetadata" ? metadata_raw_hex : metadata_option_hex));
        }
      }
    }
    const RecordedAnswer* a = rec.find(method, *canon);
    if (!a && method == "state_getStorage") a = rec.find("state_getStorageAt", *canon);
    if (a)
      return a->is_error ? "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":" + a->json + "}"
                         : result_frame(id, a->json);
    if (method == "state_getRuntimeVersion" && params.size() == 1) {
      simdjson::dom::parser p;
      simdjson::dom::array cp;
      if (!p.parse(*canon).get_array().get(cp))
        if (const RecordedAnswer* a = runtime_version_at(block_param(cp, 0)); a && !a->is_error)
          return result_frame(id, a->json);
    }
    std::string shown = *canon;
    if (shown.size() > 200) shown = shown.substr(0, 200) + "…";
    return error_frame(
        id, -32000, "replay of scenario '" + rec.scenario() + "' has no answer for " + method + " " + shown);
  }

  // One request object's answer frame; a subscription it made sets notify_head / notify_runtime.
  std::string answer_request(Session& s, simdjson::dom::element req, std::uint64_t& notify_head,
                             bool& notify_runtime) {
    std::string_view method;
    if (req["method"].get_string().get(method))
      return error_frame("null", -32700, "replay: the request is not a JSON-RPC call");
    std::string id = "null";
    if (auto idv = req["id"]; !idv.error()) id = simdjson::minify(idv.value_unsafe());
    simdjson::dom::element params;
    simdjson::dom::parser empty_parser;
    if (req["params"].get(params)) params = empty_parser.parse(std::string_view("[]"));
    {
      std::lock_guard lock(mu);
      ++requests_by_method[std::string(method)];
    }
    return answer(s, id, std::string(method), params, notify_head, notify_runtime);
  }

  void handle(Session& s, const std::string& text) {
    Fault f;
    {
      std::lock_guard lock(mu);
      f = fault;
    }
    if (f == Fault::kStall) return;
    simdjson::dom::element req;
    if (parser.parse(text).get(req)) {
      s.send(error_frame("null", -32700, "replay: the request is not a JSON-RPC call"));
      return;
    }
    std::uint64_t notify_head = UINT64_MAX;
    bool notify_runtime = false;
    std::string frame;
    std::uint64_t requests = 1;
    if (req.is_array()) {
      // A batch, answered as one array, as nodes do (JSON-RPC 2.0 §6).
      frame = "[";
      const simdjson::dom::array items = req.get_array().value_unsafe();
      for (simdjson::dom::element one : items) {
        if (frame.size() > 1) frame += ',';
        frame += answer_request(s, one, notify_head, notify_runtime);
      }
      frame += ']';
      requests = items.size();
      if (refuse_batches.load()) {
        frame = error_frame("null", -32005, "Batched requests are not supported by this server");
        requests = 0;
      }
    } else {
      frame = answer_request(s, req, notify_head, notify_runtime);
    }
    if (f == Fault::kGarble) frame.resize(frame.size() / 2);
    const bool cut = f == Fault::kCutLargeAnswers && frame.size() > kLargeAnswer;
    s.send(std::move(frame), cut);
    answered.fetch_add(requests, std::memory_order_relaxed);
    if (notify_head != UINT64_MAX && f != Fault::kGarble)
      s.send(notification(s.subscriptions.back(), notify_head));
    if (notify_runtime && f != Fault::kGarble) {
      std::string version;
      {
        std::lock_guard lock(mu);
        version = runtime_version_json;
      }
      s.send(runtime_notification(s.runtime_subscriptions.back(), version));
    }
  }

  asio::awaitable<void> writer(std::shared_ptr<Session> s) {
    try {
      while (!s->closed) {
        while (!s->out.empty()) {
          Session::Outgoing o = std::move(s->out.front());
          s->out.pop_front();
          s->ws.text(true);
          if (o.cut) {
            co_await s->ws.async_write_some(false, asio::buffer(o.frame.data(), o.frame.size() / 2),
                                            asio::use_awaitable);
            s->close();
            co_return;
          }
          co_await s->ws.async_write(asio::buffer(o.frame), asio::use_awaitable);
        }
        s->wake.expires_at(asio::steady_timer::time_point::max());
        co_await s->wake.async_wait(asio::as_tuple(asio::use_awaitable));
      }
    } catch (const std::exception&) {
      s->close();  // the client went away, or a fault closed the socket
    }
  }

  asio::awaitable<void> session(std::shared_ptr<Session> s) {
    try {
      co_await s->ws.async_accept(asio::use_awaitable);
      s->ws.read_message_max(1u << 20);
      // One frame per message, as nodes send them (jsonrpsee's soketto and chopsticks' ws do not
      // fragment): Beast's default would cut every answer into 4 KiB frames, which a client reads
      // one by one.
      s->ws.auto_fragment(false);
      asio::co_spawn(io, writer(s), asio::detached);
      for (;;) {
        beast::flat_buffer buf;
        co_await s->ws.async_read(buf, asio::use_awaitable);
        handle(*s, beast::buffers_to_string(buf.data()));
      }
    } catch (const std::exception&) {
      // Disconnects are what fault tests provoke.
    }
    s->close();
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (!acceptor.is_open()) co_return;
        continue;
      }
      ++connections;
      Fault f;
      {
        std::lock_guard lock(mu);
        f = fault;
      }
      if (f == Fault::kDrop) {
        beast::error_code ignored;
        socket.close(ignored);
        continue;
      }
      // Small frames (notifications, short answers) go out at once: without TCP_NODELAY, Nagle's
      // algorithm against the client's delayed ACKs added ~40 ms to every followed block here.
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto s = std::make_shared<Session>(std::move(socket), io);
      std::erase_if(sessions, [](const auto& w) { return w.expired(); });
      sessions.push_back(s);
      asio::co_spawn(io, session(std::move(s)), asio::detached);
    }
  }
};

ReplayServer::ReplayServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ReplayServer::~ReplayServer() {
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    for (auto& w : impl->sessions)
      if (auto s = w.lock()) s->close();
    impl->io.stop();
  });
  impl_->thread.join();
}

Result<std::unique_ptr<ReplayServer>> ReplayServer::start(const ReplayOptions& options) {
  auto impl = std::make_shared<Impl>();
  PYLON_ASSIGN(impl->rec,
               Recording::load(options.shared_dir + "/chain/finney-recordings.json", options.scenario));
  PYLON_ASSIGN(impl->metadata_option_hex,
               read_text(options.shared_dir + "/chain/finney-metadata-v15.option.hex"));
  PYLON_ASSIGN(Bytes option, from_hex(impl->metadata_option_hex));
  PYLON_ASSIGN(Bytes raw, codec::unwrap_metadata_bytes(option));
  impl->metadata_raw_hex = to_hex(raw);

  // The recorded block: chain_getHead's answer and its header.
  const RecordedAnswer* head = impl->rec.find("chain_getHead", "[]");
  if (!head || head->is_error)
    return make_error("scenario " + options.scenario + " has no chain_getHead answer");
  simdjson::dom::parser p;
  std::string_view hash;
  if (p.parse(head->json).get_string().get(hash)) return make_error("chain_getHead's answer is not a hash");
  PYLON_ASSIGN(impl->recorded_hash, canonical_params(quote(hash)));
  impl->recorded_hash = impl->recorded_hash.substr(1, impl->recorded_hash.size() - 2);
  const RecordedAnswer* header = impl->rec.find("chain_getHeader", "[" + quote(impl->recorded_hash) + "]");
  if (!header || header->is_error)
    return make_error("scenario " + options.scenario + " has no header of its head");
  impl->recorded_header = header->json;
  simdjson::dom::object h;
  std::string_view number;
  if (p.parse(header->json).get_object().get(h) || h["number"].get_string().get(number))
    return make_error("the recorded header has no number");
  if (h["stateRoot"].error() || h["extrinsicsRoot"].error() || h["digest"].error())
    return make_error("the recorded header lacks stateRoot, extrinsicsRoot or digest");
  impl->recorded_number = std::strtoull(std::string(number).c_str(), nullptr, 16);
  impl->state_root = simdjson::minify(h["stateRoot"].value_unsafe());
  impl->extrinsics_root = simdjson::minify(h["extrinsicsRoot"].value_unsafe());
  impl->digest = simdjson::minify(h["digest"].value_unsafe());
  impl->head = impl->recorded_number;
  // Scenarios without it simply refuse runtime version subscriptions.
  if (const RecordedAnswer* v = impl->runtime_version_at(impl->recorded_hash); v && !v->is_error)
    impl->runtime_version_json = v->json;

  boost::system::error_code ec;
  impl->acceptor.open(tcp::v4(), ec);
  if (!ec) impl->acceptor.bind({asio::ip::make_address("127.0.0.1"), 0}, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error("replay server: cannot listen on 127.0.0.1: " + ec.message());
  impl->url = "ws://127.0.0.1:" + std::to_string(impl->acceptor.local_endpoint().port());
  asio::co_spawn(impl->io, impl->accept_loop(), asio::detached);
  impl->thread = std::thread([io = &impl->io] { io->run(); });
  return std::unique_ptr<ReplayServer>(new ReplayServer(std::move(impl)));
}

std::string ReplayServer::url() const {
  return impl_->url;
}
std::uint64_t ReplayServer::recorded_number() const {
  return impl_->recorded_number;
}
const std::string& ReplayServer::recorded_hash() const {
  return impl_->recorded_hash;
}
const Recording& ReplayServer::recording() const {
  return impl_->rec;
}
int ReplayServer::connections() const {
  return impl_->connections.load();
}
void ReplayServer::refuse_batches(bool refuse) {
  impl_->refuse_batches.store(refuse);
}

std::uint64_t ReplayServer::answered() const {
  return impl_->answered.load();
}

void ReplayServer::set_fault(Fault f) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->fault = f;
  }
  if (f == Fault::kDrop)
    asio::post(impl_->io, [impl = impl_.get()] {
      for (auto& w : impl->sessions)
        if (auto s = w.lock()) s->close();
    });
}

void ReplayServer::set_override(Override o) {
  std::lock_guard lock(impl_->mu);
  impl_->override_fn = std::move(o);
}

std::uint64_t ReplayServer::advance_head() {
  std::uint64_t n;
  {
    std::lock_guard lock(impl_->mu);
    n = ++impl_->head;
    impl_->synthetic[impl_->synthetic_hash(n)] = n;
  }
  asio::post(impl_->io, [impl = impl_.get(), n] {
    for (auto& w : impl->sessions)
      if (auto s = w.lock())
        for (const auto& sub : s->subscriptions) s->send(impl->notification(sub, n));
  });
  return n;
}

std::uint64_t ReplayServer::requests(std::string_view method) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->requests_by_method.find(std::string(method));
  return it == impl_->requests_by_method.end() ? 0 : it->second;
}

void ReplayServer::set_state_pruned(bool pruned) {
  std::lock_guard lock(impl_->mu);
  impl_->state_pruned = pruned;
}

void ReplayServer::announce_runtime_version(std::string version_json) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->runtime_version_json = version_json;
  }
  asio::post(impl_->io, [impl = impl_.get(), version = std::move(version_json)] {
    for (auto& w : impl->sessions)
      if (auto s = w.lock())
        for (const auto& sub : s->runtime_subscriptions) s->send(impl->runtime_notification(sub, version));
  });
}

std::string ReplayServer::recorded_runtime_version() const {
  const RecordedAnswer* a = impl_->runtime_version_at(impl_->recorded_hash);
  return a ? a->json : std::string();
}

std::uint64_t ReplayServer::head_number() const {
  std::lock_guard lock(impl_->mu);
  return impl_->head;
}

std::string find_shared_dir(const char* build_default) {
  std::string dir;
  if (const char* env = std::getenv("PYLON_SHARED_DIR"); env && *env)
    dir = env;
  else if (build_default)
    dir = build_default;
  std::error_code ec;
  if (dir.empty() || !std::filesystem::exists(dir + "/chain/finney-recordings.json", ec) ||
      !std::filesystem::exists(dir + "/chain/finney-metadata-v15.option.hex", ec))
    return "";
  return dir;
}

}  // namespace pylon::replay
