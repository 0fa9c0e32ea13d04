// The same hyperparameters answered through _v2 and through _v3, encoded by Pylon's encoder from
// the metadata's own types: every field of the runtime's v2 struct gets a value of its own
// (numbers differ per field, bools alternate), and the v3 list carries the same names and values
// in the variants subtensor uses for them (U16, U64, TaoBalance, Bool, I32F32, ...).
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "codec/encoder.hpp"
#include "codec/metadata.hpp"
#include "codec/views/hyperparams.hpp"
#include "codec/views/shapes.hpp"

namespace pylon::test {

struct HyperparamAnswers {
  Bytes v2, v3;
  std::size_t fields = 0;
};

// JSON of `number` as a value of `type` (an integer behind newtypes or Compact, a bool, or a
// fixed-point {bits} struct), as the encoder takes it.
inline std::string scalar_json(const codec::TypeRegistry& reg, codec::TypeId type,
                               const std::string& number) {
  const codec::TypeDef& t = reg[type];
  if (t.kind == codec::TypeKind::Compact) return scalar_json(reg, t.elem, number);
  if (t.kind == codec::TypeKind::Composite && t.fields.size() == 1) {
    const std::string inner = scalar_json(reg, t.fields[0].type, number);
    return t.fields[0].name.empty() ? inner : "{\"" + t.fields[0].name + "\":" + inner + "}";
  }
  return number;
}

// `md` has both the v2 and the v3 method (test::with_hyperparams_v3). Encoding errors fail the test.
inline HyperparamAnswers distinct_hyperparam_answers(const codec::Metadata& md) {
  using namespace codec;
  HyperparamAnswers out;
  const TypeRegistry& reg = md.types;
  const TypeId v2_out = md.api_method(views::kHyperparamsV2Method)->output;
  const TypeId v3_out = md.api_method(views::kHyperparamsV3Method)->output;
  const TypeDef& v2 = reg[reg[v2_out].variant_at(1)->fields[0].type];
  const TypeDef& value = reg[reg[reg[reg[v3_out].variant_at(1)->fields[0].type].elem].fields[1].type];
  std::string v2_json = "{", v3_json = "[";
  for (std::size_t i = 0; i < v2.fields.size(); ++i) {
    const Field& f = v2.fields[i];
    auto shape = views::scalar_shape(reg, f.type);
    EXPECT_TRUE(shape.has_value()) << f.name;
    if (!shape) return out;
    std::string number, variant;
    if (shape->first == views::Scalar::Kind::Bool) {
      number = i % 2 ? "true" : "false";
      variant = "Bool";
    } else if (shape->first == views::Scalar::Kind::Int) {
      number = "-" + std::to_string(4000 + i);
      variant = "I32F32";
    } else {
      switch (shape->second.width) {
        case 2:
          number = std::to_string(1000 + i);
          variant = "U16";
          break;
        case 4:
          number = std::to_string(100000 + i);
          variant = "U32";
          break;
        default:  // beyond 32 bits, so the compact's big-integer mode is read
          number = std::to_string(5000000000ull + i);
          variant = shape->second.width == 16 ? "U128" : "U64";
      }
      if (f.type_name.find("Tao") != std::string::npos) variant = "TaoBalance";
    }
    const Variant* var = value.variant_named(variant);
    EXPECT_NE(var, nullptr) << variant;
    if (!var) return out;
    if (i) v2_json += ',', v3_json += ',';
    v2_json += "\"" + f.name + "\":" + scalar_json(reg, f.type, number);
    v3_json += "{\"name\":\"" + f.name + "\",\"value\":{\"" + variant +
               "\":" + scalar_json(reg, var->fields[0].type, number) + "}}";
  }
  v2_json += '}', v3_json += ']';
  simdjson::dom::parser p2, p3;
  auto a = encode_json(reg, v2_out, p2.parse(v2_json).value());
  auto b = encode_json(reg, v3_out, p3.parse(v3_json).value());
  EXPECT_TRUE(a.ok()) << a.error().message << " " << v2_json;
  EXPECT_TRUE(b.ok()) << b.error().message << " " << v3_json;
  if (a.ok() && b.ok()) {
    out.v2 = *a;
    out.v3 = *b;
    out.fields = v2.fields.size();
  }
  return out;
}

}  // namespace pylon::test
