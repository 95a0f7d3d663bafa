#!/bin/sh
# A libguestfs fixed appliance from libguestfs's own supermin.d with the lean init: real guestfish
# sessions (ext4, LVM) give the same results as with libguestfs's stock appliance.
. "$(dirname "$0")/lib.sh"
requires guestfish python3
export LIBGUESTFS_BACKEND=direct
"$LEANBOOT" -q build --from-supermin-d libguestfs -o "$WORK/g" || { fail "build --from-supermin-d libguestfs"; finish; }
[ -f "$WORK/g/README.fixed" ] && pass "README.fixed marks a fixed appliance" || fail "no README.fixed"
m=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("lvm2" in d["packages"], "mdadm" in d["packages"])' "$WORK/g/manifest.json")
expect_eq "the supermin.d's packages are kept" "$m" "True True"

# session NAME APPLIANCE(or -) SCRIPT: run guestfish on a fresh 64 MiB disk, dates cut from ll.
session() {
    rm -f "$WORK/$1.img"; truncate -s 64M "$WORK/$1.img"
    if [ "$2" = - ]; then
        (unset LIBGUESTFS_PATH; guestfish -a "$WORK/$1.img" -f "$3")
    else
        LIBGUESTFS_PATH=$2 guestfish -a "$WORK/$1.img" -f "$3"
    fi > "$WORK/$1.raw" 2>&1
    echo "rc=$?" >> "$WORK/$1.raw"
    # ll lines: keep mode, links, owner, group, size and name; drop the timestamp.
    awk '/^[-dlcbps][-rwxsStT]{9}/ {print $1, $2, $3, $4, $5, $NF; next} {print}' "$WORK/$1.raw" > "$WORK/$1.out"
}
cat > "$WORK/ext4.gf" <<'G'
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /hello "hello from leanboot"
cat /hello
mkdir /d
ll /
umount /
list-filesystems
G
cat > "$WORK/lvm.gf" <<'G'
run
part-disk /dev/sda mbr
pvcreate /dev/sda1
vgcreate vg0 /dev/sda1
lvcreate lv0 vg0 32
mkfs ext4 /dev/vg0/lv0
mount /dev/vg0/lv0 /
write /f "written through LVM"
cat /f
umount /
lvs
vgs
pvs
G
session ext4-stock - "$WORK/ext4.gf"
session ext4-lean "$WORK/g" "$WORK/ext4.gf"
expect_match "stock ext4 session works" "$(cat "$WORK/ext4-stock.out")" "hello from leanboot"
expect_eq "ext4 session: leanboot appliance gives the stock results" "$(cat "$WORK/ext4-lean.out")" "$(cat "$WORK/ext4-stock.out")"
expect_match "ext4 session: exit 0" "$(tail -1 "$WORK/ext4-lean.out")" "^rc=0$"
session lvm-stock - "$WORK/lvm.gf"
session lvm-lean "$WORK/g" "$WORK/lvm.gf"
expect_match "stock LVM session works" "$(cat "$WORK/lvm-stock.out")" "written through LVM"
expect_eq "LVM session: leanboot appliance gives the stock results" "$(cat "$WORK/lvm-lean.out")" "$(cat "$WORK/lvm-stock.out")"

# guestfsd failing in the appliance: a clear error, a non-zero status, never a hang.
run_capture c run "$WORK/g" --timeout 120 --append "guestfs_channel=/dev/no-such-channel"
[ "$c_rc" -ne 0 ] && [ "$c_rc" -ne 124 ] && pass "guestfsd failure: non-zero status $c_rc, no hang" ||
    fail "guestfsd failure: status $c_rc"
expect_match "guestfsd failure: named" "$c_err" "leanboot-init: error: /usr/sbin/guestfsd exited with status [1-9]"
expect_match "guestfsd failure: its own last output is shown" "$c_out" "no-such-channel"

# A supermin.d without an init, or without guestfsd.
SRC=$(pkg-config --variable=libdir libguestfs)/guestfs/supermin.d
mkdir -p "$WORK/noinit" "$WORK/nodaemon"
cp "$SRC"/* "$WORK/noinit/" && rm "$WORK/noinit/init.tar.gz"
cp "$SRC/packages" "$SRC/init.tar.gz" "$SRC/base.tar.gz" "$WORK/nodaemon/"
run_capture n build --from-supermin-d "$WORK/noinit" -o "$WORK/x"
expect_match "no init: clear error" "$n_err" "has no init"
run_capture d build --from-supermin-d "$WORK/nodaemon" -o "$WORK/x"
expect_match "no guestfsd: clear error" "$d_err" "has no guestfsd"
[ "$n_rc" -ne 0 ] && [ "$d_rc" -ne 0 ] && [ ! -e "$WORK/x" ] && pass "both refused, nothing written" || fail "bad supermin.d accepted"
finish
