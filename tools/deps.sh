#!/bin/sh
# Install the Debian packages leanboot needs to build, test and run (idempotent).
set -eu
PACKAGES="build-essential autoconf automake pkg-config libjson-c-dev libkmod-dev kmod libssl-dev
  supermin qemu-system-x86 qemu-utils linux-image-amd64 linux-source cpio bc bison flex libelf-dev dwarves
  libguestfs-tools libguestfs-dev udev dash coreutils libgsl-dev libsqlite3-dev sqlite3 python3 strace
  chromium fonts-dejavu-core ccache distcc gzip bzip2 xz-utils zstd lz4 lzop"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
