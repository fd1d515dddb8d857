# Issue 10, 1-3 in the loop on the "attacks" fixture: after the grace only
# the hog behind a user-made init.scope is killed; the slice whose charge no
# live child holds, the slice whose busiest child is empty and the slice
# whose busiest child is a container's init are alerted on, saying why, and
# no bystander is touched; a memory.events "max" burst on a service at
# dmabuf 0 is an alert, acts on nothing and claims no "over dmabuf.max".
. "$SRC/tests/daemon/lib.sh"
"$FIX/make-attacks.sh" att
sed -i 's/^interval = 1s/interval = 100ms/; s/^grace = 2s/grace = 300ms/; s/^cooldown = 10s/cooldown = 1min/' att/dmabufctl.conf
DMABUFCTL_PROC_ROOT=att/proc "$DMABUFD" --root att/cgroup --config att/dmabufctl.conf 2> log &
DAEMON=$!
trap 'kill "$DAEMON" 2> /dev/null || true' EXIT
waitfor 60 'grep -q "killed /user.slice/user-1000.slice/init.scope" log'
waitfor 30 'grep -q "^dmabufd: over: /machine.slice " log && grep -q "^dmabufd: over: /system.slice " log && grep -q "^dmabufd: over: /apps.slice " log'
printf 'low 0\nhigh 0\nmax 7\noom 0\noom_kill 0\noom_group_kill 0\n' > att/cgroup/batch.slice/job.service/memory.events
waitfor 30 'grep -q "new memory.events max" log'
sleep 0.5       # a few passes more: still nothing
stop_daemon
echo "killed:"; find att/cgroup -name cgroup.kill -size +0 | sed 's|^att/cgroup||; s|/cgroup.kill$||' | sort
echo "frozen:"; grep -l '^1' $(find att/cgroup -name cgroup.freeze) | sed 's|^att/cgroup||; s|/cgroup.freeze$||' | sort
echo "alerts:"; grep -E '^dmabufd: (over|kill|freeze|max|oom_kill): ' log | sed 's/ \[EVENT.*//' | sort
echo "lines claiming 'over dmabuf.max' about the batch job: $(grep batch.slice log | grep -c 'over dmabuf.max')"
