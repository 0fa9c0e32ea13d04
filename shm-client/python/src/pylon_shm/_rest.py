"""The REST transport: the same Client over Pylon's HTTP API (stdlib urllib only).

Reads are GET /metagraph, /hyperparams and /get_commitments (three requests: the snapshot is
taken at /metagraph's block, and the other two are asked for at that block where the API allows
it); weights are one PUT /set_weights, durable when it answers 200. Answers are asked for
gzip-compressed (the server compresses each snapshot's bodies once; /metagraph of 1024 neurons is
~15% of its size on the wire) and decompressed here with the standard library.
"""

import gzip
import ipaddress
import json
import time
import urllib.error
import urllib.request
import zlib

import numpy as np

from . import _native, _ss58
from ._errors import PylonError
from ._snapshot import NEURON_DTYPE, Snapshot

_U16 = 65535.0
_RAO = 1e9
_FRACTIONS = ("rank", "trust", "validator_trust", "consensus", "incentive", "dividends")
# The longest a Pylon REST server parks GET /latest_block?after=N (rest/long_poll.hpp), and the
# pause before asking again when a server answered without waiting.
_MAX_SERVER_WAIT = 60.0
_RETRY_PAUSE = 0.2
# HTTP statuses as the shm client's Errc names, so callers handle one set of errors.
_STATUS_ERRC = {400: "invalid_argument", 401: "permission", 403: "permission", 404: "not_found",
                413: "invalid_argument", 503: "not_live", 504: "timeout"}


def _decoded(body: bytes, encoding) -> bytes:
    """The body as sent before its Content-Encoding (gzip, the only one asked for, or none)."""
    if encoding is None or encoding.strip().lower() in ("", "identity"):
        return body
    if encoding.strip().lower() == "gzip":
        try:
            return gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as e:  # as ValueError: the caller's "corrupt"
            raise ValueError(f"the gzip body does not decompress: {e}") from None
    raise ValueError(f"Content-Encoding {encoding!r} was not asked for")


class RestTransport:
    name = "rest"

    def __init__(self, base_url: str, token=None, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self._headers = {"Accept": "application/json", "Accept-Encoding": "gzip"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self._timeout = timeout
        self._last_snapshot = None
        self._seq = 0

    def _request(self, method: str, path: str, body=None, timeout=None):
        data = None
        headers = dict(self._headers)
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout or self._timeout) as r:
                return json.loads(_decoded(r.read(), r.headers.get("Content-Encoding")))
        except urllib.error.HTTPError as e:
            detail = ""
            try:
                j = json.loads(_decoded(e.read(), e.headers.get("Content-Encoding")))
                detail = j.get("detail", "") if isinstance(j, dict) else ""
            except (ValueError, OSError):
                pass
            errc = _STATUS_ERRC.get(e.code, "os_error")
            raise PylonError(errc, f"{method} {path}: HTTP {e.code} {detail}".rstrip()) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            errc = "timeout" if isinstance(reason, TimeoutError) else "not_found"
            raise PylonError(errc, f"{method} {self.base_url}{path}: {reason}") from None
        except ValueError as e:
            raise PylonError("corrupt", f"{method} {path}: the answer is not JSON ({e})") from None

    def snapshot(self) -> Snapshot:
        last = self._last_snapshot
        if last is not None:
            # Snapshots are immutable: the same block is the same object (one small request).
            try:
                if self.latest_block() == last.block:
                    return last
            except PylonError:
                pass  # the full read below reports it
        mg = self._request("GET", "/metagraph")
        try:
            block = int(mg["block"])
            block_hash = str(mg["block_hash"])
            neurons = _neurons_array(mg["neurons"])
        except (KeyError, TypeError, ValueError) as e:
            raise PylonError("corrupt", f"/metagraph has an unexpected shape ({e!r})") from None
        hyperparams = self._request("GET", "/hyperparams")
        raw = self._request("GET", f"/get_commitments?block={block}")
        try:
            commitments = {hk: bytes.fromhex(v[2:] if v.startswith("0x") else v) for hk, v in raw.items()}
        except (AttributeError, ValueError) as e:
            raise PylonError("corrupt", f"/get_commitments has an unexpected shape ({e!r})") from None
        snap = Snapshot(block, block_hash, neurons, hyperparams, commitments)
        self._last_snapshot = snap
        return snap

    def latest_block(self) -> int:
        return int(self._request("GET", "/latest_block")["block"])

    def wait_for_block(self, after: int, timeout: float) -> Snapshot:
        # The long-poll: the server answers as soon as it publishes a block after `after`, or at
        # the wait asked (at most 60 s, so a longer timeout is several requests).
        deadline = time.monotonic() + timeout
        while True:
            asked = time.monotonic()
            wait = int(max(0.0, min(_MAX_SERVER_WAIT, deadline - asked)) * 1000) / 1000
            try:
                answer = self._request("GET", f"/latest_block?after={after}&timeout={wait:.3f}",
                                       timeout=wait + self._timeout)
                if int(answer["block"]) > after:
                    return self.snapshot()
            except PylonError as e:
                if e.errc != "not_live":  # 503: no snapshot yet, or too many waiting: ask again
                    raise
            except (KeyError, TypeError, ValueError) as e:
                raise PylonError("corrupt", f"/latest_block has an unexpected shape ({e!r})") from None
            now = time.monotonic()
            if now >= deadline:
                raise PylonError("timeout", f"no snapshot after block {after} within {timeout} s")
            if now - asked < wait:
                # The server did not wait (a Pylon without the long-poll, or one with too many
                # requests parked): pause rather than ask again at once.
                time.sleep(min(_RETRY_PAUSE, deadline - now))

    def push_weights(self, items, timeout: float, mechanism: int = 0) -> int:
        # Validate everything first, exactly as the shm path does; then one request.
        snap = self._last_snapshot
        body = {}
        for key, w in items:
            if isinstance(w, bool) or not isinstance(w, (int, float)) or not (0 <= w <= _native.MAX_WEIGHT):
                raise PylonError("invalid_argument", f"weight {w!r} is not a finite number from 0 to 1e15")
            if isinstance(key, bytes):
                hotkey = _ss58.encode(key)
            else:
                if snap is None or key >= len(snap.neurons):
                    snap = self.snapshot()  # uids are resolved at the latest block
                if not 0 <= key < len(snap.neurons):
                    raise PylonError("out_of_range",
                                     f"uid {key} is not below the subnet's {len(snap.neurons)} neurons")
                hotkey = snap.hotkey(key)
            body[hotkey] = float(w)
        # Mechanism 0 keeps the legacy URL, which every Pylon serves.
        path = "/set_weights" if mechanism == 0 else f"/set_weights?mechanism={mechanism}"
        self._request("PUT", path, {"weights": body})
        self._seq += 1
        return self._seq

    def wait_durable(self, seq: int, timeout: float) -> None:
        # A REST write answers only once its transaction committed.
        if not 0 < seq <= self._seq:
            raise PylonError("invalid_argument", f"sequence {seq} was never pushed (last {self._seq})")

    def close(self) -> None:
        pass


def _neurons_array(neurons: dict) -> np.ndarray:
    """/metagraph's neurons as the NeuronRecord array the shm path gives (row i = uid i)."""
    out = np.zeros(len(neurons), dtype=NEURON_DTYPE)
    for n in neurons.values():
        uid = int(n["uid"])
        row = out[uid]
        row["uid"] = uid
        row["hotkey"] = np.void(_ss58.decode(n["hotkey"]))
        row["coldkey"] = np.void(_ss58.decode(n["coldkey"]))
        row["stake"] = round(float(n["stake"]) * _RAO)
        row["emission"] = round(float(n["emission"]) * _RAO)
        row["last_update"] = int(n["last_update"])
        for f in _FRACTIONS:
            row[f] = round(float(n[f]) * _U16)
        row["pruning_score"] = int(n["pruning_score"])
        row["validator_permit"] = bool(n["validator_permit"])
        row["active"] = bool(n["active"])
        axon = n["axon_info"]
        ip = ipaddress.ip_address(axon["ip"])
        packed = ip.packed
        # The API prints an absent axon as 0.0.0.0; the segment says none (0) for it.
        row["axon_ip_type"] = 0 if int(ip) == 0 else ip.version
        row["axon_ip"] = np.void(packed + bytes(16 - len(packed)))
        row["axon_port"] = int(axon["port"])
        row["axon_protocol"] = int(axon["protocol"])
    if len(out) and not np.array_equal(out["uid"], np.arange(len(out))):
        raise PylonError("corrupt", "/metagraph's uids are not 0..n-1")
    return out

