#include "net/net_context.hpp"

#include <cstdio>
#include <exception>

#include "common/thread_name.hpp"

namespace pylon::net {

NetContext::NetContext() : work_(boost::asio::make_work_guard(io_)) {
  thread_ = std::thread([this] {
    name_this_thread("pylon-net");
    // Handlers report errors as values; an exception escaping one (e.g. bad_alloc) is a bug, but it
    // must not take the process down: report it and keep serving the other handlers.
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "pylon net: unexpected exception in network handler: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "pylon net: unexpected non-standard exception in network handler\n");
      }
    }
  });
}

NetContext::~NetContext() {
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pylon::net
