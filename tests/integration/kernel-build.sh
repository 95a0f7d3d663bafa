#!/bin/sh
# leanboot kernel build/check: a real build of base.config (cached), the checks on its
# result, and fragments that must fail before any compiling.
. "$(dirname "$0")/lib.sh"
requires make gcc bc bison flex
K=$(custom_kernel)
expect_eq "bzImage path printed" "$(cat "$WORK/kernel-build.out")" "$K"
[ -f "$K" ] && pass "bzImage exists" || fail "no bzImage at $K"
size=$(stat -c %s "$K")
[ "$size" -le $((4 * 1024 * 1024)) ] && pass "image is $size bytes (<= 4 MiB)" || fail "image is $size bytes (> 4 MiB)"
for f in config build.log manifest.json; do
    [ -s "$WORK/kernel/$f" ] && pass "output has $f" || fail "output lacks $f"
done
m=$(cat "$WORK/kernel/manifest.json")
for key in source fragments base options image_size build_seconds cache_key; do
    expect_match "manifest key $key" "$m" "\"$key\""
done
expect_match "manifest names base.config" "$m" 'base\.config'
cfg=$(cat "$WORK/kernel/config")
for opt in CONFIG_VIRTIO_BLK=y CONFIG_KALLSYMS=y CONFIG_PRINTK_TIME=y CONFIG_EXT4_USE_FOR_EXT2=y CONFIG_KVM_GUEST=y; do
    expect_match "final config has $opt" "$cfg" "^$opt\$"
done
expect_match "no loadable modules" "$cfg" "^# CONFIG_MODULES is not set\$"

# The same inputs again: straight from the cache.
run_capture c kernel build -o "$WORK/again"
expect_eq "cached build succeeds" "$c_rc" 0
expect_match "cached build says so" "$c_err" "cached kernel"
cmp -s "$K" "$WORK/again/bzImage" && pass "cached image is the same" || fail "cached image differs"

# kernel check on its own.
run_capture k kernel check "$WORK/kernel/config"
expect_eq "check: the built config has everything" "$k_rc" 0
grep -v '^CONFIG_VIRTIO_BLK=' "$WORK/kernel/config" > "$WORK/lacking.config"
run_capture l kernel check "$WORK/lacking.config"
expect_eq "check: a config lacking an option exits 1" "$l_rc" 1
expect_match "check: names the missing option and where it was asked for" "$l_out" "differs: CONFIG_VIRTIO_BLK=y asked \(.*base\.config:[0-9]+\), it is not set"
expect_match "check: a summary, as findings (no error lines)" "$l_out" "1 of [0-9]+ requested option\(s\) differ in "
expect_eq "check: a finding is not an error" "$l_err" ""

# An option that cannot be enabled: named, with its unmet dependency, before compiling.
printf '# USB storage without USB\nCONFIG_USB_STORAGE=y\nCONFIG_NO_SUCH_OPTION_XYZ=y\n' > "$WORK/bad.config"
start=$(date +%s)
run_capture b kernel build --fragment "$WORK/bad.config" -o "$WORK/bad-out"
expect_eq "impossible option: build fails" "$b_rc" 1
expect_match "impossible option: named with its dependency" "$b_err" "CONFIG_USB_STORAGE=y \(.*bad\.config:2\) is not in the final config .*depends on .*USB\(=n\)"
expect_match "unknown option: named" "$b_err" "CONFIG_NO_SUCH_OPTION_XYZ=y .*this kernel has no such option"
[ -e "$WORK/bad-out" ] && fail "output written for a failed build" || pass "no output for a failed build"
[ $(( $(date +%s) - start )) -lt 240 ] && pass "failed before compiling" || fail "took as long as a compile"

# The hints on the kernel's own Kconfig: a selected option names what selects it; a choice
# member names the member that is on; only unmet dependencies are called the reason.
tree=$(sed -n 's/^leanboot: build tree: \(.*\) (for leanboot kernel map)$/\1/p' "$WORK/kernel-build.err")
src=$(readlink -f "$tree/source" 2>/dev/null)
if [ -d "$src" ]; then
    printf '# CONFIG_JBD2 is not set\nCONFIG_SLAB=y\n' > "$WORK/hints.config"
    run_capture h kernel check "$WORK/kernel/config" --fragment "$WORK/hints.config" --source "$src"
    expect_match "check --source: a selected option names what selects it" "$h_out" "CONFIG_JBD2=n asked .*it is y; it is selected by EXT4_FS\(=y\)"
    expect_match "check --source: a choice member names the member on" "$h_out" "CONFIG_SLAB=y asked .*it is a member of a choice, and SLUB\(=y\) is the member on"
else
    fail "no kernel source tree beside the kept build tree ($src)"
fi

printf 'CONFIG_OK=y\nthis is not config\n' > "$WORK/syntax.config"
run_capture s kernel build --fragment "$WORK/syntax.config"
expect_eq "bad syntax: a usage error (2)" "$s_rc" 2
expect_match "bad syntax: file and line named" "$s_err" "syntax\.config:2: not a kernel config line"
run_capture n kernel build --fragment "$WORK/nope.config"
expect_match "missing fragment named" "$n_err" "fragment '.*nope\.config' not found"
finish
