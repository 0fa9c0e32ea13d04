// The daemon's parts, assembled once and torn down in the reverse order: chain connection,
// follower and snapshot store, the shared-memory snapshot segment and weight queue, the weights
// store and its writer thread, the submitter and commit loop, the REST server. `pylon run` owns
// the configuration and the signals; this owns the wiring (ARCHITECTURE.md: only the app knows
// every module).
#pragma once

#include <atomic>
#include <csignal>
#include <memory>

#include "config/config.hpp"
#include "keys/sr25519.hpp"

namespace pylon::app {

// Runs until *stop becomes non-zero; returns the process exit code.
int run_daemon(const config::Config& cfg, keys::Keypair hotkey, const volatile std::sig_atomic_t* stop);

}  // namespace pylon::app
