// What the REST benchmark's two programs on the replay node share (pylon_replay_node,
// pylon_rest_replay): the stop signals, taken by the main thread alone, and the replay node started
// on the shared recording of the finney metagraph.
#pragma once

#include <signal.h>

#include <functional>
#include <memory>
#include <string>

#include "replay_server.hpp"

namespace pylon::bench {

class StopSignals {
 public:
  // Blocks SIGTERM and SIGINT in this thread, and so in every thread it starts later (they inherit
  // the mask): only serve_until_stopped sees them. Construct before the first thread starts.
  StopSignals();

  // Returns at SIGTERM or SIGINT; until then calls on_tick every tick_ms (never when 0).
  void serve_until_stopped(long tick_ms, const std::function<void()>& on_tick) const;

 private:
  sigset_t set_;
};

struct ReplayNode {
  std::string shared_dir;                        // holds the recordings and the metadata files
  std::unique_ptr<replay::ReplayServer> server;  // null when it could not start
  int exit_status = 0;                           // for main when it could not: 2 no files, 1 failed
};

// The replay node on the "metagraph" scenario (block 6852690, netuid 1), the shared folder found
// as the tests find it (PYLON_SHARED_DIR, else `build_default`). Says on stderr, after
// `program`, why it could not start.
ReplayNode start_replay_node(const char* program, const char* build_default);

}  // namespace pylon::bench
