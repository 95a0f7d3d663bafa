#!/bin/sh
# libguestfs on the cut-down kernel (base.config + guestfs.config): a guestfish ext4 + LVM session.
. "$(dirname "$0")/lib.sh"
requires guestfish python3 make gcc
export LIBGUESTFS_BACKEND=direct
libguestfs_accel
"$LEANBOOT" kernel build --fragment guestfs -o "$WORK/k" >"$WORK/k.out" 2>"$WORK/k.err" ||
    { cat "$WORK/k.err"; fail "kernel build with guestfs.config"; finish; }
"$LEANBOOT" -q build --from-supermin-d libguestfs --kernel "$WORK/k/bzImage" -o "$WORK/g" || fail "build"
# virtio_pci is built in: it binds before /init runs, so the initrd gets no pre-init.
keep=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["initrd_virtio_keep"])' "$WORK/g/manifest.json")
expect_eq "built-in virtio_pci: no pre-init" "$keep" "None"
truncate -s 64M "$WORK/d.img"
out=$(LIBGUESTFS_PATH="$WORK/g" guestfish -a "$WORK/d.img" run : part-disk /dev/sda mbr : \
      pvcreate /dev/sda1 : vgcreate vg0 /dev/sda1 : lvcreate lv0 vg0 32 : mkfs ext4 /dev/vg0/lv0 : \
      mount /dev/vg0/lv0 / : write /f "custom kernel" : cat /f : list-filesystems 2>&1)
expect_eq "guestfish on the cut-down kernel" "$out" "custom kernel
/dev/vg0/lv0: ext4"
finish
