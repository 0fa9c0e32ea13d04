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

    def __len__(self) -> int:
        return len(self.neurons)

    def hotkey(self, uid: int) -> str:
        """The SS58 hotkey of ``uid``; PylonError("out_of_range") beyond the neurons."""
        if isinstance(uid, bool) or not isinstance(uid, (int, np.integer)) or not 0 <= uid < len(self.neurons):
            raise PylonError("out_of_range", f"uid {uid!r} is not below the {len(self.neurons)} neurons")
        return _ss58.encode(self.neurons["hotkey"][uid].tobytes())

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
