// A small, allocation-light JSON writer (compact output). Pylon emits JSON on hot paths
// (REST renders, decode-api), so this appends straight into one std::string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pylon {

class JsonWriter {
 public:
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k);
  void string(std::string_view s);
  void number(std::uint64_t v);
  void number(std::int64_t v);
  void number(double v);
  void boolean(bool v);
  void null();
  // Inserts already-valid JSON text as one value.
  void raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }
  void reserve(std::size_t n) { out_.reserve(n); }

 private:
  void open(char c);
  void close(char c);
  void before_value();

  std::string out_;
  std::vector<bool> has_item_;  // per open container: whether a value was written
  bool after_key_ = false;
};

// Appends s as a JSON string literal (with quotes) to out. The result is always valid UTF-8: each
// ill-formed UTF-8 subpart of s becomes U+FFFD (common/utf8.hpp); control characters are escaped.
void append_json_string(std::string& out, std::string_view s);

}  // namespace pylon
