#include "rest/v1/render.hpp"

#include <algorithm>
#include <numeric>

#include "codec/ss58.hpp"
#include "codec/ss58_book.hpp"
#include "common/hex.hpp"
#include "common/json_writer.hpp"
#include "rest/render.hpp"

namespace pylon::rest::v1 {
namespace {

// {"number", "hash"}: the block the data was read at.
void block(JsonWriter& w, const follower::Snapshot& s) {
  w.begin_object();
  w.key("number");
  w.number(s.block);
  w.key("hash");
  w.string(to_hex(s.block_hash));
  w.end_object();
}

// The v1 map serves hex data only: a commitment holding a timelock-encrypted field is not data
// the reader can use until it is revealed.
bool timelocked(const codec::views::Commitment& c) {
  for (const auto& f : c.fields)
    if (f.kind == "TimelockEncrypted") return true;
  return false;
}

constexpr double kRaoPerTao = 1e9;

// Indices of s.neurons in uid order (get_neurons_lite lists them so; sorting makes it a promise).
std::vector<std::size_t> by_uid(const follower::Snapshot& s) {
  std::vector<std::size_t> order(s.neurons.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return s.neurons[a].uid < s.neurons[b].uid; });
  return order;
}

// The v1 Neuron of s.neurons[i], with its stakes (s.stakes[i]).
void append_neuron(std::string& out, const follower::Snapshot& s, std::size_t i, codec::Ss58Book& book) {
  const auto& n = s.neurons[i];
  const auto& st = (*s.stakes)[i];
  const std::string& hotkey = book.text(n.hotkey);
  append_neuron_fields(out, n, hotkey, book.text(n.coldkey));
  out += ",\"stakes\":{\"alpha\":";
  append_float(out, static_cast<double>(st.alpha) / kRaoPerTao);
  out += ",\"tao\":";
  append_float(out, static_cast<double>(st.tao) / kRaoPerTao);
  out += ",\"total\":";
  append_float(out, static_cast<double>(st.total) / kRaoPerTao);
  out += "}}";
}

std::string block_text(const follower::Snapshot& s) {
  JsonWriter w;
  block(w, s);
  return w.take();
}

}  // namespace

std::string render_neurons(const follower::Snapshot& s) {
  std::string out;
  out.reserve(256 + s.neurons.size() * 560);
  out += "{\"block\":";
  out += block_text(s);
  out += ",\"neurons\":{";
  codec::Ss58Book book;  // each account rendered once (a coldkey owns many hotkeys)
  bool first = true;
  for (const std::size_t i : by_uid(s)) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, book.text(s.neurons[i].hotkey));
    out += ':';
    append_neuron(out, s, i, book);
  }
  out += "}}";
  return out;
}

std::string render_validators(const follower::Snapshot& s) {
  std::vector<std::size_t> order;
  for (const std::size_t i : by_uid(s))
    if (s.neurons[i].validator_permit) order.push_back(i);
  // Stable: validators of equal total stake stay in uid order.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return (*s.stakes)[a].total > (*s.stakes)[b].total; });
  std::string out;
  out.reserve(256 + order.size() * 560);
  out += "{\"block\":";
  out += block_text(s);
  out += ",\"validators\":[";
  codec::Ss58Book book;
  bool first = true;
  for (const std::size_t i : order) {
    if (!first) out += ',';
    first = false;
    append_neuron(out, s, i, book);
  }
  out += "]}";
  return out;
}

std::string render_block_latest(const follower::Snapshot& s) {
  JsonWriter w;
  w.begin_object();
  w.key("number");
  w.number(s.block);
  w.key("hash");
  w.string(to_hex(s.block_hash));
  w.key("timestamp");
  w.number(s.timestamp_ms / 1000);
  w.end_object();
  return w.take();
}

std::string render_commitments(const follower::Snapshot& s) {
  JsonWriter w;
  w.begin_object();
  w.key("block");
  block(w, s);
  w.key("commitments");
  w.begin_object();
  for (const auto& c : *s.commitments) {
    if (timelocked(c.commitment) || s.neuron_by_hotkey(c.hotkey) == nullptr) continue;
    w.key(codec::ss58_encode(c.hotkey));
    w.string(to_hex(c.commitment.concatenated()));
  }
  w.end_object();
  w.end_object();
  return w.take();
}

OneCommitment render_commitment(const follower::Snapshot& s, const AccountId& hotkey) {
  OneCommitment out;
  if (s.neuron_by_hotkey(hotkey) == nullptr) return out;
  for (const auto& c : *s.commitments) {
    if (c.hotkey != hotkey) continue;
    if (timelocked(c.commitment)) {
      out.lookup = CommitmentLookup::timelocked;
      return out;
    }
    JsonWriter w;
    w.begin_object();
    w.key("block");
    block(w, s);
    w.key("commitment_block_number");
    w.number(c.commitment.block);
    w.key("hotkey");
    w.string(codec::ss58_encode(c.hotkey));
    w.key("commitment");
    w.string(to_hex(c.commitment.concatenated()));
    w.end_object();
    out.lookup = CommitmentLookup::found;
    out.body = w.take();
    return out;
  }
  return out;
}

std::string render_identities(const Options& o) {
  JsonWriter w;
  w.begin_object();
  w.key("identities");
  w.begin_object();
  for (const auto& id : o.identities) {
    w.key(id.name);
    w.number(static_cast<std::uint64_t>(id.netuid));
  }
  w.end_object();
  w.end_object();
  return w.take();
}

}  // namespace pylon::rest::v1
