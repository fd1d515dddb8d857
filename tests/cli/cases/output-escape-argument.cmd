# An argument echoed in an error is escaped as names are: an -o column, a
# size and a duration carrying an escape sequence (or a config value) do
# not reach the terminal raw.
cp -r "$FIX/cgroup-basic" t
C="--root t --config $FIX/basic.conf"
"$DMABUFCTL" $C status -o "$(printf 'X\033[31m')" || echo "rc=$?"
"$DMABUFCTL" $C status -o "+CGROUP,$(printf '\033]0;owned\007')" || echo "rc=$?"
"$DMABUFCTL" $C set /apps.slice --memory-max "$(printf '1G \033[2J')" || echo "rc=$?"
"$DMABUFCTL" $C top -d "$(printf '1\033[31ms')" || echo "rc=$?"
printf '[daemon]\ninterval = 1\033[31ms\n' > bad.conf
"$DMABUFCTL" check-config bad.conf || echo "rc=$?"
