// UTF-8 as JSON needs it (RFC 8259 §8.1: JSON text exchanged between systems is UTF-8). Text that
// reaches a JSON Pylon writes comes from anywhere: client field names, SCALE-decoded strings from
// the chain, error messages quoting either. These read it one well-formed character at a time
// (Unicode Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pylon::utf8 {

// The length of the well-formed character at the start of `s` (1 to 4), or 0 when `s` does not
// start with one (then `invalid_prefix` says how many bytes to replace with one U+FFFD: the
// maximal subpart of a sequence, as Unicode recommends, at least 1).
std::size_t char_length(std::string_view s, std::size_t* invalid_prefix = nullptr) noexcept;

// Whether every byte of `s` belongs to a well-formed character.
bool valid(std::string_view s) noexcept;

// The longest prefix of `s` of at most `max_bytes` that does not end inside a character (for
// messages quoting client text).
std::string_view prefix(std::string_view s, std::size_t max_bytes) noexcept;

// `s` with each ill-formed subpart replaced by U+FFFD.
std::string repaired(std::string_view s);

inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace pylon::utf8
