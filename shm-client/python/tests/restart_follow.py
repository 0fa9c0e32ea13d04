"""Driven by tests/e2e/python_client_test.cpp (PythonClientFollowsADaemonRestart): one Client kept
across a daemon restart must follow it without the caller reopening anything.

Prints "ready <block>" once it read and pushed through the first daemon, then waits for a line on
stdin (the test restarted the daemon meanwhile), then reads and pushes through the same Client and
prints "ok <reattaches>". Any failure is an exception (exit status 1).
    env: PYTHONPATH (pylon_shm), PYLON_TEST_SHM_NAME, PYLON_TEST_REST_URL
"""

import json
import os
import sys
import urllib.request

import pylon_shm


def raw_weights(rest_url: str, block: int) -> dict:
    # The epoch holding `block`: the restart and the blocks made around it may start a new epoch,
    # whose weights are empty, between the two pushes.
    with urllib.request.urlopen(f"{rest_url}/raw_weights?epoch={block}", timeout=10) as r:
        return json.loads(r.read())["weights"]


def main() -> int:
    rest_url = os.environ["PYLON_TEST_REST_URL"]
    client = pylon_shm.connect(shm_name=os.environ["PYLON_TEST_SHM_NAME"], prefer="shm")
    first = client.snapshot()
    seq = client.push_weights({0: 1.5})
    client.wait_durable(seq, timeout=20)
    print("ready", first.block, flush=True)

    if sys.stdin.readline().strip() != "restarted":
        return 2
    # The same objects: the reader finds the new daemon's segment by name (a new generation).
    after = client.wait_for_block(first.block, timeout=60)
    assert after.block > first.block, (after.block, first.block)
    reattaches = client._t._reader.reattach_count
    assert reattaches >= 1, "the reader did not switch to the new segment"
    seq = client.push_weights({1: 2.5})
    client.wait_durable(seq, timeout=20)
    # The first daemon's weight is in the store the second one opened; the new push landed too,
    # each in the epoch of the block the daemon was at when it drained them (no block is made
    # between a snapshot read here and the push after it).
    got = raw_weights(rest_url, first.block)
    assert got[first.hotkey(0)] == 1.5, got
    got = raw_weights(rest_url, after.block)
    assert got[after.hotkey(1)] == 2.5, got
    print("ok", reattaches, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
