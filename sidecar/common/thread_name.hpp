// Names the calling thread (as top, gdb, perf and /proc/<pid>/task/*/comm show it), so a stuck or
// busy thread of the daemon can be told apart. Linux keeps at most 15 characters.
#pragma once

#include <pthread.h>

namespace pylon {

inline void name_this_thread(const char* name) noexcept {
  (void)pthread_setname_np(pthread_self(), name);
}

}  // namespace pylon
