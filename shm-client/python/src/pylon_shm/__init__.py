"""pylon_shm: a Python validator's door to Pylon.

Beside the daemon it reads the metagraph from Pylon's shared-memory segment (a consistent private
copy made by the C++ client's seqlock protocol, exposed as a numpy structured array) and pushes
weights through the lock-free queue; away from it, the same calls go over Pylon's REST API.

    import pylon_shm
    client = pylon_shm.connect(netuid=1)           # shm when the segment is there, else REST
    snap = client.snapshot()
    seq = client.push_weights({0: 0.5, "5F...": 1.0})
    client.wait_durable(seq, timeout=10)
"""

import numpy as np

from . import _native, _ss58
from ._errors import PylonError
from ._rest import RestTransport
from ._snapshot import NEURON_DTYPE, Snapshot

__all__ = ["connect", "Client", "Snapshot", "PylonError", "NEURON_DTYPE", "MAX_WEIGHT"]

MAX_WEIGHT = _native.MAX_WEIGHT
DEFAULT_REST_URL = "http://127.0.0.1:8000"
# A writer whose heartbeat is older than this is taken for dead by connect(prefer="auto"); the
# daemon beats every ~100 ms (the C++ reader uses the same 5 s to look for a new generation).
_STALE_WRITER_NS = 5_000_000_000
# Errors after which a push reopens the queue by name once (the daemon restarted or took the slot
# back): every entry is a `set`, so pushing the whole batch again is harmless.
_REOPEN = frozenset({"retired", "lease_lost", "not_live"})


class _ShmTransport:
    name = "shm"

    def __init__(self, shm_name: str, reader):
        self.shm_name = shm_name
        self.queue_name = shm_name + "-weights"
        self._reader = reader
        self._producer = None
        self._last_snapshot = None

    def snapshot(self) -> Snapshot:
        ns = self._reader.copy()
        last = self._last_snapshot
        if last is not None and last._native is ns:
            return last  # the same block as last time: the reader checked, nothing was copied
        snap = Snapshot._from_native(ns)
        self._last_snapshot = snap
        return snap

    def wait_for_block(self, after: int, timeout: float) -> Snapshot:
        self._reader.wait_for_block(after, timeout)
        return self.snapshot()

    def _uid_limit(self) -> int:
        snap = self._last_snapshot or self.snapshot()
        return len(snap.neurons)

    def push_weights(self, items, timeout: float, mechanism: int = 0) -> int:
        uid_limit = self._uid_limit()
        for attempt in range(2):
            if self._producer is None:
                self._producer = _native.Producer(self.queue_name)
            try:
                return self._producer.push(items, uid_limit, timeout, mechanism)
            except PylonError as e:
                if e.errc not in _REOPEN or attempt == 1:
                    raise
                self._producer.close()
                self._producer = None
        raise AssertionError("unreachable")

    def wait_durable(self, seq: int, timeout: float) -> None:
        if self._producer is None:
            raise PylonError("invalid_argument", f"sequence {seq} was never pushed")
        self._producer.wait_durable(seq, timeout)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
            self._producer = None


class Client:
    """A connection to one Pylon daemon. ``transport`` is ``"shm"`` or ``"rest"``.

    Thread contract: one thread at a time per Client (give each thread its own); the Snapshots it
    returns are immutable and may be shared.
    """

    def __init__(self, transport):
        self._t = transport

    @property
    def transport(self) -> str:
        return self._t.name

    def snapshot(self) -> Snapshot:
        """The latest snapshot: block, block_hash, neurons, hyperparams, commitments.

        Snapshots are immutable: while no new block was published this returns the same object as
        the call before (over shm a check of a few words of the segment, no copy; over REST one
        ``GET /latest_block``).
        """
        return self._t.snapshot()

    def wait_for_block(self, after: int, timeout: float = 30.0) -> Snapshot:
        """Sleep until a snapshot of a block after ``after`` exists and return it.

        Over shm this sleeps on the segment's publish futex (woken by the daemon on every
        publish, no polling); over REST it long-polls ``GET /latest_block?after=N&timeout=S``,
        which the daemon answers when it publishes the block.
        PylonError("timeout") when none came in time.
        """
        return self._t.wait_for_block(int(after), float(timeout))

    def push_weights(self, weights: dict, timeout: float = 10.0, mechanism: int = 0) -> int:
        """Queue ``{hotkey_ss58_or_uid: weight}`` (each a ``set``); returns a sequence number.

        ``mechanism`` (0..255, default 0, the one every subnet has) is the subnet's mechanism
        (sub-subnet) the weights are for. Over shm the daemon checks it when it drains the entries
        and refuses (and counts, ``pylon_weights_queue_entries_total{outcome="rejected"}``) those
        for a mechanism the subnet does not have, which still become durable; over REST it is
        ``?mechanism=N``, refused at once with PylonError("invalid_argument").

        Every key and weight is checked before anything is queued (weights are finite numbers from
        0 to 1e15; hotkeys are SS58 addresses of prefix 42; uids are below the latest snapshot's
        neuron count): one bad item raises PylonError and nothing is pushed. Over shm the push
        waits (up to ``timeout``) only when the ring has no room; over REST it is one
        ``PUT /set_weights``, durable when it returns.
        """
        if (isinstance(mechanism, bool) or not isinstance(mechanism, (int, np.integer))
                or not 0 <= mechanism <= 255):
            raise PylonError("invalid_argument", f"mechanism {mechanism!r} is not a mechanism id (0..255)")
        if not isinstance(weights, dict):
            raise PylonError("invalid_argument", "weights must be a dict {hotkey or uid: weight}")
        if not weights:
            raise PylonError("invalid_argument", "no weights given")
        items = []
        for key, w in weights.items():
            if isinstance(key, str):
                key = _ss58.decode(key)
            elif isinstance(key, bool) or not isinstance(key, (int, np.integer)):
                raise PylonError("invalid_argument", f"key {key!r} is neither a hotkey nor a uid")
            else:
                key = int(key)
            if isinstance(w, np.floating):
                w = float(w)
            items.append((key, w))
        return self._t.push_weights(items, float(timeout), int(mechanism))

    def wait_durable(self, seq: int, timeout: float = 10.0) -> None:
        """Return once entry ``seq`` is committed by the daemon's weights store.

        PylonError("timeout") when it is not within ``timeout`` seconds; PylonError("retired")
        when the daemon restarted before: push the weights again.
        """
        self._t.wait_durable(int(seq), float(timeout))

    def close(self) -> None:
        """Give the producer slot back (also done when the Client is garbage-collected)."""
        self._t.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect(netuid=None, shm_name=None, rest_url=None, token=None, prefer="auto") -> Client:
    """Connect to the Pylon daemon of subnet ``netuid``.

    ``prefer="auto"`` uses the shared-memory segment (``shm_name``, default ``pylon-<netuid>``)
    when it exists and its writer is alive, otherwise REST at ``rest_url`` (default
    http://127.0.0.1:8000, ``token`` as its bearer token). ``"shm"`` and ``"rest"`` force one.
    A segment that exists but is not a Pylon segment of this ABI (``bad_magic``,
    ``abi_mismatch``, ``truncated``, ``corrupt``) raises PylonError even with ``"auto"``.
    """
    if prefer not in ("auto", "shm", "rest"):
        raise PylonError("invalid_argument", f"prefer must be 'auto', 'shm' or 'rest', not {prefer!r}")
    if shm_name is None and netuid is not None:
        if isinstance(netuid, bool) or not isinstance(netuid, int) or not 0 <= netuid <= 65535:
            raise PylonError("invalid_argument", f"netuid {netuid!r} is not a subnet number")
        shm_name = f"pylon-{netuid}"
    if prefer != "rest":
        if shm_name is None:
            if prefer == "shm":
                raise PylonError("invalid_argument", "prefer='shm' needs netuid or shm_name")
        else:
            try:
                reader = _native.Reader(shm_name)
                if prefer == "shm":
                    return Client(_ShmTransport(shm_name, reader))
                if reader.heartbeat_age_ns <= _STALE_WRITER_NS:
                    return Client(_ShmTransport(shm_name, reader))
            except PylonError as e:
                if prefer == "shm" or e.errc not in ("not_found", "no_snapshot", "retired", "not_live"):
                    raise
    return Client(RestTransport(rest_url or DEFAULT_REST_URL, token))
