"""Checks that every server of the REST benchmark answers the same metagraph before it is timed.

usage: compare_bodies.py [--v1] REFERENCE BODY...  (REFERENCE: the static /metagraph file)
Compares the contract's fields of every neuron (shared/api/seed-rest.md); a server may add fields
and, when it follows new blocks, report another block and hash over the same neurons. Floats must
agree to 1e-12 relative: they are the same rao and u16 values divided the same way. With --v1 the
bodies are /api/v1 neurons answers (shared/api/pylon-v1.md §3: `block` an object, `stakes` per
neuron) of the same neurons; their stakes must be those pylon_replay_node's subnet state gives
(alpha = the neuron's stake, tao = its uid in rao, total = their sum). Prints one line; exits 1 on
the first difference.
"""

import json
import math
import os
import sys

FIELDS = ("uid", "coldkey", "hotkey", "active", "stake", "rank", "emission", "incentive", "consensus", "trust",
          "validator_trust", "dividends", "last_update", "validator_permit", "pruning_score")
AXON_FIELDS = ("ip", "port", "protocol")


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    return a == b


def difference(ref, body, v1=False):
    if v1:
        block = body.get("block")
        if not isinstance(block, dict) or not isinstance(block.get("number"), int) or \
                not isinstance(block.get("hash"), str):
            return "block is not {number, hash}"
    elif not isinstance(body.get("block"), int) or not isinstance(body.get("block_hash"), str):
        return "block or block_hash missing"
    neurons = body.get("neurons")
    if not isinstance(neurons, dict):
        return "neurons is not an object keyed by hotkey"
    if set(neurons) != set(ref["neurons"]):
        return f"{len(set(neurons) ^ set(ref['neurons']))} hotkeys differ"
    for hotkey, want in ref["neurons"].items():
        got = neurons[hotkey]
        for f in FIELDS:
            if f not in got or not same(got[f], want[f]):
                return f"neuron {hotkey} field {f}: {got.get(f)!r} != {want[f]!r}"
        for f in AXON_FIELDS:
            if not same(got.get("axon_info", {}).get(f), want["axon_info"][f]):
                return f"neuron {hotkey} axon_info.{f}: {got.get('axon_info', {}).get(f)!r} != {want['axon_info'][f]!r}"
        if v1:
            stakes = got.get("stakes")
            if not isinstance(stakes, dict):
                return f"neuron {hotkey}: no stakes"
            expect = {"alpha": want["stake"], "tao": want["uid"] / 1e9, "total": want["stake"] + want["uid"] / 1e9}
            for k, v in expect.items():
                if not isinstance(stakes.get(k), float) or not math.isclose(stakes[k], v, rel_tol=1e-9, abs_tol=1e-12):
                    return f"neuron {hotkey} stakes.{k}: {stakes.get(k)!r} != {v!r}"
    return None


def main():
    args = sys.argv[1:]
    v1 = bool(args) and args[0] == "--v1"
    if v1:
        args = args[1:]
    if len(args) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(args[0]) as f:
        ref = json.load(f)
    names = []
    for path in args[1:]:
        name = os.path.basename(path)
        try:
            with open(path) as f:
                body = json.load(f)
        except ValueError as e:
            print(f"{name}: not JSON ({e})")
            return 1
        diff = difference(ref, body, v1)
        if diff:
            print(f"{name}: {diff}")
            return 1
        names.append(name)
    print(f"{', '.join(names)}: the same {len(ref['neurons'])} neurons as the static body")
    return 0


if __name__ == "__main__":
    sys.exit(main())
