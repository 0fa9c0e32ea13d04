#include "net/net_context.hpp"

#include "common/io_loop.hpp"

namespace pylon::net {

NetContext::NetContext() : work_(boost::asio::make_work_guard(io_)) {
  thread_ = std::thread([this] { serve_io_loop(io_, "pylon-net", "net"); });
}

NetContext::~NetContext() {
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pylon::net
