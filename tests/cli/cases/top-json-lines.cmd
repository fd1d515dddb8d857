# top --json: one compact JSON document per frame, one per line; each
# line parses on its own
"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" pr "$FIX/cgroup-basic"
rm pr/500/fdinfo/9
DMABUFCTL_PROC_ROOT=pr DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top --json -n 3 -d 10ms > frames
wc -l < frames
python3 -c '
import json, sys
for n, line in enumerate(open("frames"), 1):
    doc = json.loads(line)
    assert isinstance(doc, list), n
    keys = sorted(doc[0])
    print(n, len(doc), " ".join(keys), doc[0]["cgroup"], doc[0]["dmabuf"], doc[0]["rss"])
'
head -c 200 frames; echo
