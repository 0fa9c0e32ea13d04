// Structural JSON comparison for golden tests: objects compare by key set, arrays by order,
// numbers by value; the first difference is reported with its JSON path.
#pragma once

#include <simdjson.h>

#include <string>

namespace pylon::test {

inline std::string json_diff(simdjson::dom::element a, simdjson::dom::element b,
                             const std::string& path = "$") {
  using simdjson::dom::element_type;
  auto ta = a.type(), tb = b.type();
  auto is_num = [](element_type t) {
    return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  };
  if (is_num(ta) && is_num(tb)) {
    if (ta == element_type::DOUBLE || tb == element_type::DOUBLE) {
      return double(a) == double(b) ? ""
                                    : path + ": " + simdjson::to_string(a) + " != " + simdjson::to_string(b);
    }
    const bool a_neg = ta == element_type::INT64 && int64_t(a) < 0;
    const bool b_neg = tb == element_type::INT64 && int64_t(b) < 0;
    if (a_neg != b_neg) return path + ": sign differs";
    if (a_neg)
      return int64_t(a) == int64_t(b)
                 ? ""
                 : path + ": " + simdjson::to_string(a) + " != " + simdjson::to_string(b);
    const uint64_t ua = ta == element_type::UINT64 ? uint64_t(a) : uint64_t(int64_t(a));
    const uint64_t ub = tb == element_type::UINT64 ? uint64_t(b) : uint64_t(int64_t(b));
    return ua == ub ? "" : path + ": " + std::to_string(ua) + " != " + std::to_string(ub);
  }
  if (ta != tb)
    return path + ": type differs: " + simdjson::to_string(a).substr(0, 80) + " vs " +
           simdjson::to_string(b).substr(0, 80);
  switch (ta) {
    case element_type::ARRAY: {
      auto xa = simdjson::dom::array(a), xb = simdjson::dom::array(b);
      if (xa.size() != xb.size())
        return path + ": array sizes " + std::to_string(xa.size()) + " vs " + std::to_string(xb.size());
      std::size_t i = 0;
      auto ib = xb.begin();
      for (auto ea : xa) {
        auto d = json_diff(ea, *ib, path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
        ++ib;
        ++i;
      }
      return "";
    }
    case element_type::OBJECT: {
      auto oa = simdjson::dom::object(a), ob = simdjson::dom::object(b);
      if (oa.size() != ob.size())
        return path + ": object sizes " + std::to_string(oa.size()) + " vs " + std::to_string(ob.size());
      for (auto [k, v] : oa) {
        simdjson::dom::element other;
        if (ob[k].get(other) != simdjson::SUCCESS)
          return path + "." + std::string(k) + ": missing on the right";
        auto d = json_diff(v, other, path + "." + std::string(k));
        if (!d.empty()) return d;
      }
      return "";
    }
    case element_type::STRING:
      return std::string_view(a) == std::string_view(b)
                 ? ""
                 : path + ": \"" + std::string(std::string_view(a)) + "\" != \"" +
                       std::string(std::string_view(b)) + "\"";
    case element_type::BOOL:
      return bool(a) == bool(b) ? "" : path + ": bool differs";
    case element_type::NULL_VALUE:
      return "";
    default:
      return "";
  }
}

}  // namespace pylon::test
