// The shm-client README's pylon::Client example: read the metagraph, score it, push weights and
// wait until Pylon has them durable. The same code runs beside the daemon (shared memory) and away
// from it (REST), like the Python example; tests/e2e/cpp_client_test.cpp runs it both ways.
//
//   usage: client_example NETUID [SHM_NAME] [REST_URL]   (defaults: pylon-<netuid>, http://127.0.0.1:8000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "pylon/client/rest.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s NETUID [SHM_NAME] [REST_URL]\n", argv[0]);
    return 2;
  }
  pylon::ClientOptions options;
  options.netuid = std::atoi(argv[1]);
  if (argc > 2) options.shm_name = argv[2];
  if (argc > 3) options.rest_url = argv[3];
  pylon::shm::ShmResult<pylon::Client> client = pylon::Client::connect(options);  // shm if co-located
  if (!client) {
    std::fprintf(stderr, "cannot connect: %s\n", client.message());
    return 1;
  }

  pylon::shm::ShmResult<pylon::SnapshotPtr> got = client->snapshot();  // immutable, shared
  if (!got) {
    std::fprintf(stderr, "cannot read the snapshot: %s\n", got.message());
    return 1;
  }
  const pylon::SnapshotPtr& snap = *got;
  std::printf("%s: block %llu (%.10s...), %zu neurons, tempo %u\n",
              client->transport() == pylon::Transport::shm ? "shm" : "rest",
              static_cast<unsigned long long>(snap->block), snap->block_hash().c_str(), snap->neurons.size(),
              snap->hyperparams.tempo);

  // Score: stake-weighted, every neuron at least a little (weights are any numbers from 0 to 1e15;
  // the daemon max-normalises them when it commits).
  double max_stake = 1;
  for (const pylon::shm::NeuronRecord& n : snap->neurons) max_stake = std::max(max_stake, double(n.stake));
  std::map<pylon::WeightKey, double> weights;
  for (const pylon::shm::NeuronRecord& n : snap->neurons) weights[n.uid] = 1.0 + double(n.stake) / max_stake;
  if (auto hk = snap->hotkey(0)) weights[*hk] = 2.0;  // keys may be uids or SS58 hotkeys (uid 0 again)

  pylon::shm::ShmResult<std::uint64_t> seq = client->push_weights(weights);  // all checked first
  if (!seq) {
    std::fprintf(stderr, "push failed: %s\n", seq.message());
    return 1;
  }
  if (pylon::shm::ShmStatus st = client->wait_durable(*seq, std::chrono::seconds(10)); !st) {
    std::fprintf(stderr, "weights not durable: %s\n", st.message());
    return 1;
  }
  std::printf("%zu weights durable (seq %llu)\n", weights.size(), static_cast<unsigned long long>(*seq));
  return 0;
}
