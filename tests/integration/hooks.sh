#!/bin/sh
# Hooks run in order before the payload, each as its own stage; a failing hook stops the boot.
. "$(dirname "$0")/lib.sh"
cat > "$WORK/first" <<'H'
#!/bin/sh
echo first > /run/hook-order
H
cat > "$WORK/second" <<'H'
#!/bin/sh
echo second >> /run/hook-order
H
printf '#!/bin/sh\necho "hook says no" >&2\nexit 3\n' > "$WORK/failing"
echo "payload data" > "$WORK/data.txt"

"$LEANBOOT" -q build -o "$WORK/h" --hook "$WORK/first" --hook "$WORK/second" \
    --copy "$WORK/data.txt:/opt/data.txt" --run 'cat /run/hook-order /opt/data.txt' || fail "build with hooks"
run_capture r run "$WORK/h" --debug
expect_eq "hooks ran in order before the built-in payload, --copy arrived" "$r_out" "first
second
payload data"
expect_match "hook stage marker" "$r_err" "leanboot: stage=hook:01-first t_us="
expect_match "second hook stage marker" "$r_err" "leanboot: stage=hook:02-second t_us="
expect_eq "exit status 0" "$r_rc" 0
manifest=$(cat "$WORK/h/manifest.json")
expect_match "manifest lists the hooks" "$manifest" '"01-first"'

run_capture c run "$WORK/h" -- cat /run/hook-order
expect_eq "leanboot.run overrides the built-in payload; hooks still ran" "$c_out" "first
second"

"$LEANBOOT" -q build -o "$WORK/f" --hook "$WORK/failing" --run 'echo payload-ran' || fail "build with failing hook"
run_capture f run "$WORK/f"
expect_no_match "payload does not run after a failing hook" "$f_out" "payload-ran"
expect_match "failing hook is named" "$f_err" "leanboot-init: error: hook 01-failing failed with status 3"
expect_eq "failing hook: exit 125" "$f_rc" 125
finish
