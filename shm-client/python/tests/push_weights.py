"""Driven by tests/e2e/python_client_test.cpp (PythonWeightsLandInTheChainsWeights): one batch of
weights pushed through pylon_shm over the transport named, then waited for until durable, so the
test can have the daemon commit it and read the chain's Weights storage itself.

    usage: push_weights.py shm|rest KEY=WEIGHT ...   (KEY: a uid, or an SS58 hotkey)
    env: PYTHONPATH (pylon_shm), PYLON_TEST_SHM_NAME, PYLON_TEST_REST_URL

Prints "durable <seq> <block>" (the block of the snapshot the keys were checked against). Any
failure is an exception (exit status 1).
"""

import os
import sys

import pylon_shm


def main() -> int:
    transport = sys.argv[1]
    weights = {}
    for arg in sys.argv[2:]:
        key, weight = arg.split("=")
        weights[int(key) if key.isdigit() else key] = float(weight)
    client = pylon_shm.connect(shm_name=os.environ["PYLON_TEST_SHM_NAME"], rest_url=os.environ["PYLON_TEST_REST_URL"],
                               prefer=transport)
    assert client.transport == transport, client.transport
    snap = client.snapshot()
    seq = client.push_weights(weights)
    client.wait_durable(seq, timeout=20)
    print("durable", seq, snap.block, flush=True)
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
