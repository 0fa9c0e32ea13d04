// libsodium must be initialised once before its RNG and pwhash are used; this does it lazily
// and thread-safely (function-local static), so no caller has to remember.
#pragma once

#include <sodium.h>

namespace pylon::keys {

inline bool ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace pylon::keys
