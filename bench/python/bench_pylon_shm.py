"""pylon_shm from Python, in one run against one daemon: a metagraph read through shared memory
(client.snapshot()) beside the same read over REST (urllib GET /metagraph + json.loads) and
through the original service's client shape (the same JSON into pydantic models of every neuron,
bench/rest/fastapi_peer.py's Metagraph); one weight push; push -> durable.

    usage: bench_pylon_shm.py SHM_NAME REST_URL [CPP_PUSH_DURABLE]   (run-python-bench starts a daemon)
With CPP_PUSH_DURABLE (pylon_push_durable_bench) push -> durable is timed for the C++ client too,
in alternating rounds against the same daemon. Prints a table of medians (and p90) and the ratios
the issue sets goals for.
"""

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

import numpy as np

import pylon_shm
from pylon_shm._snapshot import NEURON_DTYPE, Snapshot

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "rest"))


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter_ns()
        fn()
        out.append(time.perf_counter_ns() - t)
    out.sort()
    return statistics.median(out), out[int(len(out) * 0.9)]


def fmt(ns):
    return f"{ns / 1e3:,.1f} µs" if ns < 1e6 else f"{ns / 1e6:,.2f} ms"


def main() -> int:
    shm_name, rest_url = sys.argv[1], sys.argv[2].rstrip("/")
    shm = pylon_shm.connect(shm_name=shm_name, prefer="shm")
    snap = shm.snapshot()
    print(f"metagraph: block {snap.block}, {len(snap.neurons)} neurons; python {sys.version.split()[0]}")

    def rest_read():
        with urllib.request.urlopen(rest_url + "/metagraph", timeout=30) as r:
            return json.loads(r.read())

    body = rest_read()
    assert len(body["neurons"]) == len(snap.neurons), "the daemon's REST and shm disagree"
    rows = {}
    rows["shm client.snapshot()"] = timed(shm.snapshot, 2000)
    # A new block's read: the copy forced (a package from before the same-block check always
    # copies), then where it goes: the C++ seqlock copy alone, the numpy view alone.
    reader = shm._t._reader
    try:
        reader.copy(True)
        copy = lambda: reader.copy(True)  # noqa: E731
    except TypeError:
        copy = reader.copy
    rows["shm snapshot of a new block"] = timed(lambda: Snapshot._from_native(copy()), 2000)
    rows["  of which the C++ copy"] = timed(copy, 2000)
    ns = copy()
    rows["  of which np.frombuffer"] = timed(lambda: np.frombuffer(ns, dtype=NEURON_DTYPE), 2000)
    del ns
    rows["REST GET /metagraph + json.loads"] = timed(rest_read, 50)
    try:
        from fastapi_peer import Metagraph  # the original service's models (pydantic)

        rows["REST GET + pydantic Metagraph"] = timed(lambda: Metagraph.parse_obj(rest_read()), 20)
    except ImportError as e:
        print(f"(pydantic peer skipped: {e})")

    # One push from Python: a `set` by uid through the queue (the ring holds 4096 until durable,
    # so pushes go in rounds of 1000, each waited durable outside the timing).
    per_push = []
    for _ in range(5):
        t = time.perf_counter_ns()
        for i in range(1000):
            seq = shm.push_weights({i % len(snap.neurons): 1.0})
        per_push.append((time.perf_counter_ns() - t) / 1000)
        shm.wait_durable(seq, timeout=30)
    rows["push_weights (1 weight)"] = (statistics.median(per_push), max(per_push))

    def push_durable():
        shm.wait_durable(shm.push_weights({0: 1.0}), timeout=30)

    # Push -> durable, Python and (when given) the C++ client in alternating rounds of 40, so both
    # see the same daemon, disk and machine load; medians over all rounds.
    cpp = sys.argv[3] if len(sys.argv) > 3 else None
    py_all, cpp_med = [], []
    for _ in range(5):
        for _ in range(40):
            t = time.perf_counter_ns()
            push_durable()
            py_all.append(time.perf_counter_ns() - t)
        if cpp:
            out = subprocess.run([cpp, shm._t.queue_name, "40"], check=True, capture_output=True, text=True).stdout
            cpp_med.append(int(out.split()[1]))
    py_all.sort()
    rows["push_weights + wait_durable"] = (statistics.median(py_all), py_all[int(len(py_all) * 0.9)])
    if cpp:
        rows["C++ push_uid + wait_durable (median of rounds)"] = (statistics.median(cpp_med), max(cpp_med))

    width = max(len(k) for k in rows)
    print(f"{'':{width}}  {'median':>12}  {'p90':>12}")
    for k, (med, p90) in rows.items():
        print(f"{k:{width}}  {fmt(med):>12}  {fmt(p90):>12}")
    shm_ns = rows["shm client.snapshot()"][0]
    print(f"ratio REST GET+json.loads / shm snapshot: {rows['REST GET /metagraph + json.loads'][0] / shm_ns:,.0f}x "
          "(goal >= 1000x)")
    if "REST GET + pydantic Metagraph" in rows:
        print(f"ratio REST GET+pydantic / shm snapshot: {rows['REST GET + pydantic Metagraph'][0] / shm_ns:,.0f}x")
    new_ns = rows["shm snapshot of a new block"][0]
    print(f"ratio REST GET+json.loads / shm snapshot of a new block: "
          f"{rows['REST GET /metagraph + json.loads'][0] / new_ns:,.0f}x")
    print(f"one push from Python: {fmt(rows['push_weights (1 weight)'][0])} (goal <= 2 µs)")
    if cpp:
        print(f"push -> durable, Python / C++: {rows['push_weights + wait_durable'][0] / statistics.median(cpp_med):.2f}x "
              "(goal <= 1.2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
