#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The zsh completion (conf/dmabufctl.zsh-completion) in a real zsh: tmux runs
# `zsh -f` with compinit and the function on its fpath, a line is typed and
# completed with Tab, and the line must then read as expected.
# Usage: zsh-completion.sh DMABUFCTL DMABUFD SRCDIR   (77: no zsh or tmux)
set -u
dmabufctl=$1 dmabufd=$2 src=$3
command -v zsh >/dev/null || { echo "skipped: zsh is not installed"; exit 77; }
command -v tmux >/dev/null || { echo "skipped: tmux is not installed"; exit 77; }
TMP=$(mktemp -d)
T=(tmux -S "$TMP/sock")
cleanup() { "${T[@]}" kill-server 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
mkdir "$TMP/fpath" "$TMP/bin" "$TMP/cg" "$TMP/cg/a:b.slice"
cp "$src/conf/dmabufctl.zsh-completion" "$TMP/fpath/_dmabufctl"
ln -s "$dmabufctl" "$TMP/bin/dmabufctl"
ln -s "$dmabufd" "$TMP/bin/dmabufd"
cat > "$TMP/zshrc" <<EOF
PS1='%% '
path=($TMP/bin \$path)
fpath=($TMP/fpath \$fpath)
export DMABUFCTL_CGROUP_ROOT=$TMP/cg
autoload -U compinit && compinit -u -d $TMP/zcompdump
echo ready
EOF
"${T[@]}" new-session -d -s z -x 200 -y 40 "zsh -f"
"${T[@]}" send-keys -t z "source $TMP/zshrc" Enter

screen() { "${T[@]}" capture-pane -p -t z; }
wait_for() {    # PATTERN: until a line of the screen matches (10 s at most)
        for _ in $(seq 100); do
                screen | grep -qE "$1" && return 0
                sleep 0.1
        done
        return 1
}
fail=0
wait_for '^ready' || { echo "FAIL: zsh did not start"; screen; exit 1; }

# expect "TYPED" "WANT": after TYPED and Tab, the prompt line reads WANT.
expect() {
        local typed=$1 want=$2 line re
        re=${want//./\\.}
        re=${re//+/\\+}
        "${T[@]}" send-keys -t z "$typed" Tab
        if wait_for "^% $re ?\$"; then
                echo "ok: '$typed' -> '$want'"
        else
                line=$(screen | grep '^% ' | tail -1)
                echo "FAIL: '$typed': the line reads '$line', want '$want'"
                fail=1
        fi
        # clear the line (and any listing) for the next case
        "${T[@]}" send-keys -t z C-u
        "${T[@]}" send-keys -t z "clear" Enter
        wait_for '^% ?$' || true
}

# a column name ends in a comma for the next one (zsh's _values; a blank
# typed next takes it away)
expect "dmabufctl status -o DM" "dmabufctl status -o DMABUF,"
expect "dmabufctl status -o CGROUP,ST" "dmabufctl status -o CGROUP,STATE,"
expect "dmabufctl buffers -o EXP" "dmabufctl buffers -o EXPORTER,"
expect "dmabufctl top -o RS" "dmabufctl top -o RSS,"
expect "dmabufctl top -o +RS" "dmabufctl top -o +RSS,"
expect "dmabufctl top --sort r" "dmabufctl top --sort rss"
expect "dmabufctl status --nohe" "dmabufctl status --noheadings"
expect "dmabufctl apply --dry" "dmabufctl apply --dry-run"
expect "dmabufctl che" "dmabufctl check-config"
expect "dmabufd --once -o WH" "dmabufd --once -o WHY,"
# a cgroup name with a colon is offered whole (_describe splits at a colon)
expect "dmabufctl status /a" "dmabufctl status /a:b.slice"
expect "dmabufd --once --js" "dmabufd --once --json"
exit $fail
