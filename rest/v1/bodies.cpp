#include "rest/v1/bodies.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <map>

#include "rest/body.hpp"
#include "weights/weight_value.hpp"

namespace pylon::rest::v1 {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

const char* const kNotObject = "Input should be a valid dictionary or object to extract fields from";
const char* const kNotNumber = "Input should be a valid number, unable to parse string as a number";

// Python's float() of a string: surrounding whitespace, an optional sign, inf/nan spelled out.
std::optional<double> number_text(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\n' || t.front() == '\r'))
    t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r'))
    t.remove_suffix(1);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  double v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

std::optional<double> number_of(element e, std::string& why) {
  double v = 0;
  switch (e.type()) {
    case element_type::DOUBLE:
    case element_type::INT64:
    case element_type::UINT64:
      if (e.get_double().get(v)) return std::nullopt;
      return v;
    case element_type::STRING: {
      std::string_view s;
      if (!e.get_string().get(s))
        if (auto n = number_text(s)) return n;
      why = kNotNumber;
      return std::nullopt;
    }
    default:
      why = "Input should be a valid number";
      return std::nullopt;
  }
}

// The body as a JSON object, or the field error saying it is not one.
std::optional<simdjson::dom::object> object_of(simdjson::dom::parser& parser, std::string_view body,
                                               std::vector<FieldError>& errors) {
  element root;
  simdjson::dom::object obj;
  // An empty body may have no buffer at all (data() null), which simdjson must not be handed.
  if (body.empty() || parser.parse(body.data(), body.size()).get(root) || root.get_object().get(obj)) {
    errors.push_back({"", kNotObject});
    return std::nullopt;
  }
  return obj;
}

int hex_digit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

// Python's bytes.fromhex: whitespace may come before each pair, never inside one.
std::optional<Bytes> from_hex_python(std::string_view t) {
  Bytes out;
  out.reserve(t.size() / 2);
  std::size_t i = 0;
  while (true) {
    while (i < t.size() &&
           (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r' || t[i] == '\v' || t[i] == '\f'))
      ++i;
    if (i == t.size()) return out;
    const int hi = hex_digit(t[i]);
    const int lo = i + 1 < t.size() ? hex_digit(t[i + 1]) : -1;
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    i += 2;
  }
}

}  // namespace

std::variant<Bytes, std::vector<FieldError>> decode_commitment(std::string_view body) {
  simdjson::dom::parser parser;
  std::vector<FieldError> errors;
  auto obj = object_of(parser, body, errors);
  if (!obj) return errors;
  std::optional<element> commitment;  // a later duplicate wins, as in a Python dict
  for (auto [key, value] : *obj)
    if (key == "commitment") commitment = value;
  if (!commitment) return std::vector<FieldError>{{"commitment", "Field required"}};
  std::string_view text;
  if (commitment->get_string().get(text))
    return std::vector<FieldError>{{"commitment", "Value error, commitment must be bytes or hex string"}};
  if (text.starts_with("0x")) text.remove_prefix(2);
  auto bytes = from_hex_python(text);
  if (!bytes)
    return std::vector<FieldError>{
        {"commitment", "Value error, passed commitment data is not a valid hex string."}};
  if (bytes->empty()) return std::vector<FieldError>{{"commitment", "Data should have at least 1 byte"}};
  return std::move(*bytes);
}

std::variant<WeightsBody, std::vector<FieldError>> decode_weights(std::string_view body) {
  simdjson::dom::parser parser;
  std::vector<FieldError> errors;
  auto obj = object_of(parser, body, errors);
  if (!obj) return errors;
  element weights;
  if ((*obj)["weights"].get(weights)) return std::vector<FieldError>{{"weights", "Field required"}};
  simdjson::dom::object map;
  if (weights.get_object().get(map))
    return std::vector<FieldError>{{"weights", "Input should be a valid dictionary"}};
  std::map<std::string_view, element> entries;  // a later duplicate wins, as in a Python dict
  for (auto [key, value] : map) entries[key] = value;
  if (entries.empty()) return std::vector<FieldError>{{"weights", "Value error, No weights provided"}};
  WeightsBody out;
  out.count = entries.size();
  for (const auto& [key, value] : entries) {
    if (key.empty()) {
      errors.push_back({"weights", "Value error, Invalid hotkey: '' must be a non-empty string"});
      continue;
    }
    std::string why;
    const auto v = number_of(value, why);
    const std::string field = "weights." + std::string(key);
    if (!v) {
      errors.push_back({field, why});
      continue;
    }
    if (!weights::valid_weight(*v)) {
      errors.push_back({field, std::string("Input should be a finite number from 0 to 1e15") +
                                   weights::weight_problem(*v)});
      continue;
    }
    if (auto hk = parse_hotkey(key); hk.ok()) out.weights.emplace_back(hk->account, *v);
  }
  if (!errors.empty()) return errors;
  return out;
}

std::variant<CertificateAlgorithm, std::vector<FieldError>> decode_certificate_request(
    std::string_view body) {
  simdjson::dom::parser parser;
  std::vector<FieldError> errors;
  auto obj = object_of(parser, body, errors);
  if (!obj) return errors;
  element algorithm;
  if ((*obj)["algorithm"].get(algorithm)) return CertificateAlgorithm::ed25519;
  // Python's `v != 1` on the JSON value: 1 and 1.0 are equal to it; strings, null, lists and
  // every other number are not. (True == 1 in Python too, but pydantic then refuses a bool for
  // the int enum, so a boolean is refused here with the same text.)
  double v = 0;
  const bool number = algorithm.type() == element_type::INT64 || algorithm.type() == element_type::UINT64 ||
                      algorithm.type() == element_type::DOUBLE;
  if (number && !algorithm.get_double().get(v) && v == 1.0) return CertificateAlgorithm::ed25519;
  return std::vector<FieldError>{
      {"algorithm",
       "Value error, Currently, only algorithm equals 1 is supported which is EdDSA using Ed25519 curve"}};
}

std::variant<RevealedCommitmentBody, std::vector<FieldError>> decode_revealed_commitment(
    std::string_view body) {
  static constexpr const char* kNotInt = "Input should be a valid integer";
  simdjson::dom::parser parser;
  std::vector<FieldError> errors;
  auto obj = object_of(parser, body, errors);
  if (!obj) return errors;
  std::optional<element> commitment, blocks;  // a later duplicate wins, as in a Python dict
  for (auto [key, value] : *obj) {
    if (key == "commitment") commitment = value;
    if (key == "blocks_until_reveal") blocks = value;
  }
  RevealedCommitmentBody out;
  std::string_view text;
  if (!commitment)
    errors.push_back({"commitment", "Field required"});
  else if (commitment->get_string().get(text))
    errors.push_back({"commitment", "Input should be a valid string"});
  else
    out.commitment = std::string(text);
  // The number, or why it is not a non-negative integer.
  const auto integer = [&](element e) -> std::variant<std::uint64_t, std::string> {
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
    std::string_view s;
    switch (e.type()) {
      case element_type::UINT64:
        if (e.get_uint64().get(u)) return std::string(kNotInt);
        return u;
      case element_type::INT64:
        if (e.get_int64().get(i)) return std::string(kNotInt);
        if (i < 0) return std::string("Input should be greater than or equal to 0");
        return static_cast<std::uint64_t>(i);
      case element_type::DOUBLE:
        if (e.get_double().get(d) || !std::isfinite(d)) return std::string(kNotInt);
        if (d != std::floor(d)) return std::string(kNotInt) + ", got a number with a fractional part";
        if (d < 0) return std::string("Input should be greater than or equal to 0");
        if (d >= 9.2e18) return std::string(kNotInt);
        return static_cast<std::uint64_t>(d);
      case element_type::STRING: {
        if (e.get_string().get(s)) return std::string(kNotInt);
        while (!s.empty() &&
               (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
          s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
          s.remove_suffix(1);
        if (!s.empty() && s.front() == '+') s.remove_prefix(1);
        const auto r = std::from_chars(s.data(), s.data() + s.size(), u);
        if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) {
          if (s.starts_with("-") && s.size() > 1)
            return std::string("Input should be greater than or equal to 0");
          return std::string(kNotInt) + ", unable to parse string as an integer";
        }
        return u;
      }
      default:
        return std::string(kNotInt);
    }
  };
  if (!blocks) {
    errors.push_back({"blocks_until_reveal", "Field required"});
  } else {
    auto n = integer(*blocks);
    if (auto* why = std::get_if<std::string>(&n))
      errors.push_back({"blocks_until_reveal", *why});
    else
      out.blocks_until_reveal = std::get<std::uint64_t>(n);
  }
  if (!errors.empty()) return errors;
  return out;
}

std::variant<std::string, std::vector<FieldError>> decode_login(std::string_view body) {
  simdjson::dom::parser parser;
  std::vector<FieldError> errors;
  auto obj = object_of(parser, body, errors);
  if (!obj) return errors;
  element token;
  if ((*obj)["token"].get(token)) return std::vector<FieldError>{{"token", "Field required"}};
  std::string_view t;
  if (token.get_string().get(t)) return std::vector<FieldError>{{"token", "Input should be a valid string"}};
  return std::string(t);
}

}  // namespace pylon::rest::v1
