// The daemon's parts, assembled once and torn down in the reverse order: chain connection,
// follower and snapshot store, the shared-memory snapshot segment and weight queue, the weights
// store and its writer thread, the submitter and commit loop, the REST server. `pylon run` owns
// the configuration and the signals; this owns the wiring (ARCHITECTURE.md: only the app knows
// every module).
#pragma once

#include <atomic>
#include <csignal>
#include <memory>

#include "app/stop_signal.hpp"
#include "config/config.hpp"
#include "keys/sr25519.hpp"

namespace pylon::app {

// Runs until a stop is requested; returns the process exit code.
int run_daemon(const config::Config& cfg, keys::Keypair hotkey, StopSignal& stop);

}  // namespace pylon::app
