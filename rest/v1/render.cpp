#include "rest/v1/render.hpp"

#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "common/json_writer.hpp"

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

}  // namespace

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
