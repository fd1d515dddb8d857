# Helpers for the dmabufd cases that run the loop on a scratch fixture tree.
# Sourced by tests/daemon/cases/*.cmd (run in $TMP by tests/cli/run-case.sh).

# waitfor SECONDS CONDITION: poll CONDITION (a shell snippet) every 50 ms.
waitfor() {
        local n=$(($1 * 20))
        while [ $n -gt 0 ]; do
                # Quiet: the daemon's log may not exist yet (its redirection
                # runs in the background job).
                eval "$2" 2>/dev/null && return 0
                sleep 0.05
                n=$((n - 1))
        done
        echo "timed out after $1 s waiting for: $2"
        echo "--- daemon log:"
        cat log 2>/dev/null
        return 1
}

# A scratch copy of the "daemon" fixture tree, and its configuration with
# the [daemon] section replaced by "$1" (lines).
setup_tree() {
        cp -a "$FIX/cgroup-daemon" tree
        # The kernel would confirm a freeze of the player this way.
        printf 'populated 1\nfrozen 1\n' > tree/media.slice/player.service/cgroup.events
        mkdir -p etc run
        sed -e '/^\[daemon\]/,/^$/d' "$FIX/daemon.conf" > etc/dmabufctl.conf
        printf '\n[daemon]\n%b\nprotect = /system.slice/sshd.service /media.slice/codec.*\nmetrics-file = %s/run/metrics.prom\n' \
                "$1" "$TMP" >> etc/dmabufctl.conf
}

start_daemon() {
        DMABUFCTL_PROC_ROOT=$FIX/proc-daemon "$DMABUFD" --root tree --config etc/dmabufctl.conf "$@" 2> log &
        DAEMON=$!
        # A case that fails half way must not leave the daemon behind.
        trap 'kill "$DAEMON" 2> /dev/null || true' EXIT
}

stop_daemon() {
        kill -TERM "$DAEMON"
        wait "$DAEMON"
        echo "dmabufd exited with status $?"
}

# Every line of the metrics file a comment or a valid Prometheus sample.
check_metrics() {
        local bad
        bad=$(grep -Ev '^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\["\\n])*",?)*\})? (-?[0-9]+(\.[0-9]+)?|\+Inf)$' "$1" || true)
        if [ -n "$bad" ]; then
                echo "metrics: invalid lines:"
                echo "$bad"
                return 1
        fi
        echo "metrics: $(grep -vc '^#' "$1") samples, all valid"
}
