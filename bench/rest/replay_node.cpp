// pylon_replay_node: the loopback finney node of tests/replay as a process of its own, so the REST
// benchmark can run `pylon run` against recorded mainnet data (block 6852690, netuid 1, 1024
// neurons) with no network. Prints its ws:// URL on the first line of stdout, then serves until
// SIGTERM or SIGINT. With --block-ms N it makes a new synthetic finalized block every N ms (finney
// makes one every 12 s), so the daemon publishes fresh snapshots while it is being measured.
// With --fill-gaps it also answers what the recording lacks and the daemon reads (replay_gaps.hpp).
// With --subnets N it serves netuids 1..N, each the recorded neurons with uid < K (--neurons K;
// default all 1024) and a subnet state for them (replay_subnets.hpp), so snapshots carry the
// stakes the /api/v1 neurons need. With --advance-on-request the JSON-RPC method
// `bench_advanceHead` (no params) makes the next synthetic block and answers its number, so a
// benchmark in another process steps the chain itself (bench_subnets).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "codec/metadata.hpp"
#include "common/hex.hpp"
#include "replay_gaps.hpp"
#include "replay_process.hpp"
#include "replay_subnets.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: pylon_replay_node [--block-ms N] [--fill-gaps] [--subnets N [--neurons K]] "
               "[--advance-on-request]\n");
  return 2;
}

// A non-negative decimal option value, or -1.
long number(const char* text) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  return end == text || *end != '\0' || v < 0 ? -1 : v;
}

// Netuid 1's get_neurons_lite answer as the recording holds it (SCALE bytes).
pylon::Result<pylon::Bytes> recorded_neurons(const pylon::replay::ReplayServer& server) {
  const std::string params =
      "[\"NeuronInfoRuntimeApi_get_neurons_lite\",\"0x0100\",\"" + server.recorded_hash() + "\"]";
  const pylon::replay::RecordedAnswer* a = server.recording().find_raw("state_call", params);
  if (a == nullptr || a->is_error || a->json.size() < 2)
    return pylon::make_error("the recording has no neurons of netuid 1");
  return pylon::from_hex(std::string_view(a->json).substr(1, a->json.size() - 2));
}

}  // namespace

int main(int argc, char** argv) {
  long block_ms = 0, subnets = 0, neurons = 0;
  bool fill_gaps = false, advance_on_request = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--block-ms" && i + 1 < argc) {
      if ((block_ms = number(argv[++i])) < 0) return usage();
    } else if (a == "--subnets" && i + 1 < argc) {
      subnets = number(argv[++i]);
      if (subnets < 1 || subnets > 4096) return usage();
    } else if (a == "--neurons" && i + 1 < argc) {
      if ((neurons = number(argv[++i])) < 1) return usage();
    } else if (a == "--fill-gaps") {
      fill_gaps = true;
    } else if (a == "--advance-on-request") {
      advance_on_request = true;
    } else {
      return usage();
    }
  }
  if (neurons > 0 && subnets == 0) return usage();

  // Before the server's thread starts, so that thread inherits the mask.
  const pylon::bench::StopSignals stop;
  auto node = pylon::bench::start_replay_node("pylon_replay_node", PYLON_SHARED_DIR_DEFAULT);
  if (!node.server) return node.exit_status;
  std::shared_ptr<const pylon::codec::Metadata> md;
  if (fill_gaps || subnets > 0) {
    auto loaded = pylon::codec::load_metadata_file(node.shared_dir + "/chain/finney-metadata-v15.option.hex");
    if (!loaded.ok()) {
      std::fprintf(stderr, "pylon_replay_node: metadata: %s\n", loaded.error().message.c_str());
      return 1;
    }
    md = *loaded;
  }
  std::shared_ptr<const pylon::bench::ReplayGaps> gaps;
  if (fill_gaps) gaps = std::make_shared<const pylon::bench::ReplayGaps>(md);
  std::shared_ptr<const pylon::bench::ReplaySubnets> many;
  if (subnets > 0) {
    auto bytes = recorded_neurons(*node.server);
    if (!bytes.ok()) {
      std::fprintf(stderr, "pylon_replay_node: subnets: %s\n", bytes.error().message.c_str());
      return 1;
    }
    auto made = pylon::bench::ReplaySubnets::make(*md, *bytes, static_cast<std::uint16_t>(subnets),
                                                  static_cast<std::size_t>(neurons));
    if (!made.ok()) {
      std::fprintf(stderr, "pylon_replay_node: subnets: %s\n", made.error().message.c_str());
      return 1;
    }
    many = std::move(made).value();
    std::fprintf(stderr, "pylon_replay_node: netuids 1..%ld, %zu neurons each\n", subnets,
                 many->neurons_per_subnet());
  }
  pylon::replay::ReplayServer* server = node.server.get();
  if (gaps || many || advance_on_request) {
    server->set_override([gaps, many, advance_on_request, server](
                             std::string_view method, std::string_view params) -> std::optional<std::string> {
      if (advance_on_request && method == "bench_advanceHead") return std::to_string(server->advance_head());
      if (many)
        if (auto r = many->answer(method, params)) return r;
      if (gaps) return gaps->answer(method, params);
      return std::nullopt;
    });
  }
  std::printf("%s\n", node.server->url().c_str());
  std::fflush(stdout);
  stop.serve_until_stopped(block_ms, [&] { node.server->advance_head(); });
  return 0;
}
