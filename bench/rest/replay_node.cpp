// pylon_replay_node: the loopback finney node of tests/replay as a process of its own, so the REST
// benchmark can run `pylon run` against recorded mainnet data (block 6852690, netuid 1, 1024
// neurons) with no network. Prints its ws:// URL on the first line of stdout, then serves until
// SIGTERM or SIGINT. With --block-ms N it makes a new synthetic finalized block every N ms (finney
// makes one every 12 s), so the daemon publishes fresh snapshots while it is being measured.
// With --fill-gaps it also answers what the recording lacks and the daemon reads (replay_gaps.hpp).
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string_view>

#include "codec/metadata.hpp"
#include "replay_gaps.hpp"
#include "replay_server.hpp"

namespace {

int usage() {
  std::fprintf(stderr, "usage: pylon_replay_node [--block-ms N] [--fill-gaps]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  long block_ms = 0;
  bool fill_gaps = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--block-ms" && i + 1 < argc) {
      char* end = nullptr;
      block_ms = std::strtol(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0' || block_ms < 0) return usage();
    } else if (a == "--fill-gaps") {
      fill_gaps = true;
    } else {
      return usage();
    }
  }

  // Block the stop signals before the server's thread starts, so that thread inherits the mask and
  // only sigtimedwait below ever sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  const std::string dir = pylon::replay::find_shared_dir(PYLON_SHARED_DIR_DEFAULT);
  if (dir.empty()) {
    std::fprintf(stderr, "pylon_replay_node: shared reference files not found: set PYLON_SHARED_DIR\n");
    return 2;
  }
  auto server = pylon::replay::ReplayServer::start({dir, "metagraph"});
  if (!server.ok()) {
    std::fprintf(stderr, "pylon_replay_node: %s\n", server.error().message.c_str());
    return 1;
  }
  if (fill_gaps) {
    auto md = pylon::codec::load_metadata_file(dir + "/chain/finney-metadata-v15.option.hex");
    if (!md.ok()) {
      std::fprintf(stderr, "pylon_replay_node: metadata: %s\n", md.error().message.c_str());
      return 1;
    }
    auto gaps = std::make_shared<const pylon::bench::ReplayGaps>(*md);
    (*server)->set_override(
        [gaps](std::string_view method, std::string_view params) { return gaps->answer(method, params); });
  }
  std::printf("%s\n", (*server)->url().c_str());
  std::fflush(stdout);

  const long wait_ms = block_ms > 0 ? block_ms : 1000;
  timespec timeout{wait_ms / 1000, (wait_ms % 1000) * 1000000L};
  for (;;) {
    const int sig = sigtimedwait(&stop, nullptr, &timeout);
    if (sig == SIGTERM || sig == SIGINT) break;
    if (sig < 0 && errno == EAGAIN && block_ms > 0) (*server)->advance_head();
  }
  return 0;
}
