#include "replay_process.hpp"

#include <pthread.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

namespace pylon::bench {

StopSignals::StopSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

void StopSignals::serve_until_stopped(long tick_ms, const std::function<void()>& on_tick) const {
  const long wait_ms = tick_ms > 0 ? tick_ms : 1000;
  const timespec timeout{wait_ms / 1000, (wait_ms % 1000) * 1000000L};
  for (;;) {
    const int sig = sigtimedwait(&set_, nullptr, &timeout);
    if (sig == SIGTERM || sig == SIGINT) return;
    if (sig < 0 && errno == EAGAIN && tick_ms > 0) on_tick();
  }
}

ReplayNode start_replay_node(const char* program, const char* build_default) {
  ReplayNode node;
  node.shared_dir = replay::find_shared_dir(build_default);
  if (node.shared_dir.empty()) {
    std::fprintf(stderr, "%s: shared reference files not found: set PYLON_SHARED_DIR\n", program);
    node.exit_status = 2;
    return node;
  }
  auto server = replay::ReplayServer::start({node.shared_dir, "metagraph"});
  if (!server.ok()) {
    std::fprintf(stderr, "%s: replay node: %s\n", program, server.error().message.c_str());
    node.exit_status = 1;
    return node;
  }
  node.server = std::move(server).value();
  return node;
}

}  // namespace pylon::bench
