#!/bin/bash
# dmabufctl top in a real terminal: tmux runs it full screen on a copy of the
# basic fixture; the screen (capture-pane) must show the rows sorted by
# dmabuf, then the change after a memory.stat is rewritten; `q`, Ctrl-C and
# SIGTERM must each end it with status 0, the alternate screen left and the
# terminal modes (stty -a) as they were; Ctrl-Z must give the terminal back
# as it was and fg take it again; a narrow window cuts rows, never wraps them.
# Usage: top-tty.sh DMABUFCTL SRCDIR         (exit 77: no tmux)
set -u
DMABUFCTL=$1 SRC=$2
command -v tmux >/dev/null || { echo "tmux is not installed: skipping the terminal test"; exit 77; }
TMP=$(mktemp -d)
T=(tmux -S "$TMP/sock")
cleanup() { "${T[@]}" kill-server 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
cp -r "$SRC/tests/fixtures/cgroup-basic" "$TMP/cg"
unset DMABUFCTL_CGROUP_ROOT DMABUFCTL_PROC_ROOT
export DMABUFCTL_SYSFS_ROOT=$SRC/tests/fixtures/sys-on LC_ALL=C.UTF-8
fail=0

cat > "$TMP/run.sh" <<EOF
stty -a > "$TMP/stty.before"
echo before-top
"$DMABUFCTL" --root "$TMP/cg" --config "$SRC/tests/fixtures/basic.conf" top -d 200ms 2> "$TMP/err"
echo "EXIT=\$?" > "$TMP/rc.tmp"
stty -a > "$TMP/stty.after"
mv "$TMP/rc.tmp" "$TMP/rc"
echo after-top
exec sleep 600
EOF

screen() { "${T[@]}" capture-pane -p -t "$1"; }
# wait_for SESSION TEST...: until the screen passes the test (15 s at most)
wait_for() {
        local s=$1; shift
        for _ in $(seq 150); do
                screen "$s" > "$TMP/screen"
                "$@" < "$TMP/screen" && return 0
                sleep 0.1
        done
        echo "FAIL: $s: timed out waiting for: $*"; cat "$TMP/screen"; fail=1; return 1
}
wait_file() {
        for _ in $(seq 150); do [ -e "$1" ] && return 0; sleep 0.1; done
        echo "FAIL: timed out waiting for $1"; fail=1; return 1
}
check_restored() {  # SESSION HOW
        local before=$fail
        wait_file "$TMP/rc" || return
        if [ "$(cat "$TMP/rc")" != EXIT=0 ]; then echo "FAIL: $2: top ended with $(cat "$TMP/rc")"; cat "$TMP/err"; fail=1; fi
        if ! cmp -s "$TMP/stty.before" "$TMP/stty.after"; then
                echo "FAIL: $2: terminal modes not restored"; diff "$TMP/stty.before" "$TMP/stty.after"; fail=1
        fi
        wait_for "$1" grep -q after-top || return
        # back on the main screen: what was there before, and no table
        if ! grep -q before-top "$TMP/screen" || grep -q 'dmabufctl top' "$TMP/screen"; then
                echo "FAIL: $2: the alternate screen was not left"; cat "$TMP/screen"; fail=1
        fi
        [ "$fail" != "$before" ] || echo "ok: $2 ends top and restores the terminal"
}
start() {
        rm -f "$TMP/rc"
        "${T[@]}" new-session -d -s "$1" -x 150 -y 30 "bash $TMP/run.sh"
        wait_for "$1" grep -q 'dmabufctl top' || return 1
}

# 1. the view, the change, and q
start q || exit 1
wait_for q grep -q '^/system.slice/camera-hal.service .*200M camera .*warn'
# sorted by dmabuf: camera-hal (200M) above app-a (60M) above compositor (32M)
order=$(grep -oE '^/(system.slice/camera-hal.service|apps.slice/app-a.scope|system.slice/compositor.service) ' "$TMP/screen" | tr -d ' ' | tr '\n' ' ')
if [ "$order" = "/system.slice/camera-hal.service /apps.slice/app-a.scope /system.slice/compositor.service " ]; then
        echo "ok: rows sorted by dmabuf"
else
        echo "FAIL: rows not sorted by dmabuf: $order"; cat "$TMP/screen"; fail=1
fi
sed -i "s/^dmabuf .*/dmabuf $((5 * 1024 * 1024))/" "$TMP/cg/apps.slice/app-b.scope/memory.stat"
# A state that lasts: the new figure (the +1.0M change shows for one
# refresh only; top-change drives it deterministically in batch mode).
wait_for q grep -qE '^/apps.slice/app-b.scope .* 5.0M apps +ok +0$' && echo "ok: the new figure shows, its change settles at 0"
# sort keys: n sorts by name (and marks CGROUP), d back by dmabuf
"${T[@]}" send-keys -t q n
wait_for q grep -q 'sort: name' && wait_for q grep -q '^CGROUP\*' &&
        order=$(grep -oE '^/(apps.slice|system.slice) ' "$TMP/screen" | tr -d ' ' | tr '\n' ' ') &&
        if [ "$order" = "/apps.slice /system.slice " ]; then echo "ok: n sorts by name, CGROUP marked"
        else echo "FAIL: n: $order"; cat "$TMP/screen"; fail=1; fi
"${T[@]}" send-keys -t q d
wait_for q grep -q 'DMABUF\*' && echo "ok: d sorts by dmabuf again, DMABUF marked"
"${T[@]}" send-keys -t q q
check_restored q "q"

# 2. a dumb terminal (TERM=dumb, or no TERM at all, as systemd takes it):
# plain frames on the main screen, no escape sequences
plain_frames() {  # SESSION ENV-COMMAND LABEL
        local out=$TMP/$1.out
        rm -f "$out"
        "${T[@]}" new-session -d -s "$1" -x 150 -y 30 "$2 script -qec '$DMABUFCTL --root $TMP/cg --config $SRC/tests/fixtures/basic.conf top -n 2 -d 100ms' $out; sleep 600"
        wait_file "$out" && for _ in $(seq 100); do grep -c '^CGROUP' "$out" 2>/dev/null | grep -qx 2 && break; sleep 0.1; done
        if grep -c '^CGROUP' "$out" | grep -qx 2 && ! grep -q "$(printf '\033')" "$out"; then
                echo "ok: $3 gets two plain frames"
        else
                echo "FAIL: $3: frames"; cat -v "$out"; fail=1
        fi
}
plain_frames dumb "env TERM=dumb" "TERM=dumb"
plain_frames noterm "env -u TERM" "no TERM"

# 3. Ctrl-C (SIGINT from the terminal)
start intr || exit 1
"${T[@]}" send-keys -t intr C-c
check_restored intr "Ctrl-C"

# 5. Ctrl-Z and fg, under an interactive shell with job control: stopped,
# top leaves the alternate screen and shows the cursor, with the terminal
# modes as they were; fg takes the screen again and redraws; q still ends it
# cleanly. (Each command on a line of its own: bash runs the rest of a list
# when a job of it stops.)
pane() { "${T[@]}" display-message -p -t "$1" "$2"; }
wait_pane() {  # SESSION FORMAT VALUE: until the pane's format has that value
        for _ in $(seq 150); do [ "$(pane "$1" "$2")" = "$3" ] && return 0; sleep 0.1; done
        echo "FAIL: $1: $2 is not $3"; screen "$1"; fail=1; return 1
}
"${T[@]}" new-session -d -s tstp -x 150 -y 30 "env PS1='$ ' bash --norc --noprofile -i"
wait_for tstp grep -q '^\$' &&
"${T[@]}" send-keys -t tstp "stty -a > $TMP/stty.before; echo before-top" Enter &&
wait_for tstp grep -q '^before-top' &&
"${T[@]}" send-keys -t tstp "$DMABUFCTL --root $TMP/cg --config $SRC/tests/fixtures/basic.conf top -d 200ms" Enter &&
wait_for tstp grep -q 'dmabufctl top' && wait_pane tstp '#{alternate_on}' 1 &&
"${T[@]}" send-keys -t tstp C-z &&
wait_for tstp grep -q 'Stopped' && wait_pane tstp '#{alternate_on}' 0 && wait_pane tstp '#{cursor_flag}' 1 &&
if grep -q 'dmabufctl top' "$TMP/screen" || ! grep -q before-top "$TMP/screen"; then
        echo "FAIL: Ctrl-Z: the main screen is not back"; cat "$TMP/screen"; fail=1
else
        "${T[@]}" send-keys -t tstp "stty -a > $TMP/stty.stopped" Enter
        wait_file "$TMP/stty.stopped" && sleep 0.2
        if cmp -s "$TMP/stty.before" "$TMP/stty.stopped"; then
                echo "ok: Ctrl-Z leaves the alternate screen, shows the cursor, restores the terminal modes"
        else
                echo "FAIL: Ctrl-Z: terminal modes while stopped"; diff "$TMP/stty.before" "$TMP/stty.stopped"; fail=1
        fi
        "${T[@]}" send-keys -t tstp fg Enter
        wait_pane tstp '#{alternate_on}' 1 && wait_pane tstp '#{cursor_flag}' 0 &&
        wait_for tstp grep -q '^/system.slice/camera-hal.service .*200M camera .*warn' &&
        echo "ok: fg takes the alternate screen again, hides the cursor and redraws"
        "${T[@]}" send-keys -t tstp q
        wait_pane tstp '#{alternate_on}' 0 &&
        "${T[@]}" send-keys -t tstp "echo EXIT=\$? > $TMP/rc.tstp; stty -a > $TMP/stty.after.tstp" Enter
        wait_file "$TMP/stty.after.tstp" && sleep 0.2
        if [ "$(cat "$TMP/rc.tstp" 2>/dev/null)" = EXIT=0 ] && cmp -s "$TMP/stty.before" "$TMP/stty.after.tstp" &&
           [ "$(pane tstp '#{cursor_flag}')" = 1 ]; then
                echo "ok: after fg, q ends top with 0 and restores the terminal"
        else
                echo "FAIL: q after fg: $(cat "$TMP/rc.tstp" 2>/dev/null)"; diff "$TMP/stty.before" "$TMP/stty.after.tstp"; fail=1
        fi
fi

# 6. a window narrower than the table, in colour (libsmartcols never
# narrows figures and states): every row stays on one screen line, cut at
# the window, and a cut through a coloured state ends the colour.
"${T[@]}" new-session -d -s narrow -x 36 -y 12 "$DMABUFCTL --root $TMP/cg --config $SRC/tests/fixtures/basic.conf top -d 200ms; sleep 600"
if wait_for narrow grep -q '^CGROUP' && wait_for narrow grep -qE '^(/|…).* 200M'; then
        # after the two head lines: the heading, then rows only (a wrapped
        # row would continue on a line of its own, starting blank)
        bad=$(tail -n +3 "$TMP/screen" | grep -vE '^(CGROUP|/|…)' | grep -v '^$' || true)
        rows=$(grep -cE '^(/|…)' "$TMP/screen")
        if [ -z "$bad" ] && [ "$rows" -ge 5 ] && [ "$("${T[@]}" capture-pane -p -J -t narrow | grep -cE '^(/|…)')" = "$rows" ]; then
                echo "ok: a narrow window in colour cuts rows, it does not wrap them"
        else
                echo "FAIL: narrow window: rows wrapped ($rows rows; stray lines: $bad)"; cat "$TMP/screen"; fail=1
        fi
        # no colour runs past the cut: each line's colours are ended on it
        "${T[@]}" capture-pane -p -e -t narrow > "$TMP/screen.e"
        if grep -q $'\033\[3[0-9]m' "$TMP/screen.e" && grep -E $'\033\[3[0-9]m' "$TMP/screen.e" | grep -vqE $'\033\[(0|39)?m'; then
                echo "FAIL: narrow window: a colour runs to the next line"; cat -v "$TMP/screen.e"; fail=1
        fi
fi
"${T[@]}" send-keys -t narrow q

# 4. SIGTERM to the process
start term || exit 1
shell=$("${T[@]}" list-panes -t term -F '#{pane_pid}')
pid=$(pgrep -P "$shell" -x dmabufctl)
if [ -z "$pid" ]; then
        echo "FAIL: cannot find top's pid under $shell"; fail=1
else
        kill -TERM "$pid"
        check_restored term "SIGTERM"
fi
exit $fail
