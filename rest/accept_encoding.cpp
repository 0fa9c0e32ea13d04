#include "rest/accept_encoding.hpp"

#include <algorithm>
#include <optional>

namespace pylon::rest {
namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

void skip_ows(std::string_view s, std::size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

std::string_view token_at(std::string_view s, std::size_t& i) {
  const std::size_t from = i;
  while (i < s.size() && is_tchar(s[i])) ++i;
  return s.substr(from, i - from);
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
std::optional<int> qvalue(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return std::nullopt;
  int whole = v[0] - '0';
  if (v.size() == 1) return whole * 1000;
  if (v[1] != '.' || v.size() > 5) return std::nullopt;
  int frac = 0;
  int scale = 100;
  for (std::size_t i = 2; i < v.size(); ++i, scale /= 10) {
    if (v[i] < '0' || v[i] > '9') return std::nullopt;
    frac += (v[i] - '0') * scale;
  }
  if (whole == 1 && frac != 0) return std::nullopt;
  return whole * 1000 + frac;
}

void keep_lowest(int& slot, int q) {
  slot = slot == AcceptEncoding::kUnlisted ? q : std::min(slot, q);
}

}  // namespace

std::string_view coding_token(Coding c) {
  switch (c) {
    case Coding::gzip:
      return "gzip";
    case Coding::zstd:
      return "zstd";
    case Coding::identity:
      break;
  }
  return "";
}

AcceptEncoding parse_accept_encoding(std::string_view s) {
  AcceptEncoding out;
  std::size_t i = 0;
  for (;;) {
    skip_ows(s, i);
    if (i == s.size()) return out;
    if (s[i] == ',') {  // empty list elements are allowed (RFC 9110 §5.6.1)
      ++i;
      continue;
    }
    const std::string_view name = token_at(s, i);
    if (name.empty()) return {};
    int q = 1000;
    skip_ows(s, i);
    if (i < s.size() && s[i] == ';') {
      ++i;
      skip_ows(s, i);
      const std::string_view param = token_at(s, i);
      if (!iequals(param, "q") || i == s.size() || s[i] != '=') return {};
      ++i;
      auto v = qvalue(token_at(s, i));
      if (!v) return {};
      q = *v;
      skip_ows(s, i);
    }
    if (i < s.size() && s[i] != ',') return {};  // a second parameter, a quoted string, stray text
    if (iequals(name, "gzip") || iequals(name, "x-gzip"))
      keep_lowest(out.gzip, q);
    else if (iequals(name, "zstd"))
      keep_lowest(out.zstd, q);
    else if (iequals(name, "identity"))
      keep_lowest(out.identity, q);
    else if (name == "*")
      keep_lowest(out.any, q);
    // Codings Pylon never sends (br, deflate, compress, ...) change nothing.
  }
}

Coding choose_coding(const AcceptEncoding& a, bool has_gzip, bool has_zstd) {
  auto weight = [&](int named) { return named != AcceptEncoding::kUnlisted ? named : std::max(a.any, 0); };
  Coding best = Coding::identity;
  int best_q = 0;
  if (has_zstd && weight(a.zstd) > 0) {
    best = Coding::zstd;
    best_q = weight(a.zstd);
  }
  if (has_gzip && weight(a.gzip) > best_q) {
    best = Coding::gzip;
    best_q = weight(a.gzip);
  }
  if (best == Coding::identity) return Coding::identity;
  const bool identity_weighed = a.identity != AcceptEncoding::kUnlisted || a.any != AcceptEncoding::kUnlisted;
  if (identity_weighed && weight(a.identity) > best_q) return Coding::identity;
  return best;
}

}  // namespace pylon::rest
