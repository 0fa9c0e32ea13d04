"""The shm-client README's Python example: read the metagraph, score it, push weights and wait
until Pylon has them durable. The same code runs beside the daemon (shared memory) and away from
it (REST); tests/test_daemon.py runs it both ways.

    usage: python3 validator.py NETUID [SHM_NAME] [REST_URL]
"""

import sys

import numpy as np

import pylon_shm


def main() -> int:
    netuid = int(sys.argv[1])
    shm_name = sys.argv[2] if len(sys.argv) > 2 else None  # default pylon-<netuid>
    rest_url = sys.argv[3] if len(sys.argv) > 3 else None  # default http://127.0.0.1:8000
    client = pylon_shm.connect(netuid=netuid, shm_name=shm_name, rest_url=rest_url)

    snap = client.snapshot()
    neurons = snap.neurons  # numpy structured array, row i = uid i
    print(f"{client.transport}: block {snap.block} ({snap.block_hash[:10]}…), {len(neurons)} neurons, "
          f"tempo {snap.hyperparams['tempo']}")

    # Score: stake-weighted, every neuron at least a little (weights are any numbers from 0 to 1e15;
    # the daemon max-normalises them when it commits).
    stake = neurons["stake"].astype(np.float64)
    scores = 1.0 + stake / max(stake.max(), 1.0)
    weights = {uid: float(s) for uid, s in enumerate(scores)}
    weights[snap.hotkey(0)] = 2.0  # keys may be uids or SS58 hotkeys (uid 0 again: the later entry wins)

    seq = client.push_weights(weights)
    client.wait_durable(seq, timeout=10)
    print(f"{len(weights)} weights durable (seq {seq})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
