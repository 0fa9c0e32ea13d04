// pylon_rest_replay: Pylon's REST server (rest::Server, the code `pylon run` serves) on snapshots
// of the recorded finney metagraph, without the rest of the daemon. The REST benchmark uses it
// when the daemon it is given does not serve REST yet, and says so in its table: the read paths
// measured (/latest_block, /metagraph: rendered once per snapshot, then shared) are the same; what
// is left out is the daemon's other threads (weights writer, committer, shm publishing), which sit
// idle while nothing writes.
//
// It runs the replay node in-process, builds the snapshot of block 6852690 through the real chain
// client (neurons only: the recording holds no hyperparameters or commitments), publishes it, and
// serves on 127.0.0.1:PORT (0: an ephemeral port). Prints the base URL on the first line of
// stdout, then serves until SIGTERM or SIGINT. With --block-ms N it advances the replay's head
// every N ms and publishes the new block's snapshot, as the follower would on finney (12 s).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "chain/chain_client.hpp"
#include "follower/snapshot.hpp"
#include "follower/snapshot_store.hpp"
#include "net/net_context.hpp"
#include "net/rpc_client.hpp"
#include "replay_process.hpp"
#include "rest/server.hpp"

namespace {

constexpr std::uint16_t kNetuid = 1;  // the recorded scenario's subnet

int usage() {
  std::fprintf(stderr, "usage: pylon_rest_replay [--port N] [--block-ms N]\n");
  return 2;
}

bool parse_number(const char* text, long max, long& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtol(text, &end, 10);
  return end != text && *end == '\0' && errno == 0 && out >= 0 && out <= max;
}

pylon::Result<pylon::follower::SnapshotPtr> snapshot_at(pylon::chain::ChainClient& chain,
                                                        std::uint64_t number) {
  PYLON_ASSIGN(auto hash, chain.block_hash(number));
  if (!hash) return pylon::make_error("the replay node knows no block #" + std::to_string(number));
  pylon::follower::BuildOptions o;
  o.hyperparams = false;
  o.commitments = false;
  o.timestamp = false;
  o.stakes = false;
  PYLON_ASSIGN(auto s, pylon::follower::build_snapshot(chain, kNetuid, {*hash, number}, o));
  return std::make_shared<const pylon::follower::Snapshot>(std::move(s));
}

}  // namespace

int main(int argc, char** argv) {
  long port = 0;
  long block_ms = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      if (!parse_number(argv[++i], 65535, port)) return usage();
    } else if (a == "--block-ms" && i + 1 < argc) {
      if (!parse_number(argv[++i], 3600000, block_ms)) return usage();
    } else {
      return usage();
    }
  }

  // Before any thread starts (the replay node's, the REST server's), so they inherit the mask.
  const pylon::bench::StopSignals stop;
  auto node = pylon::bench::start_replay_node("pylon_rest_replay", PYLON_SHARED_DIR_DEFAULT);
  if (!node.server) return node.exit_status;
  pylon::net::NetContext net;
  pylon::net::RpcClientOptions ro;
  ro.endpoints = {node.server->url()};
  auto rpc = pylon::net::RpcClient::create(net, std::move(ro));
  if (!rpc.ok()) {
    std::fprintf(stderr, "pylon_rest_replay: rpc client: %s\n", rpc.error().message.c_str());
    return 1;
  }
  pylon::chain::ChainClient chain(**rpc);

  pylon::follower::SnapshotStore snapshots;
  auto first = snapshot_at(chain, node.server->recorded_number());
  if (!first.ok()) {
    std::fprintf(stderr, "pylon_rest_replay: snapshot: %s\n", first.error().message.c_str());
    return 1;
  }
  snapshots.publish(*first);

  pylon::rest::RestOptions options;
  options.port = static_cast<std::uint16_t>(port);
  pylon::rest::RestDeps deps(snapshots, kNetuid);
  deps.chain = &chain;
  deps.build_hyperparams = false;
  deps.build_commitments = false;
  auto http = pylon::rest::Server::start(options, deps);
  if (!http.ok()) {
    std::fprintf(stderr, "pylon_rest_replay: %s\n", http.error().message.c_str());
    return 1;
  }
  std::printf("http://127.0.0.1:%u\n", static_cast<unsigned>((*http)->port()));
  std::fflush(stdout);

  stop.serve_until_stopped(block_ms, [&] {
    auto next = snapshot_at(chain, node.server->advance_head());
    if (next.ok()) {
      snapshots.publish(*next);
    } else {
      std::fprintf(stderr, "pylon_rest_replay: snapshot: %s\n", next.error().message.c_str());
    }
  });
  (*http)->stop();
  return 0;
}
