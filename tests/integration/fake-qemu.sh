#!/bin/sh
# A QEMU whose KVM fails the way broken hosts' do, for tests/integration/accel.sh (run as
# LEANBOOT_QEMU).  Without accel=kvm in its arguments it is the real QEMU.  FAKE_KVM says how KVM
# fails: "msr" as `-cpu host` on a PVM host (an error, then an abort at once); "late" as a host
# where the probe guest runs and a real kernel later stops with an emulation failure, after which
# QEMU pauses the guest and waits.  Every run's accelerator is appended to $FAKE_QEMU_LOG.
kvm=no probe=no
for a; do
    # The probe's own firmware (boots get qboot.rom, or no -bios at all).
    case $a in *accel=kvm*) kvm=yes ;; */probe-*.rom) probe=yes ;; esac
done
echo "kvm=$kvm probe=$probe" >> "${FAKE_QEMU_LOG:-/dev/null}"
[ "$kvm" = yes ] || exec qemu-system-x86_64 "$@"
case ${FAKE_KVM:-msr} in
msr)
    echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
    kill -ABRT $$ ;;
late)
    # The probe's firmware writes 0x2a to isa-debug-exit: QEMU's status is (0x2a << 1) | 1.
    [ "$probe" = yes ] && exit 85
    printf 'KVM internal error. Suberror: 1\nextra data[0]: 0x0000000000000001\nemulation failure\n' >&2
    exec sleep 600 ;;
esac
exit 1
