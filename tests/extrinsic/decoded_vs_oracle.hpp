// Pylon's decode of a signed extrinsic against what the oracle's decode-extrinsic read from the same
// bytes: pallet and call, signer, hash, length (py-scale-codec's: without the compact prefix),
// format version and every argument. Shared by decode_test and signed_oracle_test, which checks
// each extrinsic it builds this way on the one oracle answer it also checks the build against.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cctype>
#include <string>
#include <string_view>

#include "codec/json_render.hpp"
#include "extrinsic/decode.hpp"
#include "extrinsic/signed.hpp"

namespace pylon::extrinsic::test {

// polkadot-js's section and method names: lowerCamelCase ("SubtensorModule" -> "subtensorModule",
// "set_weights" -> "setWeights").
inline std::string camel(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '_' && i + 1 < name.size()) {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(name[++i])));
    } else {
      out += name[i];
    }
  }
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

// The oracle's argument object ({snake_name: value}) against ours, one argument at a time.
inline void expect_args_match(const DecodedExtrinsic& x, simdjson::dom::element oracle_args) {
  simdjson::dom::object o;
  ASSERT_EQ(oracle_args.get_object().get(o), simdjson::SUCCESS);
  ASSERT_EQ(o.size(), x.args.size());
  for (const auto& a : x.args) {
    simdjson::dom::element want;
    ASSERT_EQ(o[codec::json_key(a.name)].get(want), simdjson::SUCCESS) << a.name;
    simdjson::dom::parser p;
    simdjson::dom::element ours = p.parse(codec::render_json(a.value));
    EXPECT_EQ(simdjson::to_string(ours), simdjson::to_string(want)) << a.name;
  }
}

// `built` (the call `call_name`, "Pallet.call") decoded with `md`, against the oracle's answer `d`.
inline void expect_decoded_as_oracle(const codec::Metadata& md, const SignedExtrinsic& built,
                                     std::string_view call_name, simdjson::dom::element d) {
  auto x = decode_extrinsic(md, built.bytes);
  ASSERT_TRUE(x.ok()) << x.error().message;
  EXPECT_EQ(x->pallet + "." + x->call, call_name);
  EXPECT_EQ(std::string_view(d["section"]), camel(x->pallet));
  EXPECT_EQ(std::string_view(d["method"]), camel(x->call));
  ASSERT_TRUE(x->address);
  EXPECT_EQ(address_ss58(*x->address).value_or(""), std::string_view(d["signer"]));
  EXPECT_EQ(x->hash, built.hash);
  EXPECT_EQ(x->length + 1 + (x->length >= 64 ? 1 : 0) + (x->length >= 16384 ? 2 : 0),
            uint64_t(d["encoded_length"]));
  EXPECT_EQ(x->version, 4);
  expect_args_match(*x, d["args"]);
}

}  // namespace pylon::extrinsic::test
