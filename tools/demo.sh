#!/bin/sh
# The main job: install what is needed, build leanboot, build the stock-kernel appliance
# and boot it with a hello payload.
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh
{ [ -x configure ] || autoreconf -fi; } && ./configure -q && make -j"$(nproc)" >/dev/null
OUT=${LEANBOOT_DEMO_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/leanboot/demo}
mkdir -p "$(dirname "$OUT")"
./leanboot build -o "$OUT/stock"
echo "--- leanboot run $OUT/stock -- echo hello from the appliance"
./leanboot run "$OUT/stock" -- echo hello from the appliance
