#!/bin/sh
# Run a command as on a host without KVM: in a mount namespace of its own, over a fresh /dev
# that has the usual nodes and no kvm node (or, with --fake-kvm, a stand-in /dev/kvm that opens
# like one and runs nothing: a null device).  Root only (mknod and mount).
#   tools/private-dev.sh tools/check.sh          # the tests on a host with no /dev/kvm
#   tools/private-dev.sh --fake-kvm CMD ARGS...   # a /dev/kvm that opens but is not KVM
set -eu
fake=no
[ "${1:-}" = --fake-kvm ] && { fake=yes; shift; }
[ $# -gt 0 ] || { echo "usage: $0 [--fake-kvm] CMD [ARG]..." >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (mknod, mount)" >&2; exit 2; }
command -v unshare >/dev/null || { echo "$0: needs unshare (util-linux)" >&2; exit 2; }
exec unshare --mount --propagation private sh -euc '
fake=$1; shift
mount -t tmpfs -o mode=0755,nosuid tmpfs /dev
mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5; mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8; mknod -m 666 /dev/urandom c 1 9; mknod -m 666 /dev/tty c 5 0
# A devpts instance of its own: a bind of the host'"'"'s /dev/pts runs out of ptys.
mkdir /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts
ln -s pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
ln -s /proc/self/fd /dev/fd; ln -s fd/0 /dev/stdin; ln -s fd/1 /dev/stdout; ln -s fd/2 /dev/stderr
[ "$fake" = yes ] && mknod -m 666 /dev/kvm c 1 3
exec "$@"
' private-dev "$fake" "$@"
