"""Snapshot: one block's metagraph, hyperparameters and commitments, from shm or REST."""

import numpy as np

from . import _native, _ss58
from ._errors import PylonError


def _dtype() -> np.dtype:
    # Built from the C++ struct's own offsets (layout.hpp, LAYOUT.md's NeuronRecord), not restated.
    fields = _native.neuron_fields()
    return np.dtype(
        {
            "names": [f[0] for f in fields],
            "formats": [f[2] for f in fields],
            "offsets": [f[1] for f in fields],
            "itemsize": _native.NEURON_RECORD_SIZE,
        }
    )


NEURON_DTYPE = _dtype()


class Snapshot:
    """One snapshot as published by the daemon.

    ``neurons`` is a read-only numpy structured array (dtype NEURON_DTYPE, row i = uid i) with
    LAYOUT.md's NeuronRecord fields: ``hotkey``/``coldkey``/``axon_ip`` are raw bytes (``V32``,
    ``V16``), ``stake``/``emission`` are rao, ``rank``, ``trust``, ``incentive``, ... the chain's
    u16 values (divide by 65535). ``hyperparams`` is a dict, ``commitments`` maps the SS58 hotkey
    to its bytes.

    Mechanisms (sub-subnets): ``mechanism_count`` (1 on a runtime without them, 0 when the daemon
    could not read them, None over REST), and per mechanism its ``emission_share`` and the two
    fields subtensor keeps per mechanism, ``incentives``/``last_updates`` (columns, row i = uid i)
    or ``incentive``/``last_update`` of one uid. ``mechanism=0`` (the default) is the neuron
    table's own ``incentive``/``last_update``. A mechanism the subnet does not have raises
    PylonError("out_of_range"); one whose fields the daemon could not read at this block (or any
    above 0 over REST, which serves mechanism 0 only) PylonError("unavailable").
    """

    __slots__ = ("block", "block_hash", "neurons", "_hyperparams", "_commitments", "_native", "_by_hotkey")

    def __init__(self, block, block_hash, neurons, hyperparams, commitments, native=None):
        self.block = block
        self.block_hash = block_hash
        self.neurons = neurons
        self._hyperparams = hyperparams
        self._commitments = commitments
        self._native = native
        self._by_hotkey = None

    @classmethod
    def _from_native(cls, ns) -> "Snapshot":
        # A view of the private copy the C++ client made (numpy keeps `ns` alive): no per-neuron
        # Python objects. The dicts are made on first use: most reads only want the neurons.
        neurons = np.frombuffer(ns, dtype=NEURON_DTYPE)
        return cls(ns.block, "0x" + ns.block_hash.hex(), neurons, None, None, ns)

    @property
    def hyperparams(self) -> dict:
        if self._hyperparams is None:
            self._hyperparams = self._native.hyperparams()
        return self._hyperparams

    @property
    def commitments(self) -> dict:
        if self._commitments is None:
            self._commitments = {_ss58.encode(hk): data for hk, data, _block in self._native.commitments()}
        return self._commitments

    @property
    def mechanism_count(self):
        return self._native.mechanism_count if self._native is not None else None

    def _mechanism(self, mechanism):
        """The native (exists, share, has_fields, incentives, last_updates) of a mechanism the
        snapshot has, after the argument and existence checks; None over REST for mechanism 0."""
        if isinstance(mechanism, bool) or not isinstance(mechanism, (int, np.integer)) or not 0 <= mechanism <= 255:
            raise PylonError("invalid_argument", f"mechanism {mechanism!r} is not a mechanism id (0..255)")
        mechanism = int(mechanism)
        if self._native is None:
            if mechanism > 0:
                raise PylonError("unavailable", "over REST only mechanism 0 is served; read the shm segment")
            return None
        m = self._native.mechanism(mechanism)
        if not m[0]:
            count = self._native.mechanism_count
            if count == 0:
                raise PylonError("unavailable",
                                 f"the daemon could not read the subnet's mechanisms at block {self.block}")
            raise PylonError("out_of_range",
                             f"mechanism {mechanism} is not below the subnet's {count} mechanisms")
        return m

    def _columns(self, mechanism):
        m = self._mechanism(mechanism)
        if m is None or int(mechanism) == 0:
            return self.neurons["incentive"], self.neurons["last_update"]
        if not m[2]:
            raise PylonError("unavailable",
                             f"the daemon could not read mechanism {mechanism}'s fields at block {self.block}")
        return m[3], m[4]

    def emission_share(self, mechanism: int = 0):
        """The mechanism's part of the subnet's emission (of 65535); None when no split is stored."""
        m = self._mechanism(mechanism)
        return None if m is None else m[1]

    def incentives(self, mechanism: int = 0) -> np.ndarray:
        """Every uid's incentive on ``mechanism`` (u16, divide by 65535), a read-only array."""
        return self._columns(mechanism)[0]

    def last_updates(self, mechanism: int = 0) -> np.ndarray:
        """The block each uid last set weights on ``mechanism``, a read-only array."""
        return self._columns(mechanism)[1]

    def _uid(self, uid) -> int:
        if isinstance(uid, bool) or not isinstance(uid, (int, np.integer)) or not 0 <= uid < len(self.neurons):
            raise PylonError("out_of_range", f"uid {uid!r} is not below the {len(self.neurons)} neurons")
        return int(uid)

    def incentive(self, uid: int, mechanism: int = 0) -> int:
        """``uid``'s incentive on ``mechanism``."""
        return int(self.incentives(mechanism)[self._uid(uid)])

    def last_update(self, uid: int, mechanism: int = 0) -> int:
        """The block ``uid`` last set weights on ``mechanism``."""
        return int(self.last_updates(mechanism)[self._uid(uid)])

    def __len__(self) -> int:
        return len(self.neurons)

    def hotkey(self, uid: int) -> str:
        """The SS58 hotkey of ``uid``; PylonError("out_of_range") beyond the neurons."""
        return _ss58.encode(self.neurons["hotkey"][self._uid(uid)].tobytes())

    def uid_of(self, ss58: str) -> int:
        """The uid of a hotkey; PylonError("no_such_neuron") when it is not registered."""
        key = _ss58.decode(ss58)
        if self._native is not None:
            uid = self._native.find(key)  # the segment's sorted hotkey index
        else:
            if self._by_hotkey is None:
                self._by_hotkey = {bytes(r): i for i, r in enumerate(self.neurons["hotkey"])}
            uid = self._by_hotkey.get(key)
        if uid is None:
            raise PylonError("no_such_neuron", f"hotkey {ss58} is not registered in the subnet")
        return uid

    def __repr__(self) -> str:
        return f"<pylon_shm.Snapshot block={self.block} neurons={len(self.neurons)}>"
