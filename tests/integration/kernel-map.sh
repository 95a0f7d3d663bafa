#!/bin/sh
# leanboot kernel map: a real boot's initcalls mapped to the objects of the kernel's own build
# tree that define them and to the Kconfig options that build those objects (the tailor's map).
. "$(dirname "$0")/lib.sh"
requires make gcc bc bison flex
K=$(custom_kernel)
tree=$(sed -n 's/^leanboot: build tree: \(.*\) (for leanboot kernel map)$/\1/p' "$WORK/kernel-build.err")
[ -n "$tree" ] && [ -d "$tree" ] && pass "kernel build --keep-tree: the tree is kept ($tree)" ||
    { fail "kernel build --keep-tree named no tree: $(cat "$WORK/kernel-build.err")"; finish; }
"$LEANBOOT" -q build --kernel "$K" -o "$WORK/a" || { fail "build on the kernel"; finish; }
run_capture b bench "$WORK/a" --runs 2 --warmup 0 --logs "$WORK/logs"
[ -s "$WORK/logs/A-01.log" ] || { fail "bench --logs kept no log: $b_err"; finish; }

run_capture m kernel map "$tree" "$WORK/logs/A-01.log" --top 400
expect_eq "map: exit 0" "$m_rc" 0
# Objects and options as the kernel's Makefiles say (drivers/block/Makefile, fs/ext4/Makefile,
# drivers/virtio/Makefile), found from the functions in the objects, not from their names.
expect_match "map: virtio_blk_init" "$m_out" "virtio_blk_init +[0-9.]+ +drivers/block/virtio_blk\.o +CONFIG_VIRTIO_BLK"
expect_match "map: ext4_init_fs" "$m_out" "ext4_init_fs +[0-9.]+ +fs/ext4/super\.o +CONFIG_EXT4_FS"
expect_match "map: an always-built initcall says so" "$m_out" "kswapd_init +[0-9.]+ +mm/vmscan\.o +\(always built\)"
counts=$(printf '%s\n' "$m_out" | sed -n 's/^\([0-9]*\) of \([0-9]*\) initcalls mapped.*/\1 \2/p')
set -- $counts
[ -n "${2:-}" ] && [ "$2" -gt 100 ] && [ $(($1 * 100 / $2)) -ge 95 ] && pass "map: $1 of $2 initcalls mapped (95% or more)" ||
    fail "map: only '$counts' initcalls mapped"
expect_match "map: the options ranked by the time they bring" "$m_out" "^CONFIG_VIRTIO_BLK +[0-9.]+ +[0-9.]+% +1$"

# Bad input: one line, a usage error, nothing mapped.
mkdir -p "$WORK/empty"
run_capture e kernel map "$WORK/empty" "$WORK/logs/A-01.log" --source "$(readlink -f "$tree/source")"
expect_eq "map: a tree without objects is a usage error" "$e_rc|$(printf '%s\n' "$e_err" | grep -c .)" "2|1"
expect_match "map: ... saying so" "$e_err" "holds no objects built from"
run_capture n kernel map "$tree" /nonexistent.log
expect_eq "map: a missing log is a usage error" "$n_rc" 2
run_capture s kernel map "$WORK/empty" "$WORK/logs/A-01.log"
expect_match "map: no source tree found is said" "$s_err" "no kernel source tree at"
finish
