#!/bin/sh
# A guestfish ext4 + LVM session against the libguestfs appliance in LIBGUESTFS_PATH, on a fresh
# 64 MB disk: partition, PV, VG, LV, mkfs ext4, mount, write, read back, list.  Exits 0 only when
# what it read back and listed is what it wrote.  The tailor's host check for a guestfs kernel:
#   leanboot kernel tailor --fragment guestfs --check APPLIANCE \
#       --check-host benchmark/guestfs-session.sh -o tailored.config
# (the tailor sets LIBGUESTFS_PATH to each candidate, LIBGUESTFS_BACKEND=direct and, on a host
# whose /dev/kvm cannot run guests, LIBGUESTFS_BACKEND_SETTINGS=force_tcg).
set -eu
: "${LIBGUESTFS_PATH:?set LIBGUESTFS_PATH to a libguestfs fixed appliance}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
trap 'exit 143' TERM
truncate -s 64M "$dir/disk.img"
echo "guestfs-session: guestfish on $LIBGUESTFS_PATH (backend ${LIBGUESTFS_BACKEND:-default}, settings ${LIBGUESTFS_BACKEND_SETTINGS:-none})"
# guestfish's words go out as they come (a session stopped by a time limit still shows how far
# it got); what it printed is then compared whole: an error anywhere makes it differ.
guestfish -a "$dir/disk.img" run : part-disk /dev/sda mbr : pvcreate /dev/sda1 : \
    vgcreate vg0 /dev/sda1 : lvcreate lv0 vg0 32 : mkfs ext4 /dev/vg0/lv0 : \
    mount /dev/vg0/lv0 / : write /f "tailored" : cat /f : list-filesystems 2>&1 | tee "$dir/out"
want="tailored
/dev/vg0/lv0: ext4"
[ "$(cat "$dir/out")" = "$want" ] || { echo "guestfs-session: guestfish failed" >&2; exit 1; }
echo "guestfs-session: ext4 on LVM written and read back"
