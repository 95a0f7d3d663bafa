#!/bin/sh
# The main job: install what is needed, build leanboot, then `leanboot demo`: the stock-kernel
# appliance, the cut-down kernel (cached) and its appliance, benched against each other.
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh
{ [ -x configure ] || autoreconf -fi; } && ./configure -q && make -j"$(nproc)" >/dev/null
exec ./leanboot demo "$@"
