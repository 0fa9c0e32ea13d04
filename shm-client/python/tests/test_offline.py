"""pylon_shm without a daemon: layout, SS58, refusals before any I/O, foreign segments."""

import hashlib
import os
import uuid

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
