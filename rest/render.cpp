#include "rest/render.hpp"

#include <boost/asio/ip/address_v6.hpp>
#include <charconv>
#include <cmath>

#include "codec/ss58.hpp"
#include "codec/ss58_book.hpp"
#include "common/json_writer.hpp"
#include "rest/v1/render.hpp"

namespace pylon::rest {
namespace {

constexpr double kRaoPerTao = 1e9;
constexpr double kU16Max = 65535.0;

void append_u64(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_u128(std::string& out, codec::u128 v) {
  if (v <= UINT64_MAX) return append_u64(out, static_cast<std::uint64_t>(v));
  char buf[40];
  char* p = buf + sizeof buf;
  while (v) {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  out.append(p, buf + sizeof buf);
}

void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;  // keys here are fixed identifiers or SS58 text: nothing to escape
  out += "\":";
}

}  // namespace

void append_float(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void append_weight_map(std::string& out, const std::map<AccountId, double>& weights) {
  out += '{';
  bool first = true;
  for (const auto& [hotkey, weight] : weights) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += codec::ss58_encode(hotkey);
    out += "\":";
    append_float(out, weight);
  }
  out += '}';
}

std::string ip_text(const codec::views::AxonInfo& axon) {
  if (axon.ip_type == 6) {
    boost::asio::ip::address_v6::bytes_type b{};
    codec::u128 v = axon.ip;
    for (int i = 15; i >= 0; --i) {
      b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(v & 0xff);
      v >>= 8;
    }
    return boost::asio::ip::address_v6(b).to_string();
  }
  const auto v4 = static_cast<std::uint32_t>(axon.ip & 0xffffffffu);
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    append_u64(out, (v4 >> shift) & 0xffu);
    if (shift) out += '.';
  }
  return out;
}

namespace {
// The neuron's object with the given incentive and last_update: the neuron's own (mechanism 0) or
// another mechanism's, the only two fields subtensor keeps per mechanism.
void append_neuron_fields_of(std::string& out, const codec::views::NeuronLite& n, std::string_view hotkey,
                             std::string_view coldkey, std::uint16_t incentive, std::uint64_t last_update) {
  out += "{\"uid\":";
  append_u64(out, n.uid);
  out += ",\"coldkey\":\"";
  out += coldkey;
  out += "\",\"hotkey\":\"";
  out += hotkey;
  out += "\",\"active\":";
  out += n.active ? "true" : "false";
  out += ",\"axon_info\":{\"ip\":\"";
  out += ip_text(n.axon);
  out += "\",\"port\":";
  append_u64(out, n.axon.port);
  out += ",\"protocol\":";
  append_u64(out, n.axon.protocol);
  out += "},\"stake\":";
  append_float(out, static_cast<double>(n.total_stake()) / kRaoPerTao);
  const std::pair<std::string_view, std::uint16_t> fractions[] = {{"rank", n.rank},
                                                                  {"incentive", incentive},
                                                                  {"consensus", n.consensus},
                                                                  {"trust", n.trust},
                                                                  {"validator_trust", n.validator_trust},
                                                                  {"dividends", n.dividends}};
  out += ",\"rank\":";
  append_float(out, n.rank / kU16Max);
  out += ",\"emission\":";
  append_float(out, static_cast<double>(n.emission) / kRaoPerTao);
  for (std::size_t i = 1; i < std::size(fractions); ++i) {
    out += ",\"";
    out += fractions[i].first;
    out += "\":";
    append_float(out, fractions[i].second / kU16Max);
  }
  out += ",\"last_update\":";
  append_u64(out, last_update);
  out += ",\"validator_permit\":";
  out += n.validator_permit ? "true" : "false";
  out += ",\"pruning_score\":";
  append_u64(out, n.pruning_score);
}

// The metagraph with each neuron's incentive and last_update from fields(n).
template <class Fields>
std::string render_metagraph_with(const follower::Snapshot& s, Fields fields) {
  std::string out;
  out.reserve(256 + s.neurons.size() * 480);
  out += "{\"block\":";
  append_u64(out, s.block);
  out += ",\"block_hash\":\"";
  append_hex(out, s.block_hash);
  out += "\",\"neurons\":{";
  bool first = true;
  codec::Ss58Book book;  // each account rendered once (a coldkey owns many hotkeys)
  for (const auto& n : s.neurons) {
    if (!first) out += ',';
    first = false;
    const std::string& hotkey = book.text(n.hotkey);
    append_key(out, hotkey);
    const auto [incentive, last_update] = fields(n);
    append_neuron_fields_of(out, n, hotkey, book.text(n.coldkey), incentive, last_update);
    out += '}';
  }
  out += "}}";
  return out;
}
}  // namespace

void append_neuron_fields(std::string& out, const codec::views::NeuronLite& n, std::string_view hotkey,
                          std::string_view coldkey) {
  append_neuron_fields_of(out, n, hotkey, coldkey, n.incentive, n.last_update);
}

std::string render_metagraph(const follower::Snapshot& s) {
  return render_metagraph_with(s, [](const codec::views::NeuronLite& n) {
    return std::pair<std::uint16_t, std::uint64_t>{n.incentive, n.last_update};
  });
}

std::string render_metagraph(const follower::Snapshot& s, const follower::MechanismNeurons& m) {
  return render_metagraph_with(s, [&m](const codec::views::NeuronLite& n) {
    // A uid past a column's end reads 0, as subtensor reads a missing entry.
    return std::pair<std::uint16_t, std::uint64_t>{n.uid < m.incentives.size() ? m.incentives[n.uid] : 0,
                                                   n.uid < m.last_update.size() ? m.last_update[n.uid] : 0};
  });
}

std::string render_latest_block(const follower::Snapshot& s) {
  std::string out = "{\"block\":";
  append_u64(out, s.block);
  out += '}';
  return out;
}

std::string render_block_hash(const BlockHash& h) {
  std::string out = "{\"block_hash\":\"";
  append_hex(out, h);
  out += "\"}";
  return out;
}

std::string render_hyperparams(const follower::Snapshot& s) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, v] : s.hyperparams->fields) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    out += ':';
    switch (v.kind) {
      case codec::views::Scalar::Kind::Bool:
        out += v.flag ? "true" : "false";
        break;
      case codec::views::Scalar::Kind::Int: {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, v.sint);
        out.append(buf, r.ptr);
        break;
      }
      case codec::views::Scalar::Kind::UInt:
        append_u128(out, v.uint);
        break;
    }
  }
  out += '}';
  return out;
}

std::string render_commitments(const follower::Snapshot& s) {
  std::string out = "{";
  bool first = true;
  for (const auto& c : *s.commitments) {
    if (!first) out += ',';
    first = false;
    append_key(out, codec::ss58_encode(c.hotkey));
    out += '"';
    append_hex(out, c.commitment.concatenated());
    out += '"';
  }
  out += '}';
  return out;
}

namespace {
// Renders into `slot` the first time any I/O thread asks; the others wait for that one render and
// then share its bytes. Afterwards a call costs one acquire load.
template <class T, class F>
const std::shared_ptr<const T>& once(std::once_flag& flag, std::shared_ptr<const T>& slot, F&& make) {
  std::call_once(flag, [&] { slot = make(); });
  return slot;
}
template <class F>
std::shared_ptr<const std::string> text(F&& make) {
  return std::make_shared<const std::string>(make());
}
}  // namespace

const std::shared_ptr<const std::string>& RenderedSnapshot::metagraph() {
  return once(metagraph_once_, metagraph_, [&] { return text([&] { return render_metagraph(*snap_); }); });
}
const std::shared_ptr<const FileBody>& RenderedSnapshot::metagraph_file() {
  return once(metagraph_file_once_, metagraph_file_, [&] { return make_file_body(*metagraph()); });
}
const std::shared_ptr<const std::string>& RenderedSnapshot::latest_block() {
  return once(latest_block_once_, latest_block_,
              [&] { return text([&] { return render_latest_block(*snap_); }); });
}
const std::shared_ptr<const std::string>& RenderedSnapshot::block_hash() {
  return once(block_hash_once_, block_hash_,
              [&] { return text([&] { return render_block_hash(snap_->block_hash); }); });
}
const std::shared_ptr<const std::string>& RenderedSnapshot::hyperparams() {
  if (!snap_->hyperparams) return hyperparams_;
  return once(hyperparams_once_, hyperparams_,
              [&] { return text([&] { return render_hyperparams(*snap_); }); });
}
const std::shared_ptr<const std::string>& RenderedSnapshot::commitments() {
  if (!snap_->commitments) return commitments_;
  return once(commitments_once_, commitments_,
              [&] { return text([&] { return render_commitments(*snap_); }); });
}

const std::shared_ptr<const std::string>& RenderedSnapshot::v1_block_latest() {
  return once(v1_block_latest_once_, v1_block_latest_,
              [&] { return text([&] { return v1::render_block_latest(*snap_); }); });
}
const std::shared_ptr<const std::string>& RenderedSnapshot::v1_commitments() {
  if (!snap_->commitments) return v1_commitments_;
  return once(v1_commitments_once_, v1_commitments_,
              [&] { return text([&] { return v1::render_commitments(*snap_); }); });
}
const std::shared_ptr<const std::string>& RenderedSnapshot::v1_neurons() {
  if (!snap_->stakes) return v1_neurons_;
  return once(v1_neurons_once_, v1_neurons_,
              [&] { return text([&] { return v1::render_neurons(*snap_); }); });
}
const std::shared_ptr<const std::string>& RenderedSnapshot::v1_validators() {
  if (!snap_->stakes) return v1_validators_;
  return once(v1_validators_once_, v1_validators_,
              [&] { return text([&] { return v1::render_validators(*snap_); }); });
}

const std::shared_ptr<const std::string>& RenderedSnapshot::body(Body b) {
  switch (b) {
    case Body::metagraph:
      return metagraph();
    case Body::hyperparams:
      return hyperparams();
    case Body::commitments:
      return commitments();
    case Body::v1_commitments:
      return v1_commitments();
    case Body::v1_neurons:
      return v1_neurons();
    case Body::v1_validators:
      return v1_validators();
  }
  return metagraph();  // not reached: every Body is a case above
}

void RenderedSnapshot::prepare() {
  std::call_once(prepare_once_, [&] {
    (void)latest_block();
    (void)block_hash();
    (void)v1_block_latest();
    (void)metagraph_file();
    for (std::size_t i = 0; i < kBodies; ++i)
      if (const auto& b = body(static_cast<Body>(i))) compressed_[i] = compress_body(*b);
    prepared_.store(true, std::memory_order_release);
  });
}

std::shared_ptr<const CompressedBody> RenderedSnapshot::compressed(Body b) const {
  if (!prepared()) return nullptr;
  return compressed_[static_cast<std::size_t>(b)];
}

Response RenderedSnapshot::response(Body b) {
  Response r = shared_response(200, body(b));
  r.compressed = compressed(b);
  if (b == Body::metagraph) r.file = metagraph_file();
  return r;
}

}  // namespace pylon::rest
