# bash completion for leanboot(1)                          -*- shell-script -*-
#
# Subcommands, each subcommand's options, the values of enumerated options, and files or
# directories where an option or argument names one.  Uses the bash-completion package's
# helpers (_init_completion, _filedir) when they are loaded, plain COMP_WORDS/COMP_CWORD and
# compgen otherwise.  Install as $(pkg-config --variable=completionsdir bash-completion)/leanboot
# or source it from ~/.bashrc.

_leanboot_stages='total to_ready firmware kernel initcalls module_initcalls initrd init payload collect shutdown mounts modules udev hooks'

# _leanboot_words WORDS: COMPREPLY = the words of WORDS that start with $cur.
_leanboot_words()
{
    local IFS=$' \t\n' w
    COMPREPLY=()
    for w in $(compgen -W "$1" -- "$cur"); do
        COMPREPLY+=("$w")
    done
}

# _leanboot_paths [-d] [EXTRA WORDS]: COMPREPLY += EXTRA words that match, then files (or with
# -d, directories) that start with $cur.
_leanboot_paths()
{
    local dirs_only=false
    if [[ ${1-} == -d ]]; then
        dirs_only=true
        shift
    fi
    local extra=() w line
    if [[ -n ${1-} ]]; then
        local IFS=$' \t\n'
        for w in $(compgen -W "$1" -- "$cur"); do
            extra+=("$w")
        done
    fi
    if declare -F _filedir >/dev/null 2>&1; then
        if $dirs_only; then _filedir -d; else _filedir; fi
        COMPREPLY=("${extra[@]}" "${COMPREPLY[@]}")
        return
    fi
    COMPREPLY=("${extra[@]}")
    compopt -o filenames 2>/dev/null
    while IFS= read -r line; do
        COMPREPLY+=("$line")
    done < <(if $dirs_only; then compgen -d -- "$cur"; else compgen -f -- "$cur"; fi)
}

# _leanboot_value OPTION: complete the value of OPTION into COMPREPLY.  Returns 1 when OPTION
# takes no value (so that the caller completes something else).
_leanboot_value()
{
    case $1 in
        --accel) _leanboot_words 'auto kvm tcg' ;;
        --clock) _leanboot_words 'wall insn' ;;
        --machine | --machine-b)
            # the tailor builds for one machine: no auto there
            if [[ ${sub-} == tailor ]]; then _leanboot_words 'pc microvm'; else _leanboot_words 'auto pc microvm'; fi ;;
        --stage) _leanboot_words "$_leanboot_stages" ;;
        --peer) _leanboot_words 'libguestfs' ;;
        --base) _leanboot_words 'allnoconfig tinyconfig' ;;
        --kernel) _leanboot_paths 'stock' ;;
        --fragment) _leanboot_paths 'base net debug guestfs microvm' ;;
        --from-supermin-d) _leanboot_paths -d 'libguestfs' ;;
        --like | --check) _leanboot_paths -d ;;
        --from) _leanboot_paths 'base defconfig' ;;
        --cc) _leanboot_words 'distcc icecc' ;;
        --state) _leanboot_paths ;;
        -o | --output)
            # the tailor writes a fragment (a file); build and demo a directory
            if [[ ${sub-} == tailor ]]; then _leanboot_paths; else _leanboot_paths -d; fi ;;
        --logs) _leanboot_paths -d ;;
        --json | --html | --svg | --hook | --disk | --source | --record)
            _leanboot_paths ;;
        --copy)
            # SRC:DEST: a host path before the colon; nothing to offer after it.
            if [[ $cur == *:* ]]; then COMPREPLY=(); else _leanboot_paths; fi ;;
        -p | --package | --module | --run | --append | --append-a | --append-b | --timeout | \
            --memory | --smp | --runs | --warmup | --min-effect | --fail-if-slower | --label | \
            --top | --stretches | -j | --jobs | --keep | --budget | --min-cost | --check-host)
            COMPREPLY=() ;;
        *) return 1 ;;
    esac
    return 0
}

_leanboot()
{
    local cur prev words cword split=false eqprefix=''
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -s || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]-}
        prev=
        ((cword > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
        # --opt=value: readline splits it at '=' (a COMP_WORDBREAKS character) ...
        if [[ $cur == = && $prev == -* ]]; then
            cur=
            split=true
        elif [[ $prev == = ]] && ((cword >= 2)) && [[ ${words[cword - 2]} == -* ]]; then
            prev=${words[cword - 2]}
            split=true
        # ... unless '=' was taken out of COMP_WORDBREAKS: then the whole word is replaced.
        elif [[ $cur == --*=* ]]; then
            prev=${cur%%=*}
            eqprefix=${cur%%=*}=
            cur=${cur#*=}
            split=true
        fi
    fi

    # A colon is a word break too: it is only ever in --copy SRC:DEST, whose DEST is the
    # appliance's (nothing to offer).
    if [[ $cur == : || $prev == : ]]; then
        COMPREPLY=()
        return 0
    fi

    # The words before the current one, "--opt" "=" "value" as one "--opt=value"; the command,
    # its kernel subcommand, the positional arguments seen, and whether "--" was seen.
    local cmd='' sub='' nposargs=0 dashdash=false takes_arg='' i w
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        if [[ $w == = ]]; then
            i=$((i + 1)) # the value after "--opt" "="
            continue
        fi
        if $dashdash; then
            continue
        fi
        if [[ -n $takes_arg ]]; then
            takes_arg=
            continue
        fi
        if [[ -z $cmd ]]; then
            case $w in
                -*) ;;
                *) cmd=$w ;;
            esac
            continue
        fi
        if [[ $cmd == kernel && -z $sub ]]; then
            sub=$w
            continue
        fi
        case $w in
            --) [[ $cmd == run ]] && dashdash=true ;;
            --*=*) ;;
            -o | --output | --kernel | -p | --package | --copy | --hook | --module | --run | \
                --from-supermin-d | --append | --timeout | --memory | --smp | --accel | --clock | \
                --machine | --machine-b | --disk | --runs | --warmup | --append-a | --append-b | \
                --json | --html | --logs | --min-effect | --fail-if-slower | --stage | --label | \
                --peer | --svg | --top | --stretches | --fragment | --source | -j | --jobs | --base | --like | \
                --check | --check-host | --from | --state | --cc | --keep | --budget | --min-cost | --min-effect)
                # A value follows, unless it came as "--opt=value" (the next word is then "=").
                [[ ${words[i + 1]-} == = ]] || takes_arg=$w ;;
            -*) ;;
            *) nposargs=$((nposargs + 1)) ;;
        esac
    done

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            _leanboot_words '-v --verbose -q --quiet -h --help -V --version'
        else
            _leanboot_words 'build run bench analyze demo kernel history accel'
        fi
        return 0
    fi

    # After `run DIR --`: the payload's command line, inside the guest.
    if $dashdash; then
        COMPREPLY=()
        return 0
    fi

    local opts
    case $cmd in
        build) opts='-o --output --kernel -p --package --copy --hook --module --run --debug
                     --from-supermin-d --bzimage --keep-module-signatures --like --force -h --help' ;;
        run) opts='--debug --append --timeout --memory --smp --accel --clock --machine --disk
                   -h --help' ;;
        bench) opts='--runs --warmup --append-a --append-b --json --html --timeout --memory
                     --no-initcalls --logs --accel --clock --min-effect --fail-if-slower --stage
                     --record --label --machine --machine-b --collection-cost --peer -h --help' ;;
        analyze) opts='--json --svg --top --stretches -h --help' ;;
        demo) opts='--runs -o --output --accel --clock --machine -h --help' ;;
        kernel)
            if [[ -z $sub ]]; then
                if [[ $cur == -* ]]; then
                    _leanboot_words '-h --help'
                else
                    _leanboot_words 'build check map tailor'
                fi
                return 0
            fi
            case $sub in
                build) opts='--fragment --source -o --output -j --jobs --base --force --keep-tree -h --help' ;;
                check) opts='--fragment --source -h --help' ;;
                map) opts='--source --top --callees -h --help' ;;
                tailor) opts='--check --check-host -o --output --from --fragment --budget --runs --clock --machine
                              --keep --min-cost --min-effect --cc --no-ccache -j --jobs --timeout --source --json
                              --html --state --fresh -h --help' ;;
                *) return 0 ;;
            esac ;;
        history) opts='--stage --label --clock --json --html -h --help' ;;
        accel) opts='--refresh -h --help' ;;
        *) return 0 ;;
    esac

    # The value of an option: "--opt VALUE" or "--opt=VALUE".
    if [[ -n $takes_arg ]] || $split; then
        local opt=${takes_arg:-$prev}
        if $split; then opt=$prev; fi
        if _leanboot_value "$opt"; then
            if [[ -n $eqprefix ]]; then
                for i in "${!COMPREPLY[@]}"; do
                    COMPREPLY[i]=$eqprefix${COMPREPLY[i]}
                done
            fi
            return 0
        fi
    fi

    if [[ $cur == -* ]]; then
        _leanboot_words "$opts"
        return 0
    fi

    # Positional arguments.
    case $cmd in
        run)
            if ((nposargs == 0)); then
                _leanboot_paths -d
            else
                _leanboot_words "$opts --"
            fi ;;
        bench)
            if ((nposargs < 2)); then _leanboot_paths -d; else _leanboot_words "$opts"; fi ;;
        analyze)
            if ((nposargs == 0)); then _leanboot_paths '-'; else _leanboot_words "$opts"; fi ;;
        history)
            if ((nposargs == 0)); then _leanboot_paths; else _leanboot_words "$opts"; fi ;;
        kernel)
            if { [[ $sub == check ]] && ((nposargs == 0)); } || { [[ $sub == map ]] && ((nposargs < 2)); }; then
                _leanboot_paths
            else
                _leanboot_words "$opts"
            fi ;;
        *) _leanboot_words "$opts" ;;
    esac
    return 0
} &&
    complete -F _leanboot leanboot

# ex: filetype=sh
