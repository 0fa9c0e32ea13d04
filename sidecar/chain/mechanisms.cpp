#include "chain/mechanisms.hpp"

#include "chain/storage_key.hpp"
#include "codec/storage_value.hpp"

namespace pylon::chain {

namespace {
constexpr std::string_view kPallet = "SubtensorModule";
}  // namespace

Result<codec::views::Mechanisms> read_mechanisms(ChainClient& chain, const codec::Metadata& md,
                                                 std::uint16_t netuid, const BlockRef& at) {
  if (!codec::views::has_mechanisms(md)) return codec::views::Mechanisms{};
  const std::string block = " at #" + std::to_string(at.number);
  const Bytes netuid_key{static_cast<std::uint8_t>(netuid), static_cast<std::uint8_t>(netuid >> 8)};
  // The raw value of SubtensorModule.<item>(netuid); nothing when the runtime lacks the item.
  auto raw = [&](std::string_view item) -> Result<std::optional<Bytes>> {
    if (!codec::has_storage_item(md, kPallet, item)) return std::optional<Bytes>{};
    auto key = storage_key(md, kPallet, item, {netuid_key});
    if (!key.ok()) return make_error(ChainErrc::kBadState, key.error().message);
    auto v = chain.storage(*key, at);
    if (!v.ok())
      return with_context(std::string(kPallet) + "." + std::string(item) + block, std::move(v).error());
    return v;
  };
  auto bad_state = [&](Error e) {
    return make_error(ChainErrc::kBadState, "the subnet's mechanisms" + block + ": " + e.message);
  };
  PYLON_ASSIGN(std::optional<Bytes> count_raw, raw("MechanismCountCurrent"));
  auto count = codec::views::decode_mechanisms(md, count_raw, std::nullopt);
  if (!count.ok()) return bad_state(std::move(count).error());
  if (count->count <= 1) return count;
  PYLON_ASSIGN(std::optional<Bytes> split_raw, raw("MechanismEmissionSplit"));
  auto mechanisms = codec::views::decode_mechanisms(md, count_raw, split_raw);
  if (!mechanisms.ok()) return bad_state(std::move(mechanisms).error());
  return mechanisms;
}

}  // namespace pylon::chain
