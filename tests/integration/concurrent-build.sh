#!/bin/sh
# Two builds into one DIR at once both succeed and leave one valid appliance;
# a build with unchanged inputs is a no-op.
. "$(dirname "$0")/lib.sh"
D="$WORK/c"
"$LEANBOOT" build -o "$D" --run 'echo concurrent-ok' >"$WORK/b1.log" 2>&1 & p1=$!
"$LEANBOOT" build -o "$D" --run 'echo concurrent-ok' >"$WORK/b2.log" 2>&1 & p2=$!
rc1=0; wait $p1 || rc1=$?
rc2=0; wait $p2 || rc2=$?
expect_eq "first concurrent build" "$rc1" 0
expect_eq "second concurrent build" "$rc2" 0
logs=$(cat "$WORK/b1.log" "$WORK/b2.log")
expect_match "one build found the other's result up to date" "$logs" "is up to date"
left=$(ls -d "$D".tmp-* 2>/dev/null | wc -l)
expect_eq "no temporary build directories left" "$left" 0
run_capture r run "$D"
expect_eq "the appliance boots" "$r_out" "concurrent-ok"

inputs1=$(grep '"inputs"' "$D/manifest.json")
ino1=$(stat -c %i "$D/root")
run_capture n build -o "$D" --run 'echo concurrent-ok'
expect_match "unchanged inputs: up to date" "$n_err" "is up to date"
expect_eq "unchanged inputs: root untouched" "$(stat -c %i "$D/root")" "$ino1"

run_capture m build -o "$D" --run 'echo changed'
expect_eq "changed inputs rebuild" "$m_rc" 0
expect_no_match "changed inputs: new manifest" "$(grep '"inputs"' "$D/manifest.json")" "$(echo "$inputs1" | sed 's/[^0-9a-f]//g' | cut -c1-64)"
finish
