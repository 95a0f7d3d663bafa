#!/bin/sh
# A libguestfs fixed appliance from libguestfs's own supermin.d with the lean init: real guestfish
# sessions (ext4, LVM) give the same results as with libguestfs's stock appliance.
. "$(dirname "$0")/lib.sh"
requires guestfish python3
export LIBGUESTFS_BACKEND=direct
libguestfs_accel
# A hook runs in PID 1's own environment, which must not carry guestfsd's preloaded shim.
cat > "$WORK/env-hook" <<'H'
#!/bin/sh
echo "hook env: LD_PRELOAD=[${LD_PRELOAD-}] LEANBOOT_UDEV_READY=[${LEANBOOT_UDEV_READY-}]"
H
chmod +x "$WORK/env-hook"
"$LEANBOOT" -q build --from-supermin-d libguestfs --hook "$WORK/env-hook" -o "$WORK/g" ||
    { fail "build --from-supermin-d libguestfs"; finish; }
[ -f "$WORK/g/README.fixed" ] && pass "README.fixed marks a fixed appliance" || fail "no README.fixed"
m=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("lvm2" in d["packages"], "mdadm" in d["packages"])' "$WORK/g/manifest.json")
expect_eq "the supermin.d's packages are kept" "$m" "True True"
keep=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["initrd_virtio_keep"])' "$WORK/g/manifest.json")
expect_eq "stock kernel: the initrd's pre-init keeps virtio net, block, console and SCSI" "$keep" "1 2 3 8"

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
# same_as_stock NAME WHAT: both sessions must have succeeded before their outputs are compared
# (two sessions failing the same way give equal outputs too).
same_as_stock() {
    if [ "$(tail -1 "$WORK/$1-stock.out")" != rc=0 ]; then
        fail "$2: libguestfs's own appliance failed, nothing to compare with: $(tail -3 "$WORK/$1-stock.raw")"
    elif [ "$(tail -1 "$WORK/$1-lean.out")" != rc=0 ]; then
        fail "$2: the leanboot appliance failed: $(tail -3 "$WORK/$1-lean.raw")"
    else
        expect_eq "$2: leanboot appliance gives the stock results" "$(cat "$WORK/$1-lean.out")" "$(cat "$WORK/$1-stock.out")"
    fi
}
session ext4-stock - "$WORK/ext4.gf"
session ext4-lean "$WORK/g" "$WORK/ext4.gf"
expect_match "stock ext4 session works" "$(cat "$WORK/ext4-stock.out")" "hello from leanboot"
same_as_stock ext4 "ext4 session"
session lvm-stock - "$WORK/lvm.gf"
session lvm-lean "$WORK/g" "$WORK/lvm.gf"
expect_match "stock LVM session works" "$(cat "$WORK/lvm-stock.out")" "written through LVM"
same_as_stock lvm "LVM session"

# --network: eth0 configured by DHCP from QEMU's user network, as libguestfs's own appliance does
# (Debian's dhclient-script needs an /etc/fstab, which supermin's root lacks).  Bounded: a DHCP
# client that loops must fail the test, not hang it.
net_probe() {
    timeout 300 guestfish --network -a /dev/null run : debug sh "ip -4 -o addr show dev eth0; cat /etc/resolv.conf" 2>&1 |
        awk '/ inet / {print $2, $4} /^nameserver/ {print}'
}
net_stock=$(unset LIBGUESTFS_PATH; net_probe)
net_lean=$(LIBGUESTFS_PATH="$WORK/g" net_probe)
expect_match "stock --network session: eth0 has an address" "$net_stock" "^eth0 [0-9.]+/[0-9]+"
expect_match "leanboot --network session: eth0 has an address" "$net_lean" "^eth0 [0-9.]+/[0-9]+"
expect_eq "--network: the leanboot appliance's eth0 and resolver match the stock appliance's" "$net_lean" "$net_stock"

# virt-rescue (guestfs_rescue=1): guestfsd in the background and a shell with job control on the
# serial console, as with libguestfs's appliance.
rescue() { python3 "$(dirname "$0")/virt-rescue-pty.py" | grep -E '^(rescue-42|/dev/ttyS0|\[1\]\+ +Running +sleep 30 &|rc=[0-9]+)$'; }
rescue_stock=$(unset LIBGUESTFS_PATH; rescue)
rescue_lean=$(LIBGUESTFS_PATH="$WORK/g" rescue)
expect_match "virt-rescue with the leanboot appliance: the shell ran" "$rescue_lean" "^rescue-42"
expect_eq "virt-rescue with the stock appliance" "$rescue_stock" "rescue-42
/dev/ttyS0
[1]+  Running                 sleep 30 &
rc=0"
expect_eq "virt-rescue: the leanboot appliance gives the same shell" "$rescue_lean" "$rescue_stock"

# guestfsd's `udevadm settle` is answered by the preloaded shim (init/shim/udev-settle.c), with
# udevadm's exit statuses: compared with the real udevadm on the same queue states, in the appliance.
cat > "$WORK/settle-probe.sh" <<'P'
S=/usr/lib/leanboot/leanboot-udev-wait.so
shim() { LEANBOOT_UDEV_VERBOSE=1 LD_PRELOAD=$S env udevadm "$@" 2>&1; echo "shim $* -> $?"; }
real() { udevadm "$@" >/dev/null 2>&1; echo "real $* -> $?"; }
shim settle
# Hold udevd's workers and send it an event: its queue then stays until they are released.
udevadm control --stop-exec-queue
udevadm trigger --action=change /sys/class/block/sda
shim settle -t 1
real settle -t 1
shim settle -E /dev/sda -t 1
real settle -E /dev/sda -t 1
udevadm control --start-exec-queue
shim settle -t 10
[ -e /run/udev/queue ] && echo "queue still there" || echo "queue gone"
shim --version
# The pre-init (init/preinit/preinit.c): libguestfs's virtio-rng (1af4:1005) left unbound, the rest bound.
for d in /sys/bus/pci/devices/*; do
    [ "$(cat $d/vendor)" = 0x1af4 ] || continue
    drv=$(readlink $d/driver)
    echo "pci $(cat $d/device) override=$(cat $d/driver_override) driver=${drv##*/}"
done
P
cat > "$WORK/settle.gf" <<G
run
part-disk /dev/sda mbr
mkfs ext2 /dev/sda1
mount /dev/sda1 /
upload $WORK/settle-probe.sh /probe.sh
debug sh "sh /sysroot/probe.sh"
G
rm -f "$WORK/settle.img"; truncate -s 64M "$WORK/settle.img"
LIBGUESTFS_PATH="$WORK/g" guestfish -v -a "$WORK/settle.img" -f "$WORK/settle.gf" > "$WORK/settle.out" 2>&1 ||
    fail "settle session failed: $(tail -5 "$WORK/settle.out")"
has() { grep -Eq -- "$2" "$WORK/settle.out" && pass "settle: $1" || fail "settle: $1: no /$2/ in $WORK/settle.out"; }
has "the shim answers at once when udev is idle" "settle answered in [0-9]+ ms"
has "idle queue, status 0" "^shim settle -> 0"
has "a queue that stays: the shim times out like udevadm" "^shim settle -t 1 -> 1"
has "... and so does udevadm itself" "^real settle -t 1 -> 1"
has "the queue released: the shim waits for it to empty" "^shim settle -t 10 -> 0"
has "... and it is empty then" "^queue gone"
has "-E FILE that exists ends the wait (shim)" "^shim settle -E /dev/sda -t 1 -> 0"
has "-E FILE that exists ends the wait (udevadm)" "^real settle -E /dev/sda -t 1 -> 0"
has "not a settle: the real udevadm runs" "^2[0-9][0-9]\$"
has "hooks (and lvm, mdadm) run without guestfsd's shim in their environment" "hook env: LD_PRELOAD=\\[\\] LEANBOOT_UDEV_READY=\\[\\]"
has "pre-init: virtio-rng left unbound" "^pci 0x1005 override=leanboot-unused driver=\$"
has "pre-init: virtio-scsi bound" "^pci 0x1004 override=\\(null\\) driver=virtio-pci\$"
has "pre-init: virtio-serial bound" "^pci 0x1003 override=\\(null\\) driver=virtio-pci\$"
# Each of guestfsd's settle runs (logged by guestfsd -v) is answered by the shim before guestfsd's
# next command (kernel messages may come between).
r=$(awk '/commandrvf: udevadm.* settle/ {c++; want=1; next}
         want && /leanboot-udev-wait: settle answered/ {a++; want=0}
         /commandrvf: [a-z]/ && !/commandrvf: stdout=/ {want=0}
         END {print c+0, a+0}' "$WORK/settle.out")
set -- $r
[ "$1" -ge 4 ] && [ "$2" -eq "$1" ] && pass "settle: all $1 of guestfsd's udevadm settle runs answered by the shim" ||
    fail "settle: guestfsd ran udevadm settle $1 times, the shim answered $2"

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
