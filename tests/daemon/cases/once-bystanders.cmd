# Issue 10, 1-4 on the "attacks" fixture: a slice over with every service at
# 0 and a slice whose busiest child is empty (the charge left behind) alert
# only, nobody killed; a user-made init.scope shields no hog; a container's
# init (NSpid ending in 1) is protected and its smaller sibling is never
# chosen instead; dmabuf 0 under memory.max pressure does nothing.
"$FIX/make-attacks.sh" att
DMABUFCTL_PROC_ROOT=att/proc $DMABUFD --once --root att/cgroup --config att/dmabufctl.conf
