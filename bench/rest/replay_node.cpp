// pylon_replay_node: the loopback finney node of tests/replay as a process of its own, so the REST
// benchmark can run `pylon run` against recorded mainnet data (block 6852690, netuid 1, 1024
// neurons) with no network. Prints its ws:// URL on the first line of stdout, then serves until
// SIGTERM or SIGINT. With --block-ms N it makes a new synthetic finalized block every N ms (finney
// makes one every 12 s), so the daemon publishes fresh snapshots while it is being measured.
// With --fill-gaps it also answers what the recording lacks and the daemon reads (replay_gaps.hpp).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "codec/metadata.hpp"
#include "replay_gaps.hpp"
#include "replay_process.hpp"

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

  // Before the server's thread starts, so that thread inherits the mask.
  const pylon::bench::StopSignals stop;
  auto node = pylon::bench::start_replay_node("pylon_replay_node", PYLON_SHARED_DIR_DEFAULT);
  if (!node.server) return node.exit_status;
  if (fill_gaps) {
    auto md = pylon::codec::load_metadata_file(node.shared_dir + "/chain/finney-metadata-v15.option.hex");
    if (!md.ok()) {
      std::fprintf(stderr, "pylon_replay_node: metadata: %s\n", md.error().message.c_str());
      return 1;
    }
    auto gaps = std::make_shared<const pylon::bench::ReplayGaps>(*md);
    node.server->set_override(
        [gaps](std::string_view method, std::string_view params) { return gaps->answer(method, params); });
  }
  std::printf("%s\n", node.server->url().c_str());
  std::fflush(stdout);
  stop.serve_until_stopped(block_ms, [&] { node.server->advance_head(); });
  return 0;
}
