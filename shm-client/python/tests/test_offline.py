"""pylon_shm without a daemon: layout, SS58, refusals before any I/O, foreign segments."""

import hashlib
import os
import struct
import uuid

import numpy as np
import pytest

import pylon_shm
from pylon_shm import _ss58

PYLON_HOTKEY = "5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1"


def test_neuron_dtype_is_layout_md_neuron_record():
    # LAYOUT.md's NeuronRecord: 136 bytes, these names at these offsets.
    want = {"hotkey": 0, "coldkey": 32, "stake": 64, "emission": 72, "last_update": 80, "axon_ip": 88,
            "axon_version": 104, "uid": 108, "rank": 110, "trust": 112, "validator_trust": 114,
            "consensus": 116, "incentive": 118, "dividends": 120, "pruning_score": 122, "axon_port": 124,
            "validator_permit": 126, "active": 127, "axon_ip_type": 128, "axon_protocol": 129}
    dt = pylon_shm.NEURON_DTYPE
    assert dt.itemsize == 136
    assert {name: dt.fields[name][1] for name in dt.names} == want


def _with_prefix(prefix: int, account: bytes) -> str:
    # The same account under another network's prefix (Polkadot's 0), checksum and all.
    raw = bytes([prefix]) + account
    raw += hashlib.blake2b(b"SS58PRE" + raw, digest_size=64).digest()[:2]
    n, out = int.from_bytes(raw, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = _ss58._ALPHABET[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def test_ss58_round_trip_and_refusals():
    account = _ss58.decode(PYLON_HOTKEY)
    assert len(account) == 32
    assert _ss58.encode(account) == PYLON_HOTKEY
    for bad in ["", "5DCSKt", PYLON_HOTKEY[:-1] + "2", PYLON_HOTKEY + "1", "0" + PYLON_HOTKEY[1:],
                _with_prefix(0, _ss58.decode(PYLON_HOTKEY)), 42, None]:
        with pytest.raises(pylon_shm.PylonError) as e:
            _ss58.decode(bad)
        assert e.value.errc == "invalid_argument"


@pytest.mark.parametrize("weights", [
    {PYLON_HOTKEY: float("nan")}, {PYLON_HOTKEY: float("inf")}, {PYLON_HOTKEY: -float("inf")},
    {PYLON_HOTKEY: -0.5}, {PYLON_HOTKEY: 1e15 * (1 + 1e-15)}, {PYLON_HOTKEY: 2e15}, {PYLON_HOTKEY: "1"},
    {PYLON_HOTKEY: True}, {PYLON_HOTKEY[:-1] + "2": 1.0}, {"not an address": 1.0}, {1.5: 1.0}, {}, [],
    {PYLON_HOTKEY: 1.0, "5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX2": 1.0},
])
def test_bad_weights_are_refused_before_any_request(weights):
    # A REST client pointed at a port nobody listens on: a refusal that came from the network
    # would be not_found; invalid_argument proves the check ran first.
    c = pylon_shm.connect(rest_url="http://127.0.0.1:9", prefer="rest")
    with pytest.raises(pylon_shm.PylonError) as e:
        c.push_weights(weights)
    assert e.value.errc == "invalid_argument", e.value


@pytest.mark.parametrize("mechanism", [-1, 256, True, 1.0, "1", None])
def test_bad_mechanisms_are_refused_before_any_request(mechanism):
    c = pylon_shm.connect(rest_url="http://127.0.0.1:9", prefer="rest")
    with pytest.raises(pylon_shm.PylonError) as e:
        c.push_weights({PYLON_HOTKEY: 1.0}, mechanism=mechanism)
    assert e.value.errc == "invalid_argument", e.value
    assert "mechanism" in str(e.value)


def test_max_weight_is_accepted_by_the_checks():
    c = pylon_shm.connect(rest_url="http://127.0.0.1:9", prefer="rest")
    with pytest.raises(pylon_shm.PylonError) as e:
        c.push_weights({PYLON_HOTKEY: 1e15, _ss58.encode(bytes(range(32))): 0})
    assert e.value.errc == "not_found"  # passed validation, then found nobody listening


def test_connect_auto_without_segment_uses_rest_and_bad_prefer_is_refused():
    assert pylon_shm.connect(shm_name="pylon-absent-" + uuid.uuid4().hex).transport == "rest"
    with pytest.raises(pylon_shm.PylonError) as e:
        pylon_shm.connect(netuid=1, prefer="fast")
    assert e.value.errc == "invalid_argument"
    with pytest.raises(pylon_shm.PylonError) as e:
        pylon_shm.connect(shm_name="pylon-absent-" + uuid.uuid4().hex, prefer="shm")
    assert e.value.errc == "not_found"


@pytest.fixture
def segment_file():
    name = "pylon-pytest-" + uuid.uuid4().hex[:12]
    path = "/dev/shm/" + name
    yield name, path
    if os.path.exists(path):
        os.unlink(path)


@pytest.mark.parametrize("content,errc", [
    (b"\x00" * 8192, "bad_magic"),
    (os.urandom(8192), "bad_magic"),
    (b"PYLNWQUE" + b"\x00" * 8184, "bad_magic"),  # a queue segment where a snapshot is expected
    (b"PYLNSNAP" + b"\x00" * 16, "truncated"),
    (b"", "truncated"),
])
def test_foreign_or_truncated_segment_raises(segment_file, content, errc):
    name, path = segment_file
    with open(path, "wb") as f:
        f.write(content)
    for prefer in ("auto", "shm"):
        with pytest.raises(pylon_shm.PylonError) as e:
            pylon_shm.connect(shm_name=name, prefer=prefer, rest_url="http://127.0.0.1:9")
        assert e.value.errc == errc, e.value


def test_readme_shows_the_example_that_the_daemon_tests_run():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "README.md")) as f:
        readme = f.read()
    with open(os.path.join(here, "..", "examples", "validator.py")) as f:
        example = f.read()
    assert "```python\n" + example + "```" in readme


def test_rest_asks_for_gzip_and_decodes_it():
    # The REST transport asks for gzip (Pylon keeps each snapshot's bodies compressed) and undoes
    # it; the daemon tests' REST runs take that path against the real server.
    import gzip

    from pylon_shm import _rest

    assert _rest.RestTransport("http://127.0.0.1:1")._headers["Accept-Encoding"] == "gzip"
    body = b'{"block": 1, "neurons": {}}' * 100
    assert _rest._decoded(gzip.compress(body), "gzip") == body
    assert _rest._decoded(gzip.compress(body), " GZIP ") == body
    assert _rest._decoded(body, None) == body
    assert _rest._decoded(body, "identity") == body
    # A body that does not decompress, or a coding never asked for, is the client's "corrupt".
    for bad, coding in ((b"not gzip", "gzip"), (gzip.compress(body)[:-4], "gzip"), (body, "br")):
        with pytest.raises(ValueError):
            _rest._decoded(bad, coding)


def _align(x: int, a: int) -> int:
    return (x + a - 1) // a * a


def _snapshot_segment(neurons: int, mechanisms: list, abi: int = 2) -> bytes:
    """A snapshot segment of one slot written from LAYOUT.md alone: `neurons` rows (uid i has
    incentive 100 + i and last_update 1000 + i) and the mechanisms, each (share or None, fields or
    None) with fields (incentives, last_updates) for mechanisms >= 1; [] writes count 0."""
    count, capacity = len(mechanisms), max(1, len(mechanisms))
    meta, rows = 64, 320
    index = _align(rows + neurons * 136, 64)
    mech = _align(index + neurons * 2, 64)  # no commitments: their table and data area are empty
    last_update = _align(mech + capacity * 8, 64)
    incentives = _align(last_update + (capacity - 1) * neurons * 8, 64)
    slot_size = _align(incentives + (capacity - 1) * _align(neurons * 2, 8), 64)
    seg = bytearray(256 + slot_size)
    struct.pack_into("<QIIQQIIQIIIHH", seg, 0, 0x50414E534E4C5950, abi, 256, len(seg), 7, 1, slot_size, 256,
                     neurons, 0, 0, 1, 0)
    struct.pack_into("<IIIIIIIIIIII", seg, 64, 136, 64, meta, rows, index, mech, mech, capacity, 8, mech,
                     last_update, incentives)
    struct.pack_into("<IIQ", seg, 128, 1, 0, 1)  # live, slot 0, one publish
    slot = 256
    struct.pack_into("<Q", seg, slot, 2)  # seq: even, written
    struct.pack_into("<QQ32sIIII", seg, slot + meta, 4242, 0, bytes(32), neurons, 0, 0, count)
    for uid in range(neurons):
        row = slot + rows + uid * 136
        seg[row:row + 32] = bytes([uid + 1]) * 32  # hotkeys in uid order: the index is 0, 1, ...
        struct.pack_into("<Q", seg, row + 80, 1000 + uid)
        struct.pack_into("<H", seg, row + 108, uid)
        struct.pack_into("<H", seg, row + 118, 100 + uid)
        struct.pack_into("<H", seg, slot + index + 2 * uid, uid)
    for m, (share, fields) in enumerate(mechanisms):
        flags = (1 if share is not None else 0) | (2 if m == 0 or fields is not None else 0)
        struct.pack_into("<HB", seg, slot + mech + 8 * m, share or 0, flags)
        if m > 0 and fields is not None:
            for uid, (inc, lu) in enumerate(zip(*fields)):
                struct.pack_into("<H", seg, slot + incentives + (m - 1) * _align(neurons * 2, 8) + 2 * uid, inc)
                struct.pack_into("<Q", seg, slot + last_update + (m - 1) * neurons * 8 + 8 * uid, lu)
    return bytes(seg)


def _open(segment_file, content):
    name, path = segment_file
    with open(path, "wb") as f:
        f.write(content)
    client = pylon_shm.connect(shm_name=name, prefer="shm")
    return client.snapshot()


def test_mechanisms_read_from_a_segment_laid_out_by_layout_md(segment_file):
    one = ([7, 8, 9], [501, 502, 503])
    snap = _open(segment_file, _snapshot_segment(3, [(30000, None), (20000, one), (15535, None)]))
    assert snap.block == 4242 and len(snap) == 3
    assert snap.mechanism_count == 3
    assert [snap.emission_share(m) for m in range(3)] == [30000, 20000, 15535]
    # Mechanism 0 (the default) is the neuron table's own fields.
    assert list(snap.incentives()) == [100, 101, 102] == list(snap.neurons["incentive"])
    assert list(snap.last_updates(mechanism=0)) == [1000, 1001, 1002]
    assert snap.incentive(2) == 102 and snap.last_update(2, mechanism=0) == 1002
    assert list(snap.incentives(mechanism=1)) == [7, 8, 9]
    assert list(snap.last_updates(mechanism=1)) == [501, 502, 503]
    assert snap.incentive(1, mechanism=1) == 8 and snap.last_update(2, mechanism=1) == 503
    assert snap.incentives(mechanism=1).dtype == np.uint16 and snap.last_updates(1).dtype == np.uint64
    with pytest.raises(ValueError):
        snap.incentives(mechanism=1)[0] = 1  # a view of the immutable snapshot
    cases = [(lambda: snap.incentives(mechanism=2), "unavailable"), (lambda: snap.incentive(0, 3), "out_of_range"),
             (lambda: snap.emission_share(3), "out_of_range"), (lambda: snap.incentive(3, 1), "out_of_range"),
             (lambda: snap.last_updates(mechanism=-1), "invalid_argument"),
             (lambda: snap.incentives(mechanism=True), "invalid_argument")]
    for call, errc in cases:
        with pytest.raises(pylon_shm.PylonError) as e:
            call()
        assert e.value.errc == errc, e.value


def test_one_mechanism_and_an_unknown_count(segment_file):
    snap = _open(segment_file, _snapshot_segment(2, [(None, None)]))
    assert snap.mechanism_count == 1 and snap.emission_share() is None
    assert list(snap.incentives()) == [100, 101]
    with pytest.raises(pylon_shm.PylonError) as e:
        snap.incentives(mechanism=1)
    assert e.value.errc == "out_of_range"
    os.unlink(segment_file[1])
    snap = _open(segment_file, _snapshot_segment(2, []))  # the daemon could not read them
    assert snap.mechanism_count == 0
    assert list(snap.last_updates()) == [1000, 1001]
    with pytest.raises(pylon_shm.PylonError) as e:
        snap.incentives(mechanism=1)
    assert e.value.errc == "unavailable"


def test_a_version_1_segment_is_refused_naming_both_versions(segment_file):
    name, path = segment_file
    with open(path, "wb") as f:
        f.write(_snapshot_segment(2, [(None, None)], abi=1))
    assert pylon_shm._native.SNAPSHOT_ABI_VERSION == 2
    with pytest.raises(pylon_shm.PylonError) as e:
        pylon_shm.connect(shm_name=name, rest_url="http://127.0.0.1:9")
    assert e.value.errc == "abi_mismatch"
    assert "ABI version 1 but this client speaks ABI version 2" in str(e.value)


def test_rest_snapshots_serve_mechanism_0_only():
    neurons = np.zeros(2, dtype=pylon_shm.NEURON_DTYPE)
    neurons["incentive"] = [5, 6]
    snap = pylon_shm.Snapshot(1, "0x00", neurons, {}, {})
    assert snap.mechanism_count is None and snap.emission_share() is None
    assert list(snap.incentives()) == [5, 6] and snap.incentive(1, mechanism=0) == 6
    with pytest.raises(pylon_shm.PylonError) as e:
        snap.incentives(mechanism=1)
    assert e.value.errc == "unavailable"
