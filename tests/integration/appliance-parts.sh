#!/bin/sh
# What the builder does to supermin's output for a stock kernel: the kernel stored uncompressed
# for a PVH boot (or kept a bzImage on request), the mini-initrd cut to the root's modules, and
# the static device nodes that load a module when opened, and the init's mount points made at
# build time (made at boot, the first costs ~20 ms of ext2 allocation under TCG); the initrd's
# modules without their signatures (verifying them cost 240 ms of a libguestfs launch), or with
# them on request.
. "$(dirname "$0")/lib.sh"
requires python3 cpio debugfs
A=$(stock_appliance)
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1/manifest.json" "$2"; }

expect_eq "the stock kernel is stored as an ELF with a PVH entry" "$(field "$A" 'd["kernel"]["format"]')" "elf-pvh"
expect_eq "the kernel file is an ELF" "$(head -c 4 "$A/kernel" | od -An -c | tr -d ' ')" "177ELF"

# The initrd holds init, the modules list and exactly the manifest's initrd modules.
want=$(field "$A" '" ".join(sorted(["init", "modules"] + [m.rsplit("/", 1)[-1] for m in d["initrd_modules"]]))')
got=$(cpio -it --quiet < "$A/initrd" | grep -v '^\.$' | sort | tr '\n' ' ' | sed 's/ $//')
expect_eq "the initrd holds only the root's modules" "$got" "$want"
expect_match "virtio_blk and ext4 are among them" "$want" "ext4.ko.* virtio_blk.ko"
expect_no_match "no IDE, NVDIMM or FUSE modules" "$want" "ata_piix|nfit|fuse"
list=$(cpio -i --quiet --to-stdout modules < "$A/initrd" | tr '\n' ' ' | sed 's/ $//')
order=$(field "$A" '" ".join(m.rsplit("/", 1)[-1] for m in d["initrd_modules"])')
expect_eq "supermin's init loads them in dependency order" "$list" "$order"

# Signatures: cut from every initrd module by default, and the kernel loads them unsigned.
signed_in() { n=0; for m in $(cpio -it --quiet < "$1" | grep '\.ko$'); do
    cpio -i --quiet --to-stdout "$m" < "$1" | tail -c 28 | grep -q "Module signature appended" && n=$((n + 1)); done; echo $n; }
expect_eq "no initrd module keeps its signature" "$(signed_in "$A/initrd")" 0
expect_eq "the manifest says the signatures were cut" "$(field "$A" 'd["initrd_signatures_stripped"]')" "True"

for d in proc sys dev run tmp; do
    expect_match "/$d is a directory in the root image" "$(debugfs -R "stat /$d" "$A/root" 2>/dev/null)" "Type: directory"
done

run_capture r run "$A" -- sh -c 'for n in /dev/loop-control /dev/mapper/control /dev/fuse; do [ -c $n ] && echo $n; done'
expect_eq "static nodes for on-demand modules" "$r_out" "/dev/loop-control
/dev/mapper/control
/dev/fuse"

"$LEANBOOT" -q build --bzimage --keep-module-signatures -o "$WORK/bz" || fail "build --bzimage --keep-module-signatures"
expect_eq "--keep-module-signatures: every initrd module signed" "$(signed_in "$WORK/bz/initrd")" \
    "$(cpio -it --quiet < "$WORK/bz/initrd" | grep -c '\.ko$')"
expect_eq "--keep-module-signatures: the manifest says so" "$(field "$WORK/bz" 'd["initrd_signatures_stripped"]')" "False"
expect_eq "--bzimage keeps the bzImage" "$(field "$WORK/bz" 'd["kernel"]["format"]')" "bzImage"
expect_eq "--bzimage: the kernel file is a bzImage" "$(dd if="$WORK/bz/kernel" bs=1 skip=514 count=4 2>/dev/null)" "HdrS"
run_capture r run "$WORK/bz" -- echo hello
expect_eq "the bzImage appliance boots" "$r_out" "hello"
finish
