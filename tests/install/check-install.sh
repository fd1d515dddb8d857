#!/bin/bash
# Installs the build into a DESTDIR and checks that everything lands where a
# distribution puts it. Usage: check-install.sh BUILDDIR SRCDIR
set -euo pipefail
build=$1
src=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet > "$dest.log" 2>&1 || {
        cat "$dest.log" >&2
        echo "check-install: meson install failed" >&2
        exit 1
}
rm -f "$dest.log"

unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
catalogdir=$(pkg-config --variable=catalogdir systemd 2>/dev/null || echo /usr/lib/systemd/catalog)
compdir=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null || echo /usr/share/bash-completion/completions)

want=(
        /usr/sbin/dmabufctl
        /usr/share/man/man8/dmabufctl.8
        /usr/share/man/man5/dmabufctl.conf.5
        /etc/dmabufctl/dmabufctl.conf
        "$compdir/dmabufctl"
)
# What later parts add, once their sources exist.
[ -f "$src/src/daemon/meson.build" ] && want+=(/usr/sbin/dmabufd /usr/share/man/man8/dmabufd.8)
{ [ -f "$src/conf/dmabufd.service" ] || [ -f "$src/conf/dmabufd.service.in" ]; } && want+=("$unitdir/dmabufd.service")
[ -f "$src/conf/dmabufctl.catalog" ] && want+=("$catalogdir/dmabufctl.catalog")

fail=0
for f in "${want[@]}"; do
        if [ ! -e "$dest$f" ]; then
                echo "check-install: missing $f" >&2
                fail=1
        fi
done
[ -x "$dest/usr/sbin/dmabufctl" ] || { echo "check-install: /usr/sbin/dmabufctl is not executable" >&2; fail=1; }
# The installed example configuration must be one check-config accepts.
if [ -e "$dest/etc/dmabufctl/dmabufctl.conf" ] &&
   ! "$build/src/cli/dmabufctl" check-config "$dest/etc/dmabufctl/dmabufctl.conf"; then
        echo "check-install: the installed example configuration is invalid" >&2
        fail=1
fi
# Nothing outside the usual prefixes.
stray=$(cd "$dest" && find . -type f | grep -vE '^\./(usr|etc|lib)/' || true)
if [ -n "$stray" ]; then
        echo "check-install: files outside /usr, /etc and /lib: $stray" >&2
        fail=1
fi
[ $fail -eq 0 ] && echo "check-install: $(cd "$dest" && find . -type f | wc -l) files installed where expected"
exit $fail
