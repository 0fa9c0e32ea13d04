#!/usr/bin/env python3
"""Seeds corpus/fuzz_hyperparams_v3: SCALE answers of SubnetInfoRuntimeApi_get_subnet_hyperparams_v3
(Option<Vec<{name: Vec<u8>, value: HyperparamValue}>>) in the order and variants subtensor's
get_subnet_hyperparams_v3 writes them (opentensor/subtensor 14bc6f9f), with values of a typical
subnet; plus None, an empty list, truncations, an unknown variant tag and a repeated name.

Run: python3 tests/fuzz/hyperparams_v3_seeds.py"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fuzz_hyperparams_v3")
TAG = {"Bool": 0, "U16": 1, "U32": 2, "U64": 3, "U128": 4, "TaoBalance": 5, "I32F32": 6, "U64F64": 7}


def compact(v):
    if v < 1 << 6:
        return bytes([v << 2])
    if v < 1 << 14:
        return ((v << 2) | 1).to_bytes(2, "little")
    if v < 1 << 30:
        return ((v << 2) | 2).to_bytes(4, "little")
    b = v.to_bytes((v.bit_length() + 7) // 8, "little")
    return bytes([((len(b) - 4) << 2) | 3]) + b


def value(kind, v):
    if kind == "Bool":
        return bytes([TAG[kind], 1 if v else 0])
    if kind == "I32F32":
        return bytes([TAG[kind]]) + v.to_bytes(8, "little", signed=True)
    if kind == "U64F64":
        return bytes([TAG[kind]]) + v.to_bytes(16, "little")
    return bytes([TAG[kind]]) + compact(v)


def answer(entries):
    out = b"\x01" + compact(len(entries))
    for name, kind, v in entries:
        out += compact(len(name)) + name.encode() + value(kind, v)
    return out


TYPICAL = [("kappa", "U16", 32767), ("immunity_period", "U16", 5000), ("min_allowed_weights", "U16", 1),
           ("max_weights_limit", "U16", 65535), ("tempo", "U16", 360), ("weights_version", "U64", 0),
           ("weights_rate_limit", "U64", 100), ("activity_cutoff", "U64", 5000),
           ("activity_cutoff_factor", "U32", 1000), ("registration_allowed", "Bool", True),
           ("target_regs_per_interval", "U16", 1), ("min_burn", "TaoBalance", 500000),
           ("max_burn", "TaoBalance", 100000000000), ("burn_half_life", "U16", 360),
           ("burn_increase_mult", "U64F64", 2 << 64), ("bonds_moving_avg", "U64", 900000),
           ("max_regs_per_block", "U16", 1), ("serving_rate_limit", "U64", 50), ("max_validators", "U16", 64),
           ("commit_reveal_period", "U64", 1), ("commit_reveal_weights_enabled", "Bool", True),
           ("alpha_high", "U16", 58982), ("alpha_low", "U16", 45875), ("liquid_alpha_enabled", "Bool", False),
           ("alpha_sigmoid_steepness", "I32F32", -(1000 << 32)), ("yuma_version", "U16", 2),
           ("subnet_is_active", "Bool", True), ("transfers_enabled", "Bool", True),
           ("bonds_reset_enabled", "Bool", False), ("user_liquidity_enabled", "Bool", False),
           ("owner_cut_enabled", "Bool", True), ("owner_cut_auto_lock_enabled", "Bool", False),
           ("min_childkey_take", "U16", 0)]

seeds = {
    "typical": answer(TYPICAL),
    "none": b"\x00",
    "empty": answer([]),
    "every-variant": answer([("a", k, 3) for k in TAG if k != "Bool"][:1] +
                            [(f"x{i}", k, 1 if k != "I32F32" else -1) for i, k in enumerate(TAG)]),
    "unknown-tag": answer([("tempo", "U16", 360)])[:-3] + b"\x08\xa1\x05",
    "repeated-name": answer([("tempo", "U16", 360), ("tempo", "U16", 360)]),
    "tempo-as-bool": answer([("tempo", "Bool", True)]),
}
full = seeds["typical"]
for cut in (1, 2, 7, len(full) // 2, len(full) - 1):
    seeds[f"typical-cut-{cut}"] = full[:cut]
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
