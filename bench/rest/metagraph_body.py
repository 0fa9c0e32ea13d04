"""The bodies the REST benchmark serves, made from the recorded finney metagraph.

The golden file holds what polkadot-js decoded from NeuronInfoRuntimeApi_get_neurons_lite at
finney block 6852690, netuid 1 (1024 neurons). This turns it into the metagraph answer of the REST
contract (shared/api/seed-rest.md): neurons keyed by hotkey, stake and emission in TAO (rao / 1e9),
the u16 scores as fractions of 65535, the axon IP as dotted text. Both peers (nginx's static files
and the FastAPI app's models) start from these records, so every server answers the same data.
"""

import ipaddress
import json
import os
import sys

GOLDEN = "chain/golden/NeuronInfoRuntimeApi_get_neurons_lite.metagraph.json"
# The recording's block (shared/README.md: scenario "metagraph"); the golden's params carry its hash.
RECORDED_BLOCK = 6852690
U16_FIELDS = ("rank", "incentive", "consensus", "trust", "validator_trust", "dividends")


def shared_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("PYLON_SHARED_DIR") or os.path.normpath(os.path.join(here, "../../../shared"))


def _int(v):
    # polkadot-js writes integers above 2^53 as decimal strings.
    return int(v) if isinstance(v, str) else v


def _ip_text(ip, ip_type):
    ip = _int(ip)
    if ip_type == 6:
        return str(ipaddress.IPv6Address(ip))
    return str(ipaddress.IPv4Address(ip & 0xFFFFFFFF))


def neuron_record(n):
    axon = n["axon_info"]
    # Key order as the contract lists the fields.
    rec = {
        "uid": n["uid"],
        "coldkey": n["coldkey"],
        "hotkey": n["hotkey"],
        "active": n["active"],
        "axon_info": {"ip": _ip_text(axon["ip"], axon["ip_type"]), "port": axon["port"], "protocol": axon["protocol"]},
        "stake": sum(_int(s[1]) for s in n["stake"]) / 1e9,
        "rank": n["rank"] / 65535,
        "emission": _int(n["emission"]) / 1e9,
    }
    for f in U16_FIELDS[1:]:
        rec[f] = n[f] / 65535
    rec["last_update"] = _int(n["last_update"])
    rec["validator_permit"] = n["validator_permit"]
    rec["pruning_score"] = n["pruning_score"]
    return rec


def load_metagraph(shared=None):
    """The metagraph answer as Python data: {"block", "block_hash", "neurons": {hotkey: neuron}}."""
    path = os.path.join(shared or shared_dir(), GOLDEN)
    with open(path) as f:
        golden = json.load(f)
    neurons = {}
    for n in golden["decoded"]:
        neurons[n["hotkey"]] = neuron_record(n)
    return {"block": RECORDED_BLOCK, "block_hash": golden["params"][1], "neurons": neurons}


def compact(doc):
    return json.dumps(doc, separators=(",", ":")).encode()


def main():
    if len(sys.argv) != 2:
        print("usage: metagraph_body.py OUT_DIR  (writes latest_block.json and metagraph.json)", file=sys.stderr)
        return 2
    out = sys.argv[1]
    doc = load_metagraph()
    with open(os.path.join(out, "metagraph.json"), "wb") as f:
        f.write(compact(doc))
    with open(os.path.join(out, "latest_block.json"), "wb") as f:
        f.write(compact({"block": doc["block"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
