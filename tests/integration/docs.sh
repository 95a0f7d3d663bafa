#!/bin/sh
# The documentation says what the program does: every man page renders without a warning and has
# its sections; every option a command's --help prints is in its page, and every one its option
# table accepts is in the page's OPTIONS; every environment variable the sources read is in
# leanboot(1); the bash completion offers the commands, options and values the program has.  Then the same checks
# on copies with one thing broken each, which they must catch.
# DOCS_MANDIR and DOCS_COMPLETION check other copies; BASH_COMPLETION_SCRIPT names the
# bash-completion package's script, to test the completion with its helpers loaded too.
. "$(dirname "$0")/lib.sh"
requires groff bash
MANDIR=${DOCS_MANDIR:-$top_srcdir/man}
COMPLETION=${DOCS_COMPLETION:-$top_srcdir/completion/leanboot.bash}
BC_SCRIPT=${BASH_COMPLETION_SCRIPT:-/usr/share/bash-completion/bash_completion}

ok() { echo "ok: $*"; }
bad() { echo "PROBLEM: $*"; }

# The commands, as `leanboot --help` lists them.
COMMANDS=$("$LEANBOOT" --help | awk '/^Commands:/ { c = 1; next } c && /^  [a-z]/ { print $1 } c && /^$/ { c = 0 }')
VERSION=$("$LEANBOOT" --version)

# help_options CMD: the long options CMD's --help prints ("" for leanboot's own), one a line.
help_options() {
    if [ -z "$1" ]; then "$LEANBOOT" --help; else "$LEANBOOT" "$1" --help; fi 2>&1 |
        grep -o -- '--[a-z][a-z0-9-]*' | LC_ALL=C sort -u
}

# option_table FILE...: the long options of the getopt tables in FILE.
option_table() {
    grep -ohE '\{ "[a-z0-9-]+", (no|required|optional)_argument' "$@" | sed 's/^{ "\([^"]*\)".*/--\1/'
}

# source_options CMD: the long options CMD's option tables accept ("" for leanboot's own; kernel:
# build and check's, map's and tailor's, one page for the four).
source_options() {
    case $1 in
        "") grep -o 'streq(argv\[i\], "--[a-z0-9-]*")' "$top_srcdir/leanboot.c" | grep -o -- '--[a-z0-9-]*' ;;
        kernel) option_table "$top_srcdir"/kernel/kbuild.c "$top_srcdir"/kernel/kmap.c "$top_srcdir"/kernel/tailor.c ;;
        *)
            src=$(grep -l "^int cmd_$1(" "$top_srcdir"/builder/*.c "$top_srcdir"/benchmark/*.c "$top_srcdir"/kernel/*.c 2>/dev/null)
            [ -n "$src" ] && option_table $src ;;
    esac | LC_ALL=C sort -u
}

# text PAGE [SECTION]: the page's source (only SECTION's lines when given), escapes taken out so
# that `\-\-runs` reads --runs.
text() {
    awk -v want="${2-}" '
        /^\.SH/ { name = $0; sub(/^\.SH[ \t]*/, "", name); gsub(/"/, "", name); inside = (name == want); next }
        want == "" || inside' "$1" |
        sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\%//g' -e 's/\\&//g'
}

# has_word TEXT WORD: WORD in TEXT, not as part of a longer option or name.
has_word() {
    printf '%s\n' "$1" | grep -Eq -- "(^|[^A-Za-z0-9_-])$2([^A-Za-z0-9_-]|\$)"
}

# man_checks DIR: one line per check, "ok: ..." or "PROBLEM: ...".
man_checks() {
    dir=$1
    [ -n "$COMMANDS" ] || bad "no commands in leanboot --help"
    for cmd in "" $COMMANDS; do
        name=leanboot${cmd:+-$cmd}
        page=$dir/$name.1
        if [ ! -f "$page" ]; then
            bad "$name.1: no such page"
            continue
        fi
        nonascii=$(LC_ALL=C grep -n '[^ -~	]' "$page" | head -3)
        [ -z "$nonascii" ] && ok "$name.1: ASCII source" || bad "$name.1: not ASCII (use escapes): $nonascii"
        warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' groff -man -ww -z -Tutf8 "$page" 2>&1)
        [ -z "$warnings" ] && ok "$name.1: groff renders it without a warning" ||
            bad "$name.1: groff: $(printf '%s' "$warnings" | head -3)"
        th=$(sed -n 's/\\-/-/g; s/^\.TH //p' "$page" | head -1)
        upper=$(echo "$name" | tr a-z A-Z)
        expect="$upper 1 \"[^\"]*\" \"$VERSION\""
        printf '%s\n' "$th" | grep -Eq "^$expect" && ok "$name.1: .TH $upper 1, $VERSION" ||
            bad "$name.1: .TH is '$th', want /$expect/"
        sections="NAME|SYNOPSIS|DESCRIPTION|OPTIONS|ENVIRONMENT|FILES|EXIT STATUS|EXAMPLES|SEE ALSO"
        [ -z "$cmd" ] && sections="$sections|COMMANDS"
        heads=$(sed -n 's/^\.SH[ \t]*//p' "$page" | tr -d '"')
        missing=$(echo "$sections" | tr '|' '\n' | while read -r s; do
            printf '%s\n' "$heads" | grep -qx "$s" || printf '%s, ' "$s"
        done)
        [ -z "$missing" ] && ok "$name.1: every section" || bad "$name.1: no section ${missing%, }"
        # What --help names (its own options, and others' it mentions) is in the page; what the
        # option table accepts is in OPTIONS.
        all=$(text "$page")
        opts=$(text "$page" OPTIONS)
        hopts=$(help_options "$cmd")
        [ -n "$hopts" ] || bad "$name.1: no options read from leanboot $cmd --help"
        sopts=$(source_options "$cmd")
        [ -n "$sopts" ] || bad "$name.1: no option table found in the sources for '$cmd'"
        for o in $hopts; do
            has_word "$all" "$o" && ok "$name.1: $o (--help) in the page" || bad "$name.1: $o (in its --help) is not in the page"
        done
        for o in $sopts; do
            has_word "$opts" "$o" && ok "$name.1: $o (option table) in OPTIONS" ||
                bad "$name.1: $o (accepted by the program) is not in OPTIONS"
        done
        if [ -n "$cmd" ]; then
            has_word "$(text "$page" "SEE ALSO")" "leanboot" && ok "$name.1: SEE ALSO leanboot(1)" ||
                bad "$name.1: SEE ALSO does not name leanboot(1)"
        fi
    done
    main=$dir/leanboot.1
    [ -f "$main" ] || return 0
    commands_text=$(text "$main" COMMANDS)
    see_also=$(text "$main" "SEE ALSO")
    for cmd in $COMMANDS; do
        printf '%s\n' "$commands_text" | grep -qx "\.B $cmd" && ok "leanboot.1: COMMANDS has $cmd" ||
            bad "leanboot.1: COMMANDS has no '.B $cmd' entry"
        has_word "$see_also" "leanboot-$cmd" && ok "leanboot.1: SEE ALSO leanboot-$cmd(1)" ||
            bad "leanboot.1: SEE ALSO does not name leanboot-$cmd(1)"
    done
    # Every variable the host-side sources read: getenv("NAME"), and shipped_path("NAME", ...)
    # (which reads $NAME first).
    vars=$(cat "$top_srcdir"/common/*.c "$top_srcdir"/builder/*.c "$top_srcdir"/benchmark/*.c \
        "$top_srcdir"/kernel/*.c "$top_srcdir"/leanboot.c |
        grep -oE '(secure_getenv|getenv|shipped_path)\("[A-Za-z_][A-Za-z0-9_]*"' | sed 's/.*("//; s/"$//' | LC_ALL=C sort -u)
    for v in LEANBOOT_CACHE_DIR LEANBOOT_QEMU LEANBOOT_INIT LEANBOOT_CONFIGS; do
        printf '%s\n' "$vars" | grep -qx "$v" || bad "the sources' variables: $v not found (is the grep still right?)"
    done
    env_text=$(text "$main" ENVIRONMENT)
    for v in $vars; do
        has_word "$env_text" "$v" && ok "leanboot.1: ENVIRONMENT has $v" || bad "leanboot.1: ENVIRONMENT lacks $v (read by the sources)"
    done
}

# The completion, run as bash runs it: COMP_WORDS split at blanks and at '=' and ':' (as
# COMP_WORDBREAKS has them), the cursor at the end of the line.
cat >"$WORK/harness.bash" <<'EOF'
comp() {
    local line=$1 w='' c i
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMP_WORDS=()
    for ((i = 0; i < ${#line}; i++)); do
        c=${line:i:1}
        case $c in
            ' ') [[ -n $w ]] && COMP_WORDS+=("$w"); w='' ;;
            '=' | ':') [[ -n $w ]] && COMP_WORDS+=("$w"); COMP_WORDS+=("$c"); w='' ;;
            *) w+=$c ;;
        esac
    done
    if [[ -n $w || $line == *' ' ]]; then COMP_WORDS+=("$w"); fi
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _leanboot
    printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ *$//'
}
EOF
mkdir -p "$WORK/empty" "$WORK/tree/sub"
: >"$WORK/tree/file.txt"

# complete FILE HELPERS DIR LINE: the sorted completions of LINE, in DIR (HELPERS: the
# bash-completion script to load first, or "").
complete_line() {
    (cd "$3" && bash --norc -c '[ -z "$3" ] || . "$3" || exit 1; . "$1" && . "$2" && comp "$4"' \
        bash "$1" "$WORK/harness.bash" "$2" "$4") 2>&1
}

sorted() { printf '%s\n' "$@" | tr ' ' '\n' | grep . | LC_ALL=C sort | tr '\n' ' ' | sed 's/ *$//'; }

# completion_checks FILE HELPERS: one line per check, as man_checks.
completion_checks() {
    file=$1 helpers=$2
    mode=${helpers:+with bash-completion}
    mode=${mode:-plain}
    if [ ! -f "$file" ]; then
        bad "no completion file $file"
        return 0
    fi
    got=$(complete_line "$file" "$helpers" "$WORK/empty" "leanboot b")
    for w in build bench; do
        has_word "$got" "$w" && ok "completion ($mode): 'leanboot b' offers $w" || bad "completion ($mode): 'leanboot b' gave '$got', no $w"
    done
    has_word "$got" run && bad "completion ($mode): 'leanboot b' offers run: '$got'" || ok "completion ($mode): 'leanboot b' offers no run"
    got=$(complete_line "$file" "$helpers" "$WORK/empty" "leanboot bench --cl")
    has_word "$got" --clock && ok "completion ($mode): 'bench --cl' offers --clock" || bad "completion ($mode): 'bench --cl' gave '$got'"
    # check LINE WANT [DIR]: exactly WANT (any order).
    check() {
        got=$(complete_line "$file" "$helpers" "${3:-$WORK/empty}" "$1")
        want=$(sorted "$2")
        [ "$got" = "$want" ] && ok "completion ($mode): '$1' gives '$want'" || bad "completion ($mode): '$1' gave '$got', want '$want'"
    }
    check "leanboot " "$COMMANDS"
    check "leanboot bench --clock " "wall insn"
    check "leanboot bench --clock=" "wall insn"
    check "leanboot bench a --accel " "auto kvm tcg"
    check "leanboot run x --machine " "auto pc microvm"
    check "leanboot kernel tailor --machine " "microvm pc"
    check "leanboot analyze --stretches " ""
    check "leanboot analyze --stretches 3 " "- file.txt sub" "$WORK/tree"
    check "leanboot kernel tailor --check-host " ""
    check "leanboot kernel tailor -o " "file.txt sub" "$WORK/tree"
    check "leanboot build -o " "sub" "$WORK/tree"
    check "leanboot bench a b --machine-b=m" "microvm"
    check "leanboot bench --peer " "libguestfs"
    check "leanboot kernel " "build check map tailor"
    check "leanboot kernel build --base " "allnoconfig tinyconfig"
    check "leanboot build --kernel " "stock"
    check "leanboot run x -- " ""
    check "leanboot run " "sub" "$WORK/tree"
    check "leanboot analyze --json " "file.txt sub" "$WORK/tree"
    check "leanboot build --copy file.txt:" ""
    stages=$(sed -n '/stage_names\[N_STAGES\] = {/,/};/p' "$top_srcdir/benchmark/stages.c" | grep -o '"[a-z_]*"' | tr -d '"')
    [ -n "$stages" ] || bad "no stage names read from benchmark/stages.c"
    check "leanboot bench a b --stage " "$stages"
    check "leanboot history --stage " "$stages"
    frags=$(cd "$top_srcdir/kernel-configs" && ls -- *.config | sed 's/\.config$//')
    [ -n "$frags" ] || bad "no fragments in kernel-configs/"
    check "leanboot kernel build --fragment " "$frags"
    # Every long option each command accepts (its option table) is offered after "--".
    for cmd in "" $COMMANDS "kernel map" "kernel tailor"; do
        line="leanboot ${cmd:+$cmd }--"
        case $cmd in
            kernel)
                line="leanboot kernel build|check --"
                got="$(complete_line "$file" "$helpers" "$WORK/empty" "leanboot kernel build --") $(complete_line "$file" "$helpers" "$WORK/empty" "leanboot kernel check --")"
                sopts=$(option_table "$top_srcdir"/kernel/kbuild.c) ;;
            "kernel map" | "kernel tailor")
                got=$(complete_line "$file" "$helpers" "$WORK/empty" "$line")
                sopts=$(option_table "$top_srcdir/kernel/$(case $cmd in *map) echo kmap.c ;; *) echo tailor.c ;; esac)") ;;
            *)
                got=$(complete_line "$file" "$helpers" "$WORK/empty" "$line")
                sopts=$(source_options "$cmd") ;;
        esac
        [ -n "$sopts" ] || bad "completion: no option table found in the sources for '$cmd'"
        for o in $sopts; do
            has_word "$got" "$o" && ok "completion ($mode): '$line' offers $o" ||
                bad "completion ($mode): '$line' does not offer $o (the program accepts it)"
        done
    done
}

# report FILE: pass or fail each line of a check's output.
report() {
    while IFS= read -r line; do
        case $line in
            "ok: "*) pass "${line#ok: }" ;;
            "PROBLEM: "*) fail "${line#PROBLEM: }" ;;
            *) fail "unexpected output: $line" ;;
        esac
    done <"$1"
}

man_checks "$MANDIR" >"$WORK/man.out"
report "$WORK/man.out"
completion_checks "$COMPLETION" "" >"$WORK/completion.out"
report "$WORK/completion.out"
if [ -r "$BC_SCRIPT" ]; then
    completion_checks "$COMPLETION" "$BC_SCRIPT" >"$WORK/completion-bc.out"
    report "$WORK/completion-bc.out"
else
    echo "note: no $BC_SCRIPT: the completion is tested without bash-completion's helpers only"
fi

# The checks catch what they are for: copies with one thing broken each.
# caught WHAT OUTPUT REGEX: the broken copy's check output has a PROBLEM line matching REGEX.
caught() {
    if grep -q "^PROBLEM: " "$2" && grep -Eq -- "^PROBLEM: .*$3" "$2"; then
        pass "a broken copy is caught: $1"
    else
        fail "a broken copy is not caught: $1 (no PROBLEM line matching /$3/ in $2)"
    fi
}
mutant() { rm -rf "$WORK/mut"; cp -r "$MANDIR" "$WORK/mut"; }
# changed ORIG COPY: the edit that breaks the copy applied (else the self-check needs updating).
changed() { cmp -s "$1" "$2" && fail "the self-check's edit did not change $2: update it to the file's new text"; }
mutant
grep -v 'min\\-effect' "$MANDIR/leanboot-bench.1" >"$WORK/mut/leanboot-bench.1"
changed "$MANDIR/leanboot-bench.1" "$WORK/mut/leanboot-bench.1"
man_checks "$WORK/mut" >"$WORK/mut1.out"
caught "an option left out of leanboot-bench.1" "$WORK/mut1.out" "leanboot-bench.1: --min-effect .*not in OPTIONS"
mutant
printf '.XYZZY\n' >>"$WORK/mut/leanboot-run.1"
man_checks "$WORK/mut" >"$WORK/mut2.out"
caught "a macro groff does not know" "$WORK/mut2.out" "leanboot-run.1: groff: .*XYZZY"
mutant
grep -v 'LEANBOOT_QEMU' "$MANDIR/leanboot.1" >"$WORK/mut/leanboot.1"
changed "$MANDIR/leanboot.1" "$WORK/mut/leanboot.1"
man_checks "$WORK/mut" >"$WORK/mut3.out"
caught "an environment variable left out of leanboot.1" "$WORK/mut3.out" "ENVIRONMENT lacks LEANBOOT_QEMU"
mutant
grep -v '^\.SH EXIT STATUS' "$MANDIR/leanboot-accel.1" >"$WORK/mut/leanboot-accel.1"
changed "$MANDIR/leanboot-accel.1" "$WORK/mut/leanboot-accel.1"
man_checks "$WORK/mut" >"$WORK/mut4.out"
caught "a section left out" "$WORK/mut4.out" "leanboot-accel.1: no section EXIT STATUS"
mutant
rm "$WORK/mut/leanboot-demo.1"
man_checks "$WORK/mut" >"$WORK/mut5.out"
caught "a page left out" "$WORK/mut5.out" "leanboot-demo.1: no such page"
sed "s/--clock) _leanboot_words 'wall insn'/--clock) _leanboot_words 'wall'/" "$COMPLETION" >"$WORK/mut.bash"
changed "$COMPLETION" "$WORK/mut.bash"
completion_checks "$WORK/mut.bash" "" >"$WORK/mut6.out"
caught "a clock left out of the completion" "$WORK/mut6.out" "'leanboot bench --clock ' gave 'wall', want 'insn wall'"
sed "s/ --no-initcalls / /" "$COMPLETION" >"$WORK/mut.bash"
changed "$COMPLETION" "$WORK/mut.bash"
completion_checks "$WORK/mut.bash" "" >"$WORK/mut7.out"
caught "an option left out of the completion" "$WORK/mut7.out" "'leanboot bench --' does not offer --no-initcalls"
finish
