#include "app/stop_signal.hpp"

#include <pthread.h>

#include <csignal>
#include <thread>

#include "common/thread_name.hpp"

namespace pylon::app {

StopSignal& StopSignal::install() {
  static StopSignal* instance = [] {
    auto* s = new StopSignal;  // lives as long as the process: the signal thread refers to it
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([s, set] {
      name_this_thread("pylon-signals");
      int sig = 0;
      while (sigwait(&set, &sig) == 0) s->request();
    }).detach();  // blocked in sigwait until the process ends
    return s;
  }();
  return *instance;
}

void StopSignal::request() {
  requested_.store(true, std::memory_order_release);
  notify();
}

void StopSignal::notify() {
  { Lock lock(mu_); }  // a waiter between its check and its sleep cannot miss this
  cv_.notify_all();
}

bool StopSignal::wait_for(std::chrono::milliseconds timeout, const std::function<bool()>& ready) {
  Lock lock(mu_);
  lock.wait_for(cv_, timeout, [&] { return requested() || (ready && ready()); });
  return requested();
}

}  // namespace pylon::app
