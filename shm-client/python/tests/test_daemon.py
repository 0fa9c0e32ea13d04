"""pylon_shm against the real daemon on the local chain, over shm and over REST (the `client`
fixture runs each test both ways; see conftest.py)."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

import numpy as np
import pytest

import pylon_shm
from pylon_shm import _rest, _ss58

HERE = os.path.dirname(os.path.abspath(__file__))


def get(daemon, path):
    with urllib.request.urlopen(daemon.rest_url + path, timeout=10) as r:
        return json.loads(r.read())


def raw_weights(daemon, mechanism=0) -> dict:
    try:
        return get(daemon, "/raw_weights" + (f"?mechanism={mechanism}" if mechanism else ""))["weights"]
    except urllib.error.HTTPError as e:
        if e.code == 404:  # no weights in this epoch yet
            return {}
        raise


def subnet_has_mechanism(daemon, mechanism) -> bool:
    """What the chain says, through the daemon's REST check (400 when the subnet lacks it)."""
    try:
        get(daemon, f"/raw_weights?mechanism={mechanism}")
    except urllib.error.HTTPError as e:
        if e.code == 400:
            return False
        if e.code != 404:
            raise
    return True


def queue_rejected(daemon) -> float:
    with urllib.request.urlopen(daemon.rest_url + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith('pylon_weights_queue_entries_total{outcome="rejected"} '):
                return float(line.split()[-1])
    raise AssertionError("/metrics has no rejected queue entries counter")


def test_snapshot_equals_rest_metagraph_at_the_same_block(client, daemon):
    snap = client.snapshot()
    assert snap.block > 0 and len(snap.neurons) >= 2
    mg = get(daemon, f"/metagraph/{snap.block}")
    assert mg["block"] == snap.block
    assert mg["block_hash"] == snap.block_hash and snap.block_hash.startswith("0x") and len(snap.block_hash) == 66
    rest = _rest._neurons_array(mg["neurons"])
    assert snap.neurons.dtype == pylon_shm.NEURON_DTYPE
    # Every field the API carries (axon_version is the segment's alone).
    for field in pylon_shm.NEURON_DTYPE.names:
        if field != "axon_version":
            assert np.array_equal(snap.neurons[field], rest[field]), field
    assert list(snap.neurons["uid"]) == list(range(len(snap.neurons)))
    for uid in range(len(snap.neurons)):
        hk = snap.hotkey(uid)
        assert mg["neurons"][hk]["uid"] == uid
        assert snap.uid_of(hk) == uid
    # Hyperparameters: the segment's fixed set, each as the API names and values it.
    hp = get(daemon, "/hyperparams")
    assert snap.hyperparams["tempo"] > 0
    for k, v in snap.hyperparams.items():
        if k in hp:
            assert hp[k] == v, k
    assert get(daemon, f"/get_commitments?block={snap.block}") == {k: "0x" + v.hex() for k, v in
                                                                    snap.commitments.items()}


def test_mechanisms_are_the_chains(client, daemon):
    snap = client.snapshot()
    # Mechanism 0 (the default) is the neuron table's own fields, over both transports.
    assert np.array_equal(snap.incentives(), snap.neurons["incentive"])
    assert np.array_equal(snap.last_updates(mechanism=0), snap.neurons["last_update"])
    if client.transport == "rest":  # REST serves mechanism 0 only
        assert snap.mechanism_count is None
        with pytest.raises(pylon_shm.PylonError) as e:
            snap.incentives(mechanism=1)
        assert e.value.errc == "unavailable"
        return
    # The local runtime (spec 293) has no mechanisms: the count is 1, the subnet's own.
    assert snap.mechanism_count >= 2 if subnet_has_mechanism(daemon, 1) else snap.mechanism_count == 1
    with pytest.raises(pylon_shm.PylonError) as e:
        snap.incentives(mechanism=snap.mechanism_count)
    assert e.value.errc == "out_of_range"


def test_lookups_refuse_what_is_not_there(client):
    snap = client.snapshot()
    for uid in (-1, len(snap.neurons), 70000):
        with pytest.raises(pylon_shm.PylonError) as e:
            snap.hotkey(uid)
        assert e.value.errc == "out_of_range"
    with pytest.raises(pylon_shm.PylonError) as e:
        snap.uid_of(_ss58.encode(bytes(range(32))))
    assert e.value.errc == "no_such_neuron"
    with pytest.raises(pylon_shm.PylonError) as e:
        snap.uid_of("5Dnotanaddress")
    assert e.value.errc == "invalid_argument"


def test_weights_by_hotkey_and_by_uid_land_in_raw_weights(client, daemon):
    snap = client.snapshot()
    by_uid = len(snap.neurons) - 1
    by_hotkey = snap.hotkey(0)
    unregistered = _ss58.encode(uuid.uuid4().bytes * 2)  # stored too: the committer reports it
    # Distinct values per transport and run, so an earlier test's weights cannot pass for these.
    base = float(uuid.uuid4().int % 1000) + (0.25 if client.transport == "shm" else 0.5)
    seq = client.push_weights({by_hotkey: base, by_uid: base + 1, unregistered: 0.0})
    client.wait_durable(seq, timeout=10)
    got = raw_weights(daemon)
    assert got[by_hotkey] == base
    assert got[snap.hotkey(by_uid)] == base + 1
    assert got[unregistered] == 0.0
    # numpy scalars as keys and values work as plain ones do.
    seq2 = client.push_weights({np.int64(by_uid): np.float32(2.5)})
    assert seq2 > seq
    client.wait_durable(seq2, timeout=10)
    assert raw_weights(daemon)[snap.hotkey(by_uid)] == 2.5


def test_weights_for_mechanism_1_land_there_or_are_refused(client, daemon):
    # The local subnet's mechanism count decides (MechanismCountCurrent, read by the daemon): with
    # mechanism 1 the weights land under it and not under 0; without it, REST refuses the request
    # and the daemon refuses the shm entries (counted), which still become durable, and the queue
    # goes on.
    probe = _ss58.encode(uuid.uuid4().bytes * 2)
    value = float(uuid.uuid4().int % 1000) + 0.75
    has_mechanism_1 = subnet_has_mechanism(daemon, 1)
    rejected_before = queue_rejected(daemon)
    if has_mechanism_1 or client.transport == "shm":
        seq = client.push_weights({probe: value}, mechanism=1)
        client.wait_durable(seq, timeout=10)
    else:
        with pytest.raises(pylon_shm.PylonError) as e:
            client.push_weights({probe: value}, mechanism=1)
        assert e.value.errc == "invalid_argument" and "mechanism 1" in str(e.value), e.value
    assert probe not in raw_weights(daemon)
    if has_mechanism_1:
        assert raw_weights(daemon, 1)[probe] == value
    elif client.transport == "shm":
        # Counted once the writer's round ends, just after the entry became durable.
        deadline = time.monotonic() + 10
        while queue_rejected(daemon) != rejected_before + 1 and time.monotonic() < deadline:
            time.sleep(0.02)  # /metrics has no event to wait on
        assert queue_rejected(daemon) == rejected_before + 1
    # The default is mechanism 0, and the queue goes on.
    seq2 = client.push_weights({probe: value + 1})
    client.wait_durable(seq2, timeout=10)
    assert raw_weights(daemon)[probe] == value + 1


def test_a_bad_batch_pushes_nothing(client, daemon):
    snap = client.snapshot()
    probe = _ss58.encode(uuid.uuid4().bytes * 2)
    seq = client.push_weights({probe: 1.0})
    client.wait_durable(seq, timeout=10)
    other = _ss58.encode(uuid.uuid4().bytes * 2)
    bad_batches = [
        ({other: 1.0, probe: float("nan")}, "invalid_argument"),
        ({other: 1.0, probe: -1.0}, "invalid_argument"),
        ({other: 1.0, probe: float("inf")}, "invalid_argument"),
        ({other: 1.0, probe: 1e16}, "invalid_argument"),
        ({other: 1.0, probe[:-1] + ("2" if probe[-1] != "2" else "3"): 1.0}, "invalid_argument"),
        ({other: 1.0, len(snap.neurons): 1.0}, "out_of_range"),
        ({other: 1.0, 65536: 1.0}, "out_of_range"),
        ({other: 1.0, -1: 1.0}, "out_of_range"),
    ]
    for batch, errc in bad_batches:
        with pytest.raises(pylon_shm.PylonError) as e:
            client.push_weights(batch)
        assert e.value.errc == errc, (batch, e.value)
    # Nothing of those batches was queued: the next push is the very next sequence number, and the
    # good half of each batch never reached the store.
    seq2 = client.push_weights({probe: 3.0})
    assert seq2 == seq + 1
    client.wait_durable(seq2, timeout=10)
    got = raw_weights(daemon)
    assert got[probe] == 3.0 and other not in got


def test_wait_for_block_returns_the_next_snapshot(client, daemon):
    before = client.snapshot().block
    with pytest.raises(pylon_shm.PylonError) as e:
        client.wait_for_block(before, timeout=0.05)
    assert e.value.errc == "timeout"
    result = {}
    waiter = threading.Thread(target=lambda: result.update(snap=client.wait_for_block(before, timeout=60)))
    waiter.start()
    daemon.new_block()
    waiter.join()
    assert result["snap"].block > before


def test_snapshot_is_the_same_object_until_a_new_block(client, daemon):
    # Over shm a check of the segment, over REST one GET /latest_block: no new copy or metagraph.
    first = client.snapshot()
    assert client.snapshot() is first
    daemon.new_block()
    nxt = client.wait_for_block(first.block, timeout=60)
    assert nxt is not first and nxt.block > first.block
    assert client.snapshot() is nxt


def test_shm_snapshots_stay_as_they_were_while_new_ones_reuse_buffers(daemon):
    # Over shm a snapshot of an unchanged block is the same object (no copy), and a new block's copy
    # goes into the buffers of one no longer held: a snapshot still held must never change.
    client = pylon_shm.connect(shm_name=daemon.shm_name, prefer="shm")
    first = client.snapshot()
    assert client.snapshot() is first
    # The native copy's own block and hash too: the neurons may be the same from block to block, the
    # block never is, so a reused copy under `first` would show here.
    kept = (first.block, first.block_hash, first.neurons.tobytes(), first._native.block,
            "0x" + first._native.block_hash.hex())
    seen = [first.block]
    for _ in range(3):  # three blocks: the first two copies' buffers are free again by the third
        daemon.new_block()
        snap = client.wait_for_block(seen[-1], timeout=60)
        assert snap.block > seen[-1] and snap is not first
        assert client.snapshot() is snap
        seen.append(snap.block)
        del snap  # dropped: its buffers may serve the next block
        assert (first.block, first.block_hash, first.neurons.tobytes(), first._native.block,
                "0x" + first._native.block_hash.hex()) == kept
    latest = client.snapshot()
    mg = get(daemon, f"/metagraph/{latest.block}")
    assert mg["block_hash"] == latest.block_hash
    assert np.array_equal(latest.neurons["stake"], _rest._neurons_array(mg["neurons"])["stake"])
    client.close()


def test_readme_example_runs(client, daemon):
    shm = daemon.shm_name if client.transport == "shm" else "pylon-absent-" + uuid.uuid4().hex[:12]
    example = os.path.join(HERE, "..", "examples", "validator.py")
    out = subprocess.run([sys.executable, example, str(daemon.netuid), shm, daemon.rest_url], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    assert out.startswith(client.transport + ": block ")
    assert "weights durable" in out


def _segment_bytes(name) -> bytearray:
    with open("/dev/shm/" + name, "rb") as f:
        return bytearray(f.read())


@pytest.mark.parametrize("damage,errc", [
    (lambda b: b.__setitem__(slice(8, 12), (99).to_bytes(4, "little")), "abi_mismatch"),
    (lambda b: b.__setitem__(slice(0, 8), b"PYLNWQUE"), "bad_magic"),
    (lambda b: b.__setitem__(slice(48, 52), (1 << 30).to_bytes(4, "little")), None),  # neuron capacity
    (lambda b: b.__delitem__(slice(len(b) // 2, None)), "truncated"),
])
def test_a_corrupt_copy_of_the_daemons_segment_raises(daemon, damage, errc):
    data = _segment_bytes(daemon.shm_name)
    damage(data)
    name = "pylon-pytest-" + uuid.uuid4().hex[:12]
    with open("/dev/shm/" + name, "wb") as f:
        f.write(data)
    try:
        with pytest.raises(pylon_shm.PylonError) as e:
            pylon_shm.connect(shm_name=name, prefer="shm").snapshot()
        if errc is not None:
            assert e.value.errc == errc, e.value
        else:
            assert e.value.errc in ("corrupt", "truncated"), e.value
    finally:
        os.unlink("/dev/shm/" + name)
