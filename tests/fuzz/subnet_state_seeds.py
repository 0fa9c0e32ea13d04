#!/usr/bin/env python3
"""Seeds corpus/fuzz_subnet_state from the real finney metagraph (the get_neurons_lite golden of
the shared reference material: block 6852690, netuid 1). No recording holds a get_subnet_state
answer, so each seed is the answer for the first N recorded neurons written in finney spec 343's
SubnetState layout (tests/follower/subnet_state_answer.hpp writes the same for the C++ tests:
alpha_stake = recorded stake, tao_stake = uid, total = their sum), behind the fuzz input's
neuron list (count byte, then uid u16 LE + hotkey per neuron); plus truncations of it.

Run: python3 tests/fuzz/subnet_state_seeds.py [shared dir]"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PYLON_SHARED_DIR", os.path.join(HERE, "../../../shared"))
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def account(ss58):
    n = 0
    for c in ss58:
        n = n * 58 + B58.index(c)
    raw = n.to_bytes(35, "big")  # prefix 42 (one byte), 32-byte key, 2-byte checksum
    return raw[1:33]


def compact(v):
    if v < 1 << 6:
        return bytes([v << 2])
    if v < 1 << 14:
        return (v << 2 | 1).to_bytes(2, "little")
    if v < 1 << 30:
        return (v << 2 | 2).to_bytes(4, "little")
    b = v.to_bytes((v.bit_length() + 7) // 8, "little")
    return bytes([(len(b) - 4) << 2 | 3]) + b


def answer(neurons, history_rows):
    out = bytearray([1]) + compact(1)  # Some, netuid
    n = len(neurons)
    stake = [sum(a for _, a in x["stake"]) for x in neurons]
    for key in ("hotkey", "coldkey"):
        out += compact(n) + b"".join(account(x[key]) for x in neurons)
    for key in ("active", "validator_permit"):
        out += compact(n) + bytes(int(x[key]) for x in neurons)
    columns = [[x[k] for x in neurons] for k in ("pruning_score", "last_update", "emission", "dividends",
                                                  "incentive", "consensus", "trust", "rank")]
    columns += [[0] * n, stake, [x["uid"] for x in neurons], [s + x["uid"] for s, x in zip(stake, neurons)]]
    for col in columns:
        out += compact(n) + b"".join(compact(int(v)) for v in col)
    out += compact(history_rows) + (compact(n) + compact(0) * n) * history_rows
    return bytes(out)


def write(name, neurons, body):
    head = bytes([len(neurons)]) + b"".join(x["uid"].to_bytes(2, "little") + account(x["hotkey"]) for x in neurons)
    with open(os.path.join(HERE, "corpus", "fuzz_subnet_state", name), "wb") as f:
        f.write(head + body)


def main():
    with open(os.path.join(SHARED, "chain", "golden", "NeuronInfoRuntimeApi_get_neurons_lite.metagraph.json")) as f:
        neurons = json.load(f)["decoded"]
    os.makedirs(os.path.join(HERE, "corpus", "fuzz_subnet_state"), exist_ok=True)
    eight = neurons[:8]
    full = answer(eight, 4)
    write("finney-8-neurons", eight, full)
    write("finney-16-neurons", neurons[:16], answer(neurons[:16], 2))
    write("finney-8-neurons-reversed", eight[::-1], full)
    write("none", eight, b"\x00")
    write("empty-subnet", [], answer([], 1))
    for cut in (1, 2, 40, 300, len(full) // 2, len(full) - 1):
        write(f"finney-8-neurons-cut-{cut}", eight, full[:cut])


if __name__ == "__main__":
    main()
