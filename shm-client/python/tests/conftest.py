"""Fixtures of pylon_shm's tests.

The daemon tests need a running `pylon run` on the local chain; tests/e2e/python_client_test.cpp
starts one (the REST daemon suite's shared daemon) and runs pytest with:
  PYLON_TEST_REST_URL   its REST API
  PYLON_TEST_SHM_NAME   its snapshot segment name (the queue is <name>-weights)
  PYLON_TEST_NETUID     its subnet
  PYLON_TEST_CHAIN_PORT the local chain's port (blocks are made with localnet/new-blocks)
  PYLON_TEST_SOURCE_DIR the checkout
Without them those tests skip, saying so; the offline tests run anyway.
"""

import os
import subprocess
import uuid

import pytest

import pylon_shm

ENV = ("PYLON_TEST_REST_URL", "PYLON_TEST_SHM_NAME", "PYLON_TEST_NETUID", "PYLON_TEST_CHAIN_PORT",
       "PYLON_TEST_SOURCE_DIR")


class Daemon:
    def __init__(self):
        self.rest_url = os.environ["PYLON_TEST_REST_URL"]
        self.shm_name = os.environ["PYLON_TEST_SHM_NAME"]
        self.netuid = int(os.environ["PYLON_TEST_NETUID"])
        self.chain_port = os.environ["PYLON_TEST_CHAIN_PORT"]
        self.source_dir = os.environ["PYLON_TEST_SOURCE_DIR"]

    def new_block(self) -> None:
        subprocess.run([os.path.join(self.source_dir, "localnet", "new-blocks"), "--port", self.chain_port, "1"],
                       check=True, stdout=subprocess.DEVNULL, timeout=60)


@pytest.fixture(scope="session")
def daemon():
    missing = [k for k in ENV if not os.environ.get(k)]
    if missing:
        pytest.skip("no daemon: run through tests/e2e (test_e2e_weights) or set " + ", ".join(missing))
    return Daemon()


@pytest.fixture(params=["shm", "rest"])
def client(request, daemon):
    """The same tests over both transports: shm through the daemon's segment, and REST reached by
    connect(prefer="auto") falling back because the named segment does not exist."""
    if request.param == "shm":
        c = pylon_shm.connect(shm_name=daemon.shm_name, rest_url=daemon.rest_url)
        assert c.transport == "shm"
    else:
        absent = "pylon-absent-" + uuid.uuid4().hex[:12]
        c = pylon_shm.connect(shm_name=absent, rest_url=daemon.rest_url)
        assert c.transport == "rest"
    yield c
    c.close()
