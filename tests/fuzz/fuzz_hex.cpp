// Fuzzes the hex decoder every node answer goes through (common/hex.cpp, table-driven) against a
// digit-by-digit reference: the same verdict, never a crash; and what it accepts comes back from
// to_hex as the same digits (in lowercase).
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/hex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto got = from_hex(text);
  (void)parse_hex_u64(text);
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  bool valid = text.size() % 2 == 0;
  for (char c : text) valid = valid && std::isxdigit(static_cast<unsigned char>(c));
  if (got.ok() != valid) std::abort();
  if (!valid) return 0;
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (to_hex(*got) != "0x" + lower) std::abort();
  return 0;
}
