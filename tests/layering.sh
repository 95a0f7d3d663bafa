#!/bin/sh
# The house plan's one rule on includes: a folder's sources include headers of their own folder
# and of common/, never a sibling folder's (the front end, leanboot.c, may use all).  So the
# include graph between folders points only down to common/, and common/ includes only itself.
# The check runs on the tree, then on a copy with one sibling include added, which it must catch.
set -u
: "${top_srcdir:?run through make check}"
FOLDERS="common builder init kernel benchmark"

# violations ROOT: one line per include that leaves its folder for anything but common/.
violations() {
    (cd "$1" && find $FOLDERS -name '*.[ch]' | sort | while read -r f; do
        dir=$(dirname "$f")
        sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
            target=$(realpath -m --relative-to=. "$dir/$inc")
            case $(dirname "$target") in
            "$dir" | common) ;;
            *) echo "$f includes \"$inc\" ($(dirname "$target")/ is neither $dir/ nor common/)" ;;
            esac
        done
    done)
}

rc=0
found=$(violations "$top_srcdir")
if [ -z "$found" ]; then
    echo "ok: no folder includes a sibling's header ($(cd "$top_srcdir" && find $FOLDERS -name '*.[ch]' | wc -l) files)"
else
    printf 'FAIL: %s\n' "$found" >&2
    rc=1
fi

# The check itself: a copy of the tree where benchmark/ reaches into builder/ must be caught.
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
(cd "$top_srcdir" && tar cf - $FOLDERS) | (cd "$copy" && tar xf -)
printf '#include "../builder/build.h"\n' >> "$copy/benchmark/run.c"
caught=$(violations "$copy")
if printf '%s\n' "$caught" | grep -q '^benchmark/run.c includes "../builder/build.h" (builder/ is neither benchmark/ nor common/)$'; then
    echo "ok: a sibling include added to a copy of the tree is caught"
else
    echo "FAIL: a sibling include added to a copy of the tree was not caught: '$caught'" >&2
    rc=1
fi
exit $rc
