"""Checks that Pylon's OpenAPI document describes the whole REST surface.

usage: check_paths.py DOCUMENT
The surface is the original service's contract (shared/api/seed-rest.md) plus what issue 8 adds.
Path parameters are compared by position, not by name ({block_number} and {block} are the same
path). The document must be OpenAPI 3.1 (the issue asks for 3.1). Prints what is missing and exits
1, or prints a one-line summary.
"""

import json
import re
import sys

# (method, path) of the original's contract, then Pylon's additions.
CONTRACT = [
    ("get", "/health"), ("get", "/latest_block"), ("get", "/metagraph"), ("get", "/metagraph/{}"),
    ("get", "/block_hash/{}"), ("get", "/epoch"), ("get", "/epoch/{}"), ("get", "/hyperparams"),
    ("put", "/set_hyperparam"), ("put", "/update_weight"), ("put", "/set_weight"), ("get", "/raw_weights"),
    ("post", "/force_commit_weights"), ("get", "/get_commitment/{}"), ("get", "/get_commitments"),
    ("post", "/set_commitment"),
]
ADDED = [
    ("put", "/set_weights"), ("get", "/weights_status"), ("get", "/live"), ("get", "/metrics"),
    ("get", "/schema/openapi.json"),
]
# The /api/v1 surface of the 2.x service (shared/api/pylon-v1.md) that Pylon serves (issue 15).
V1 = [
    ("get", "/api/v1/identities"), ("get", "/api/v1/block/latest"), ("post", "/api/v1/login/identity/{}"),
    ("get", "/api/v1/subnet/{}/block/latest/commitments"), ("get", "/api/v1/subnet/{}/block/latest/commitments/{}"),
    ("get", "/api/v1/identity/{}/subnet/{}/block/latest/commitments"),
    ("get", "/api/v1/identity/{}/subnet/{}/block/latest/commitments/{}"),
    ("get", "/api/v1/identity/{}/subnet/{}/block/latest/commitments/self"),
    ("put", "/api/v1/identity/{}/subnet/{}/weights"), ("post", "/api/v1/identity/{}/subnet/{}/commitments"),
] + [
    ("get", prefix + tail)
    for prefix in ("/api/v1/subnet/{}/", "/api/v1/identity/{}/subnet/{}/")
    for tail in ("block/latest/neurons", "block/{}/neurons", "block/recent/neurons", "block/latest/validators",
                 "block/{}/validators", "block/latest/certificates", "block/latest/certificates/{}")
] + [("get", "/api/v1/identity/{}/subnet/{}/block/latest/certificates/self"),
       ("get", "/api/v1/block/{}/extrinsic/{}"),
       ("post", "/api/v1/identity/{}/subnet/{}/certificates/self")]


def shape(path):
    return re.sub(r"\{[^}]*\}", "{}", path)


def main():
    if len(sys.argv) != 2:
        print("usage: check_paths.py DOCUMENT", file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    problems = []
    version = str(doc.get("openapi", ""))
    if not version.startswith("3.1."):
        problems.append(f"openapi is {version!r}, not 3.1.x")
    have = set()
    for path, item in (doc.get("paths") or {}).items():
        for method in item:
            have.add((method.lower(), shape(path)))
    for method, path in CONTRACT + ADDED + V1:
        if (method, path) not in have:
            problems.append(f"{method.upper()} {path} is not documented")
    if problems:
        for p in problems:
            print(f"FAIL: {p}")
        return 1
    print(f"openapi {version}: all {len(CONTRACT)} contract operations and {len(ADDED)} additions documented "
          f"and {len(V1)} /api/v1 operations ({len(have)} operations in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
