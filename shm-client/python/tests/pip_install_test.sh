#!/usr/bin/env bash
# The install the README gives, as a user runs it, offline: a venv over Debian's own numpy,
# pybind11 and setuptools (script/bootstrap), `pip install --no-build-isolation --no-index` of a
# copy of shm-client/ (pip builds in the source tree; the checkout stays clean), then the offline
# tests against the installed package from outside any source tree.
#   usage: pip_install_test.sh PYTHON3 SHM_CLIENT_DIR
set -euo pipefail
python3=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/shm-client"
cp -r "$src/include" "$work/shm-client/include"
(cd "$src/python" && tar cf - --exclude=./build --exclude='*.egg-info' --exclude=__pycache__ .) |
  (mkdir -p "$work/shm-client/python" && cd "$work/shm-client/python" && tar xf -)
# --without-pip: bootstrapping pip into the venv (ensurepip) took 20 s of this test; the system's
# pip installs into it instead (pip --python).
"$python3" -m venv --without-pip --system-site-packages "$work/venv"
# ccache (when there) keyed on the copy's own paths made relative: a rebuild of unchanged sources is a hit.
if command -v ccache >/dev/null; then
  export CC="ccache gcc" CXX="ccache g++" CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=1
fi
"$python3" -m pip --python "$work/venv/bin/python" install -q --no-build-isolation --no-index "$work/shm-client/python"
cd "$work"
"$work/venv/bin/python" -c 'import pylon_shm, sys; assert "/venv/" in pylon_shm.__file__, pylon_shm.__file__'
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$src/python/tests/test_offline.py"
