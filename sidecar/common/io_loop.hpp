// serve_io_loop: the body of a thread that serves an I/O loop (a boost::asio::io_context, or
// anything with run()), as the REST server's loops and the network thread do. Named, it runs the
// loop until the loop runs out of work or is stopped. Handlers report errors as values; an
// exception escaping one (bad_alloc, a bug) must not take the process down, so it is logged and
// the loop runs on, serving the other handlers.
//
// Thread contract: called on the thread that serves `loop`, and nowhere else.
#pragma once

#include <exception>
#include <string_view>

#include "common/log.hpp"
#include "common/thread_name.hpp"

namespace pylon {

template <class Loop>
void serve_io_loop(Loop& loop, const char* thread_name, std::string_view component) {
  name_this_thread(thread_name);
  for (;;) {
    try {
      loop.run();
      return;
    } catch (const std::exception& e) {
      log::error(component, "an I/O handler threw; serving on", {{"what", e.what()}});
    } catch (...) {
      log::error(component, "an I/O handler threw a non-standard exception; serving on");
    }
  }
}

}  // namespace pylon
