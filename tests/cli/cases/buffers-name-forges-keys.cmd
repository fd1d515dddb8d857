# DMA_BUF_SET_NAME takes any bytes. A holder names its own buffer
# "evil\nino:\t1001\nsize:\t0\n..." to pass as the camera's 3M buffer 1001
# with 0 bytes, and another "x\nsize:\tfoo" to make every run fail: the
# kernel prints size, ino, exp_name and charged_cgroup_id before the name,
# so nothing after the name line counts.
"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" p "$FIX/cgroup-basic"
rm p/500/fdinfo/9
id=$(stat -c %i "$FIX/cgroup-basic/apps.slice/app-b.scope")
printf "pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t2001\nsize:\t65536\ncount:\t1\nexp_name:\tsystem\ncharged_cgroup_id:\t%s\nname:\tevil\nino:\t1001\nsize:\t0\nexp_name:\tfake\ncharged_cgroup_id:\t1\n" "$id" > p/500/fdinfo/20
printf "pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t2002\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\nname:\tx\nsize:\tfoo\n" > p/500/fdinfo/21
DMABUFCTL_SYSFS_ROOT=$FIX/sys-none "$DMABUFCTL" --root "$FIX/cgroup-basic" --proc-root p buffers
