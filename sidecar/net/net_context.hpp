// The one thread that does all of Pylon's network I/O: an io_context and the thread running it.
// Clients (RpcClient, later REST) take a NetContext& and must be destroyed before it.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <thread>

namespace pylon::net {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

class NetContext {
 public:
  NetContext();   // starts the I/O thread
  ~NetContext();  // stops the io_context and joins the thread
  NetContext(const NetContext&) = delete;
  NetContext& operator=(const NetContext&) = delete;

  boost::asio::io_context& io() { return io_; }
  Strand make_strand() { return boost::asio::make_strand(io_); }
  bool on_io_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace pylon::net
