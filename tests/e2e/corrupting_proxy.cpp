#include "corrupting_proxy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
// Boost.JSON compiled into this test binary (header-only mode): a mutable DOM is what rewriting
// answers needs, and nothing else in the project parses JSON that way. Only this file includes it.
#include <boost/json/src.hpp>

namespace pylon::e2e {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
using Ws = beast::websocket::stream<beast::tcp_stream>;

std::string_view corruption_name(Corruption c) {
  switch (c) {
    case Corruption::kNone:
      return "pass-through";
    case Corruption::kHeaderNoParent:
      return "headers without parentHash";
    case Corruption::kHeaderNoNumber:
      return "headers without number";
    case Corruption::kHeaderMistyped:
      return "headers with mistyped fields";
    case Corruption::kHeaderNotObject:
      return "headers that are not objects";
    case Corruption::kStateTruncated:
      return "truncated state_call/state_getStorage";
    case Corruption::kStateRandom:
      return "random state_call/state_getStorage";
    case Corruption::kRuntimeBogus:
      return "bogus runtime versions";
    case Corruption::kNulls:
      return "nulls everywhere";
  }
  return "?";
}

struct CorruptingProxy::Link {
  explicit Link(asio::ip::tcp::socket s) : client(std::move(s)), node(client.get_executor()) {}
  // Closing both sockets ends both pumps: each one's pending read fails.
  void close() {
    beast::error_code ec;
    beast::get_lowest_layer(client).socket().close(ec);
    beast::get_lowest_layer(node).socket().close(ec);
  }
  Ws client;
  Ws node;
  Pending pending;  // used by both pumps, on the one I/O thread
};

CorruptingProxy::CorruptingProxy(std::uint16_t upstream_port, std::uint64_t seed)
    : upstream_port_(upstream_port), rng_(seed) {}

asio::awaitable<void> CorruptingProxy::session(asio::ip::tcp::socket socket) {
  auto link = std::make_shared<Link>(std::move(socket));
  try {
    // Metadata answers are a few hundred KiB of hex; a node's frames are not limited here.
    link->client.read_message_max(64u << 20);
    link->node.read_message_max(64u << 20);
    co_await link->client.async_accept(asio::use_awaitable);
    co_await beast::get_lowest_layer(link->node)
        .async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), upstream_port_),
                       asio::use_awaitable);
    co_await link->node.async_handshake("127.0.0.1:" + std::to_string(upstream_port_), "/",
                                        asio::use_awaitable);
  } catch (const std::exception&) {
    link->close();
    co_return;
  }
  asio::co_spawn(link->client.get_executor(), pump(link, false), [link](std::exception_ptr) { link->close(); });
  try {
    co_await pump(link, true);
  } catch (const std::exception&) {
    // Either side went away: the other is closed below, as a node's going away would close it.
  }
  link->close();
}

asio::awaitable<void> CorruptingProxy::pump(std::shared_ptr<Link> link, bool from_client) {
  Ws& in = from_client ? link->client : link->node;
  Ws& out = from_client ? link->node : link->client;
  for (;;) {
    beast::flat_buffer buf;
    co_await in.async_read(buf, asio::use_awaitable);
    const std::string frame = beast::buffers_to_string(buf.data());
    const std::string sent = from_client ? from_client_frame(frame, link->pending)
                                         : from_node(frame, link->pending);
    out.text(true);
    co_await out.async_write(asio::buffer(sent), asio::use_awaitable);
    forwarded_.fetch_add(1);
  }
}

std::string CorruptingProxy::from_client_frame(const std::string& frame, Pending& pending) {
  boost::system::error_code ec;
  json::value v = json::parse(frame, ec);
  if (ec) return frame;
  auto learn = [&](const json::value& req) {
    const json::object* o = req.if_object();
    if (!o) return;
    const json::value* id = o->if_contains("id");
    const json::value* method = o->if_contains("method");
    if (id && method && method->is_string()) pending[json::serialize(*id)] = std::string(method->as_string());
  };
  if (const json::array* batch = v.if_array()) {
    for (const auto& req : *batch) learn(req);
  } else {
    learn(v);
  }
  return frame;  // requests always pass unchanged
}

std::string CorruptingProxy::from_node(const std::string& frame, Pending& pending) {
  boost::system::error_code ec;
  json::value v = json::parse(frame, ec);
  if (ec) return frame;
  const Corruption m = mode_.load();
  bool changed = false;
  auto one = [&](json::value& msg) {
    json::object* o = msg.if_object();
    if (!o) return;
    if (json::value* id = o->if_contains("id"); id && !id->is_null()) {
      auto it = pending.find(json::serialize(*id));
      if (it == pending.end()) return;
      const std::string method = it->second;
      pending.erase(it);
      if (json::value* r = o->if_contains("result")) changed |= corrupt(m, method, *r);
      return;
    }
    // A subscription notification: {"method": "chain_finalizedHead", "params": {"subscription", "result"}}.
    const json::value* method = o->if_contains("method");
    json::value* params = o->if_contains("params");
    if (!method || !method->is_string() || !params || !params->is_object()) return;
    if (json::value* r = params->as_object().if_contains("result"))
      changed |= corrupt(m, std::string(method->as_string()), *r);
  };
  if (json::array* batch = v.if_array()) {
    for (auto& msg : *batch) one(msg);
  } else {
    one(v);
  }
  if (!changed) return frame;  // byte for byte what the node sent
  corrupted_.fetch_add(1);
  return json::serialize(v);
}

namespace {

bool is_header_method(const std::string& m) {
  return m == "chain_getHeader" || m == "chain_finalizedHead" || m == "chain_newHead" || m == "chain_allHead";
}
bool is_state_method(const std::string& m) {
  return m == "state_call" || m == "state_getStorage";
}
bool is_runtime_method(const std::string& m) {
  return m == "state_getRuntimeVersion" || m == "state_runtimeVersion";
}

}  // namespace

bool CorruptingProxy::corrupt(Corruption m, const std::string& method, json::value& r) {
  auto random_hex = [&](std::size_t bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < bytes * 2; ++i) s += kDigits[rng_() % 16];
    return s;
  };
  switch (m) {
    case Corruption::kNone:
      return false;
    case Corruption::kNulls:
      if (r.is_null()) return false;
      r = nullptr;
      return true;
    case Corruption::kHeaderNoParent:
    case Corruption::kHeaderNoNumber: {
      json::object* o = r.if_object();
      if (!is_header_method(method) || !o) return false;
      return o->erase(m == Corruption::kHeaderNoParent ? "parentHash" : "number") > 0;
    }
    case Corruption::kHeaderMistyped: {
      json::object* o = r.if_object();
      if (!is_header_method(method) || !o) return false;
      switch (variant_++ % 4) {
        case 0: {  // the right number, as a JSON number rather than "0x…" text
          const json::value* n = o->if_contains("number");
          std::uint64_t value = 7;
          if (n && n->is_string() && n->as_string().size() > 2)
            value = std::stoull(std::string(n->as_string().subview(2)), nullptr, 16);
          (*o)["number"] = value;
          break;
        }
        case 1:
          (*o)["parentHash"] = 12345;
          (*o)["number"] = "0xnot-a-number";
          break;
        case 2:
          (*o)["number"] = json::object{{"n", 1}};
          (*o)["parentHash"] = json::array{"0x00"};
          break;
        default:
          (*o)["number"] = "0x";
          (*o)["parentHash"] = "0x1234";  // two bytes, not a hash
          break;
      }
      return true;
    }
    case Corruption::kHeaderNotObject:
      if (!is_header_method(method)) return false;
      switch (variant_++ % 4) {
        case 0:
          r = "0xdeadbeef";
          break;
        case 1:
          r = json::array{1, 2, 3};
          break;
        case 2:
          r = 42;
          break;
        default:
          r = true;
          break;
      }
      return true;
    case Corruption::kStateTruncated: {
      if (!is_state_method(method) || !r.is_string()) return false;
      std::string s(r.as_string());
      if (s.size() <= 4) {
        r = s.size() == 4 ? "0x" : "0x0";
        return true;
      }
      const std::size_t bytes = (s.size() - 2) / 2;
      switch (variant_++ % 4) {
        case 0:  // the first half, whole bytes
          s.resize(2 + 2 * (bytes / 2));
          break;
        case 1:  // half a byte short
          s.pop_back();
          break;
        case 2:  // nothing at all
          s = "0x";
          break;
        default:  // the last byte missing
          s.resize(s.size() - 2);
          break;
      }
      r = s;
      return true;
    }
    case Corruption::kStateRandom: {
      if (!is_state_method(method) || !r.is_string()) return false;
      const std::size_t bytes = r.as_string().size() > 2 ? (r.as_string().size() - 2) / 2 : 0;
      std::string s;
      switch (variant_++ % 3) {
        case 0: {  // random bytes of another length than the real answer's
          std::size_t n = rng_() % (2 * bytes + 9);
          if (n == bytes) ++n;
          s = "0x" + random_hex(n);
          break;
        }
        case 1: {  // hex-looking text with characters that are not hex digits
          static constexpr char kChars[] = "0123456789abcdefxyz";
          s = "0x";
          const std::size_t n = 1 + rng_() % 64;
          for (std::size_t i = 0; i < n; ++i) s += kChars[rng_() % 19];
          s += 'z';
          break;
        }
        default:  // random bytes without the 0x prefix
          s = random_hex(1 + rng_() % 64);
          break;
      }
      r = s;
      return true;
    }
    case Corruption::kRuntimeBogus: {
      if (!is_runtime_method(method)) return false;
      json::object* o = r.if_object();
      const std::uint64_t v = variant_++ % 7;
      if (!o || v == 6) {
        r = "runtime";
        return true;
      }
      switch (v) {
        case 0:  // spec numbers no runtime ever had
          (*o)["specVersion"] = 4000000000u;
          break;
        case 1:
          (*o)["specVersion"] = 0;
          break;
        case 2:
          o->erase("specVersion");
          break;
        case 3:
          (*o)["specVersion"] = "302";
          break;
        case 4:
          o->erase("transactionVersion");
          o->erase("specName");
          break;
        default:
          (*o)["specVersion"] = 1e20;  // beyond u32, beyond u64
          break;
      }
      return true;
    }
  }
  return false;
}

}  // namespace pylon::e2e
