#include "rest/v1/revealed.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "codec/decoder.hpp"
#include "codec/scale_reader.hpp"
#include "codec/scale_writer.hpp"
#include "codec/ss58.hpp"
#include "common/json_writer.hpp"
#include "rest/v1/commitment_write.hpp"
#include "timelock/timelock.hpp"

namespace pylon::rest::v1 {
namespace {

constexpr std::string_view kPallet = "Commitments";
constexpr std::string_view kItem = "RevealedCommitments";

Error bad_state(const std::string& what) {
  return make_error(RevealedErrc::kBadState, std::string(kPallet) + "." + std::string(kItem) + ": " + what);
}

// The shared map's error (ChainErrc::kBadState, its message naming the item) as this module's kind.
Error revealed_error(Error e) {
  return make_error(RevealedErrc::kBadState, std::move(e.message));
}

// Through single-field wrappers (subtensor's NetUid(u16), BoundedVec) to the type itself.
codec::TypeId unwrapped(const codec::TypeRegistry& reg, codec::TypeId id) {
  for (int guard = 0; guard < 8 && reg.has(id); ++guard) {
    const codec::TypeDef& t = reg[id];
    if (t.kind != codec::TypeKind::Composite || t.fields.size() != 1 || t.special != codec::Special::None)
      return id;
    id = t.fields[0].type;
  }
  return id;
}

bool is_prim(const codec::TypeRegistry& reg, codec::TypeId id, codec::Primitive p) {
  const codec::TypeId u = unwrapped(reg, id);
  return reg.has(u) && reg[u].kind == codec::TypeKind::Primitive && reg[u].prim == p;
}

bool is_bytes(const codec::TypeRegistry& reg, codec::TypeId id) {
  const codec::TypeId u = unwrapped(reg, id);
  return reg.has(u) && reg[u].kind == codec::TypeKind::Sequence &&
         is_prim(reg, reg[u].elem, codec::Primitive::U8);
}

void write_block(JsonWriter& w, const chain::BlockRef& at) {
  w.key("block");
  w.begin_object();
  w.key("number");
  w.number(at.number);
  w.key("hash");
  w.string(to_hex(at.hash));
  w.end_object();
}

void write_entries(JsonWriter& w, const std::string& hotkey, const std::vector<RevealedEntry>& entries) {
  w.begin_array();
  for (const auto& e : entries) {
    w.begin_object();
    w.key("reveal_block_number");
    w.number(e.block);
    w.key("hotkey");
    w.string(hotkey);
    w.key("commitment");
    w.string(revealed_text(e.data));
    w.end_object();
  }
  w.end_array();
}

}  // namespace

Result<std::optional<RevealedDecoder>> RevealedDecoder::resolve(std::shared_ptr<const codec::Metadata> md) {
  auto map = chain::NetuidHotkeyMap::resolve(*md, kPallet, kItem);
  if (!map.ok()) return revealed_error(std::move(map).error());
  if (!*map) return std::optional<RevealedDecoder>();
  const codec::TypeRegistry& reg = md->types;
  // Value: Vec<(Vec<u8>, u64)> (bounded or not).
  const codec::TypeId value = (*map)->value();
  const codec::TypeId seq = unwrapped(reg, value);
  const codec::TypeDef* item = nullptr;
  if (reg.has(seq) && reg[seq].kind == codec::TypeKind::Sequence && reg.has(reg[seq].elem))
    item = &reg[reg[seq].elem];
  if (item == nullptr || item->kind != codec::TypeKind::Tuple || item->tuple.size() != 2 ||
      !is_bytes(reg, item->tuple[0]) || !is_prim(reg, item->tuple[1], codec::Primitive::U64))
    return bad_state("holds " + reg.display_name(value) + ", not a list of (bytes, u64)");
  RevealedDecoder d;
  d.map_ = std::move(**map);
  d.md_ = std::move(md);
  return std::optional<RevealedDecoder>(std::move(d));
}

Result<Bytes> RevealedDecoder::subnet_prefix(std::uint16_t netuid) const {
  return map_.prefix(netuid);
}

Result<std::vector<RevealedEntry>> RevealedDecoder::decode(ByteSpan value) const {
  auto v = codec::decode_exact(md_->types, map_.value(), value);
  if (!v.ok()) return bad_state("a value does not decode: " + v.error().message);
  // resolve() checked the types; the decoded shapes are checked here all the same.
  const codec::Value* list = &*v;
  if (list->kind == codec::Value::Kind::Object && list->fields.size() == 1) list = &list->fields[0].second;
  if (list->kind != codec::Value::Kind::Array) return bad_state("a value is not a list");
  std::vector<RevealedEntry> out;
  out.reserve(list->items.size());
  for (const auto& it : list->items) {
    if (it.kind != codec::Value::Kind::Array || it.items.size() != 2 ||
        it.items[0].kind != codec::Value::Kind::Bytes || it.items[1].kind != codec::Value::Kind::UInt)
      return bad_state("an entry is not (bytes, u64)");
    out.push_back(RevealedEntry{it.items[0].bytes, it.items[1].uint});
  }
  return out;
}

Result<std::pair<AccountId, std::vector<RevealedEntry>>> RevealedDecoder::decode_entry(ByteSpan key,
                                                                                       ByteSpan prefix,
                                                                                       ByteSpan value) const {
  std::pair<AccountId, std::vector<RevealedEntry>> out;
  auto hotkey = map_.hotkey(key, prefix);
  if (!hotkey.ok()) return revealed_error(std::move(hotkey).error());
  out.first = *hotkey;
  auto entries = decode(value);
  if (!entries.ok())
    return with_context("the revealed commitments of " + codec::ss58_encode(out.first), entries.error());
  out.second = std::move(entries).value();
  return out;
}

Result<RevealedMap> read_revealed(chain::ChainClient& chain, std::uint16_t netuid,
                                  const chain::BlockRef& at) {
  return chain::read_subnet_entries<RevealedDecoder, RevealedMap>(chain, netuid, at);
}

std::string revealed_text(ByteSpan data) {
  codec::ScaleReader r(data);
  auto len = r.compact();
  if (len.ok() && *len == r.remaining()) {
    const std::size_t off = data.size() - r.remaining();
    return std::string(reinterpret_cast<const char*>(data.data()) + off, data.size() - off);
  }
  return to_hex(data);
}

std::shared_ptr<const BlockRevealed> make_block_revealed(std::uint16_t netuid, const chain::BlockRef& at,
                                                         RevealedMap commitments) {
  auto out = std::make_shared<BlockRevealed>();
  out->netuid = netuid;
  out->at = at;
  JsonWriter w;
  w.begin_object();
  write_block(w, at);
  w.key("commitments");
  w.begin_object();
  for (const auto& [hotkey, entries] : commitments) {
    const std::string ss58 = codec::ss58_encode(hotkey);
    w.key(ss58);
    write_entries(w, ss58, entries);
  }
  w.end_object();
  w.end_object();
  out->map_body = std::make_shared<const std::string>(w.take());
  out->commitments = std::move(commitments);
  return out;
}

std::optional<std::string> render_revealed_of(const BlockRevealed& r, const AccountId& hotkey) {
  const auto it = r.commitments.find(hotkey);
  if (it == r.commitments.end()) return std::nullopt;
  JsonWriter w;
  w.begin_object();
  write_block(w, r.at);
  w.key("commitments");
  write_entries(w, codec::ss58_encode(hotkey), it->second);
  w.end_object();
  return w.take();
}

std::shared_ptr<const BlockRevealed> RevealedCache::find(std::uint16_t netuid, const BlockHash& at) const {
  Lock lock(mu_);
  for (const auto& r : kept_)
    if (r->netuid == netuid && r->at.hash == at) return r;
  return nullptr;
}

void RevealedCache::keep(std::shared_ptr<const BlockRevealed> r) {
  Lock lock(mu_);
  kept_.remove_if([&](const auto& k) { return k->netuid == r->netuid && k->at.hash == r->at.hash; });
  kept_.push_front(std::move(r));
  while (kept_.size() > kKept) kept_.pop_back();
}

std::optional<std::uint64_t> reveal_round_after(std::uint64_t now_unix, std::uint64_t blocks_until_reveal,
                                                double block_seconds) {
  if (now_unix < timelock::kQuicknetGenesis || !(block_seconds > 0) || !std::isfinite(block_seconds))
    return std::nullopt;
  const double wait = std::round(static_cast<double>(blocks_until_reveal) * block_seconds);
  // 2^63 keeps the sum below 2^64 and the conversion defined.
  if (!(wait < 9.2e18)) return std::nullopt;
  const std::uint64_t since = now_unix - timelock::kQuicknetGenesis;
  const auto w = static_cast<std::uint64_t>(wait);
  if (w > std::numeric_limits<std::uint64_t>::max() - since) return std::nullopt;
  return (since + w) / timelock::kQuicknetPeriodSeconds;
}

Bytes scale_string(std::string_view s) {
  codec::ScaleWriter w;
  w.compact(s.size());
  Bytes out = w.out();
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

Result<std::string> timelocked_commitment_args(const codec::Metadata& md, std::uint16_t netuid,
                                               ByteSpan ciphertext, std::uint64_t round) {
  PYLON_ASSIGN(const codec::TypeDef* data_t, commitment_data_type(md));
  const codec::TypeRegistry& types = md.types;
  const codec::Variant* tle = nullptr;
  for (const auto& v : data_t->variants)
    if (v.name == "TimelockEncrypted") tle = &v;
  const auto field = [&](std::string_view name) -> const codec::Field* {
    if (tle == nullptr) return nullptr;
    for (const auto& f : tle->fields)
      if (f.name == name) return &f;
    return nullptr;
  };
  const codec::Field* encrypted = field("encrypted");
  const codec::Field* reveal_round = field("reveal_round");
  if (tle == nullptr || tle->fields.size() != 2 || encrypted == nullptr || reveal_round == nullptr ||
      !is_bytes(types, encrypted->type) || !is_prim(types, reveal_round->type, codec::Primitive::U64))
    return make_error(
        CommitmentCallErrc::kNoCall,
        "this runtime's commitment Data has no TimelockEncrypted{encrypted: bytes, reveal_round: "
        "u64}");
  std::string args = "{\"netuid\":" + std::to_string(netuid) +
                     ",\"info\":{\"fields\":[{\"TimelockEncrypted\":{\"encrypted\":\"";
  append_hex(args, ciphertext);
  args += "\",\"reveal_round\":" + std::to_string(round) + "}}]}}";
  return args;
}

}  // namespace pylon::rest::v1
