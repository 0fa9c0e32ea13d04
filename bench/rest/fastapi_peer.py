"""The Python peer of the REST benchmark: the original service's kind of stack.

FastAPI on uvicorn with uvloop and httptools (Debian's packages), holding the metagraph as pydantic
models of the neurons, as the original service did, and turning them into JSON on every request:
  GET /metagraph        the model returned with response_model, FastAPI's own path (validate,
                        jsonable_encoder, json.dumps): how such a service is normally written;
  GET /metagraph_json   the model's .json() in a Response: the cheapest per-request path that
                        still starts from the model (a stronger peer, shown beside the first);
  GET /latest_block     pre-serialised bytes: the floor of the framework itself.
Run: python3 fastapi_peer.py HOST PORT  (Debian's /usr/bin/python3; needs PYLON_SHARED_DIR or
../shared beside the repository).
"""

import sys
from typing import Dict

import fastapi
import uvicorn
from fastapi import FastAPI, Response
from pydantic import BaseModel

from metagraph_body import compact, load_metagraph


class AxonInfo(BaseModel):
    ip: str
    port: int
    protocol: int


class Neuron(BaseModel):
    uid: int
    coldkey: str
    hotkey: str
    active: bool
    axon_info: AxonInfo
    stake: float
    rank: float
    emission: float
    incentive: float
    consensus: float
    trust: float
    validator_trust: float
    dividends: float
    last_update: int
    validator_permit: bool
    pruning_score: int


class Metagraph(BaseModel):
    block: int
    block_hash: str
    neurons: Dict[str, Neuron]


METAGRAPH = Metagraph.parse_obj(load_metagraph())
LATEST_BLOCK = compact({"block": METAGRAPH.block})

app = FastAPI()


@app.get("/metagraph", response_model=Metagraph)
async def metagraph():
    return METAGRAPH


@app.get("/metagraph_json")
async def metagraph_json():
    return Response(content=METAGRAPH.json(separators=(",", ":")), media_type="application/json")


@app.get("/latest_block")
async def latest_block():
    return Response(content=LATEST_BLOCK, media_type="application/json")


def main():
    if len(sys.argv) != 3:
        print("usage: fastapi_peer.py HOST PORT", file=sys.stderr)
        return 2
    print(f"fastapi {fastapi.__version__}, uvicorn {uvicorn.__version__}", flush=True)
    uvicorn.run(app, host=sys.argv[1], port=int(sys.argv[2]), loop="uvloop", http="httptools",
                log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
