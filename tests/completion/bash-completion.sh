#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion of conf/dmabufctl.bash-completion, driven as bash
# drives it (COMP_WORDS, COMP_CWORD), against the built binaries: the new
# options, and the column names -o takes, read from `--output help`.
# Usage: bash-completion.sh DMABUFCTL DMABUFD SRCDIR; 77 without bash-completion.
set -u
dmabufctl=$1 dmabufd=$2 src=$3
bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || { echo "skipped: no $bc" >&2; exit 77; }
# shellcheck disable=SC1090
. "$bc"
. "$src/conf/dmabufctl.bash-completion"

# cgroup paths come from this (empty) root, never from the host's
DMABUFCTL_CGROUP_ROOT=$(mktemp -d)
export DMABUFCTL_CGROUP_ROOT
trap 'rm -rf "$DMABUFCTL_CGROUP_ROOT"' EXIT

fail=0
# expect FUNCTION "LINE" "WANT": the sorted completions of LINE's last word.
expect() {
        local fn=$1 line=$2 want=$3 got
        COMP_LINE=$line
        COMP_POINT=${#line}
        read -ra COMP_WORDS <<< "$line"
        [[ $line == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMPREPLY=()
        "$fn" 2>/dev/null       # compopt complains outside a real completion
        got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
        got=${got% }
        if [[ $got != "$want" ]]; then
                echo "FAIL: '$line': got '$got', want '$want'" >&2
                fail=1
        fi
}

c=$dmabufctl d=$dmabufd
expect _dmabufctl "$c status -o " "CGROUP CURRENT DMABUF HIGH MAX POLICY STATE help"
expect _dmabufctl "$c status --output CGROUP,D" "CGROUP,DMABUF"
expect _dmabufctl "$c status -o CGROUP,DMABUF,S" "CGROUP,DMABUF,STATE"
expect _dmabufctl "$c buffers -o C" "CGROUP CHARGED COMM"
expect _dmabufctl "$c apply -o P" "POLICY"
expect _dmabufctl "$c top -o R" "RSS"
# -o +LIST adds to the default columns, as lsblk takes it
expect _dmabufctl "$c top -o +R" "+RSS"
expect _dmabufctl "$c status -o +POLICY,S" "+POLICY,STATE"
expect _dmabufctl "$c status --no" "--noheadings"
expect _dmabufctl "$c status --r" "--raw --root"
expect _dmabufctl "$c apply --o" "--output"
expect _dmabufctl "$c top --" "--all --batch --bytes --config --delay --help --iterations --json --noheadings --output --proc-root --raw --root --sort --version"
expect _dmabufctl "$c set --" "--bytes --config --help --json --memory-high --memory-max --proc-root --root --runtime --version"
expect _dmabufctl "$c top --sort " "current dmabuf name rss"
expect _dmabufctl "$c status --sort " "current dmabuf name"
expect _dmabufctl "$c top -n " ""
expect _dmabufctl "$c -" "--config --help --json --proc-root --root --version -h"
expect _dmabufd "$d --" "--config --help --once --root --version"
expect _dmabufd "$d --once --" "--config --help --json --noheadings --once --output --raw --root --version"
expect _dmabufd "$d --once -o W" "WHY"
expect _dmabufd "$d --once -o CGROUP,A" "CGROUP,ACTION"
# Cgroup names are a user's: completing them never runs them, and what is
# put on the command line is quoted (run as it reads, it runs nothing).
pwned=$(mktemp -d)
mkdir "$DMABUFCTL_CGROUP_ROOT/a.slice" \
        "$DMABUFCTL_CGROUP_ROOT/\$(touch\${IFS}dollar)" \
        "$DMABUFCTL_CGROUP_ROOT/\`touch backtick\`" \
        "$DMABUFCTL_CGROUP_ROOT/x y;touch semicolon" || fail=1
cd "$pwned" || exit 1   # where a name that ran would leave its file
for line in "$c status " "$c status /" "$c buffers --cgroup " "$c set " "$c top --cgroup /"; do
        COMP_LINE=$line COMP_POINT=${#line}
        read -ra COMP_WORDS <<< "$line"
        [[ $line == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMPREPLY=()
        _dmabufctl 2>/dev/null
        [ ${#COMPREPLY[@]} -ge 4 ] || { echo "FAIL: '$line': ${#COMPREPLY[@]} completions, want the 4 cgroups" >&2; fail=1; }
        for w in "${COMPREPLY[@]}"; do
                eval "set -- $w"        # what the shell makes of the inserted word
                [ $# -eq 1 ] || { echo "FAIL: '$line': '$w' is $# words on the command line" >&2; fail=1; }
        done
done
if [ -n "$(ls -A "$pwned")" ]; then
        echo "FAIL: completing hostile cgroup names ran them: $(ls "$pwned")" >&2
        fail=1
fi
cd / && rm -rf "$pwned"
expect _dmabufctl "$c status /a" "/a.slice"

[ $fail -eq 0 ] && echo "bash completion: all cases pass"
exit $fail
