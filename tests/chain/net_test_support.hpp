// Helpers shared by the network tests: free ports, and thread-safe collectors that tests wait on
// (callbacks run on the network thread, assertions on the test thread).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "net/rpc_client.hpp"

namespace pylon::net::testing {

// A port nothing listens on right now (the kernel's pick, released again).
inline int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

template <class T>
class Collector {
 public:
  // Notifies under the lock: a waiter that saw the item may destroy the collector at once (the
  // end of a test), so push must be done with it before the waiter can return.
  void push(T v) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(v));
    cv_.notify_all();
  }
  // Waits until pred(items) holds; returns whether it did within the timeout.
  bool wait(const std::function<bool(const std::vector<T>&)>& pred, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return pred(items_); });
  }
  bool wait_count(std::size_t n, std::chrono::milliseconds timeout) {
    return wait([n](const std::vector<T>& v) { return v.size() >= n; }, timeout);
  }
  std::vector<T> snapshot() const {
    std::lock_guard lock(mu_);
    return items_;
  }
  void clear() {
    std::lock_guard lock(mu_);
    items_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<T> items_;
};

inline bool has_event(const std::vector<ClientEvent>& events, ClientEvent::Kind kind) {
  for (const auto& e : events) {
    if (e.kind == kind) return true;
  }
  return false;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace pylon::net::testing
