"""Checks that every server of the REST benchmark answers the same metagraph before it is timed.

usage: compare_bodies.py REFERENCE BODY...  (REFERENCE: the static file nginx serves)
Compares the contract's fields of every neuron (shared/api/seed-rest.md); a server may add fields
and, when it follows new blocks, report another block and hash over the same neurons. Floats must
agree to 1e-12 relative: they are the same rao and u16 values divided the same way. Prints one
line; exits 1 on the first difference.
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


def difference(ref, body):
    if not isinstance(body.get("block"), int) or not isinstance(body.get("block_hash"), str):
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
    return None


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        ref = json.load(f)
    names = []
    for path in sys.argv[2:]:
        name = os.path.basename(path)
        try:
            with open(path) as f:
                body = json.load(f)
        except ValueError as e:
            print(f"{name}: not JSON ({e})")
            return 1
        diff = difference(ref, body)
        if diff:
            print(f"{name}: {diff}")
            return 1
        names.append(name)
    print(f"{', '.join(names)}: the same {len(ref['neurons'])} neurons as the static body")
    return 0


if __name__ == "__main__":
    sys.exit(main())
