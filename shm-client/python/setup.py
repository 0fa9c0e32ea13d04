"""The compiled part of pylon_shm: the header-only C++ client (../include) as a pybind11 module.

Metadata is in pyproject.toml; this file only declares the extension, because its include path
is the C++ client's folder next to this one.
"""

import os

from pybind11.setup_helpers import Pybind11Extension
from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))
INCLUDE = os.path.join(HERE, "..", "include")
if not os.path.isfile(os.path.join(INCLUDE, "pylon", "shm", "client.hpp")):
    raise SystemExit(f"pylon_shm: the C++ client headers are not at {INCLUDE} (build from a Pylon checkout)")

setup(
    ext_modules=[
        Pybind11Extension(
            "pylon_shm._native",
            ["src/pylon_shm/_native.cpp"],
            include_dirs=[INCLUDE],
            cxx_std=17,
            libraries=["rt"],
        )
    ],
)
