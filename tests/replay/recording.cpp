#include "recording.hpp"

#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace pylon::replay {

namespace {

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// "0x" + lowercase digits when `s` is hex text (with or without 0x), else nullopt. A hex string
// must have an even number of digits: the recordings only hold byte strings that way.
std::optional<std::string> as_hex(std::string_view s) {
  std::string_view digits = s;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
    digits.remove_prefix(2);
  else if (digits.empty())
    return std::nullopt;
  if (digits.size() % 2 != 0 || !std::all_of(digits.begin(), digits.end(), is_hex_digit)) return std::nullopt;
  std::string out = "0x";
  for (char c : digits) out.push_back(static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c));
  return out;
}

void canon(simdjson::dom::element e, const HexRewrite& rewrite, std::string& out) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      if (auto hex = as_hex(s)) {
        if (rewrite)
          if (auto r = rewrite(*hex)) hex = std::move(r);
        out += '"' + *hex + '"';
      } else {
        out += simdjson::minify(e);
      }
      return;
    }
    case T::ARRAY: {
      out += '[';
      bool first = true;
      simdjson::dom::array arr;
      if (e.get_array().get(arr)) return;
      for (auto v : arr) {
        if (!first) out += ',';
        first = false;
        canon(v, rewrite, out);
      }
      out += ']';
      return;
    }
    case T::OBJECT: {
      std::vector<std::pair<std::string_view, simdjson::dom::element>> fields;
      simdjson::dom::object obj;
      if (e.get_object().get(obj)) return;
      for (auto f : obj) fields.emplace_back(f.key, f.value);
      std::sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      bool first = true;
      for (const auto& [k, v] : fields) {
        if (!first) out += ',';
        first = false;
        out += '"' + std::string(k) + "\":";
        canon(v, rewrite, out);
      }
      out += '}';
      return;
    }
    default:
      out += simdjson::minify(e);
  }
}

}  // namespace

Result<std::string> canonical_params(std::string_view json, const HexRewrite& rewrite) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (auto err = parser.parse(json.data(), json.size()).get(e))
    return make_error("params are not JSON (" + std::string(simdjson::error_message(err)) + ")");
  std::string out;
  canon(e, rewrite, out);
  return out;
}

Result<Recording> Recording::load(const std::string& path, const std::string& scenario) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(text).get(root))
    return make_error(path + " is not JSON (" + std::string(simdjson::error_message(err)) + ")");
  simdjson::dom::object methods;
  if (root[scenario].get_object().get(methods))
    return make_error(path + " has no scenario '" + scenario + "'");
  Recording rec;
  rec.scenario_ = scenario;
  for (auto m : methods) {
    simdjson::dom::object calls;
    if (m.value.get_object().get(calls))
      return make_error(scenario + "." + std::string(m.key) + " is not an object");
    for (auto c : calls) {
      PYLON_ASSIGN(std::string params, canonical_params(c.key));
      // A response is {result} or {error}; one scenario holds a list of responses (a retried
      // call): the last one is what the recorder finally saw.
      simdjson::dom::element resp = c.value;
      if (simdjson::dom::array list; resp.get_array().get(list) == simdjson::SUCCESS) {
        if (list.size() == 0)
          return make_error(scenario + "." + std::string(m.key) + ": empty response list");
        for (auto r : list) resp = r;
      }
      RecordedAnswer a;
      if (auto r = resp["result"]; r.error() == simdjson::SUCCESS) {
        a.json = simdjson::minify(r.value_unsafe());
      } else if (auto er = resp["error"]; er.error() == simdjson::SUCCESS) {
        a.is_error = true;
        a.json = simdjson::minify(er.value_unsafe());
      } else {
        return make_error(scenario + "." + std::string(m.key) + " " + std::string(c.key) +
                          ": neither result nor error");
      }
      rec.answers_[std::string(m.key) + '\n' + params] = std::move(a);
    }
  }
  return rec;
}

const RecordedAnswer* Recording::find(std::string_view method, std::string_view canonical) const {
  std::string key;
  key.reserve(method.size() + 1 + canonical.size());
  key.append(method).append(1, '\n').append(canonical);
  auto it = answers_.find(key);
  return it == answers_.end() ? nullptr : &it->second;
}

const RecordedAnswer* Recording::find_raw(std::string_view method, std::string_view params_json) const {
  auto c = canonical_params(params_json);
  return c.ok() ? find(method, *c) : nullptr;
}

}  // namespace pylon::replay
