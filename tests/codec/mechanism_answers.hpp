// The mechanisms' storage values and get_selective_mechagraph answers as a node gives them, built
// by Pylon's encoder from the metadata's own types, on the shared metadata of the devnet runtime
// (spec 381: MechanismCountCurrent, MechanismEmissionSplit, get_selective_mechagraph) and of the
// local one (spec 293: none of them). Shared by the follower's and the segment's mechanism tests.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>

#include "codec/encoder.hpp"
#include "codec/metadata.hpp"
#include "codec/views/mechanisms.hpp"
#include "test_support.hpp"

namespace pylon::test {

inline constexpr const char* kDevnetMetadata = "chain/devnet-metadata-v16.scale";
inline constexpr const char* kLocalMetadata = "chain/localnet/spec293-metadata-v15.option.hex";

// The metadata file `rel` of the shared folder, or nullptr with a failed expectation.
inline std::shared_ptr<const codec::Metadata> load_shared_metadata(const char* rel) {
  auto md = codec::load_metadata_file(shared_path(rel));
  EXPECT_TRUE(md.ok()) << md.error().message;
  return md.ok() ? *md : nullptr;
}

// A value of `type` from JSON through Pylon's encoder; empty, with a failed expectation, when it
// does not encode.
inline Bytes encoded_json(const codec::Metadata& md, codec::TypeId type, const std::string& json) {
  simdjson::dom::parser p;
  auto bytes = codec::encode_json(md.types, type, p.parse(json));
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  return bytes.ok() ? *bytes : Bytes{};
}

// SubtensorModule.`item`'s stored value from JSON.
inline Bytes subtensor_value(const codec::Metadata& md, const char* item, const std::string& json) {
  return encoded_json(md, md.pallet("SubtensorModule")->storage_entry(item)->value, json);
}

// get_selective_mechagraph's answer for `netuid`: the two per-mechanism columns (JSON lists),
// every other field None.
inline Bytes mechagraph_answer(const codec::Metadata& md, std::uint16_t netuid, const std::string& incentives,
                               const std::string& last_update) {
  const codec::RuntimeApiMethod* m = md.api_method(codec::views::MechagraphView::kMethod);
  const codec::TypeDef& st = md.types[md.types[m->output].variants[1].fields[0].type];
  std::string json = "{";
  for (std::size_t i = 0; i < st.fields.size(); ++i) {
    const std::string& name = st.fields[i].name;
    const std::string value = name == "netuid"        ? std::to_string(netuid)
                              : name == "incentives"  ? incentives
                              : name == "last_update" ? last_update
                                                      : "null";
    json += (i ? ",\"" : "\"") + name + "\":" + value;
  }
  return encoded_json(md, m->output, json + "}");
}

}  // namespace pylon::test
