#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
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
tmpfilesdir=$(pkg-config --variable=tmpfilesdir systemd 2>/dev/null || echo /usr/lib/tmpfiles.d)

# The CLI is for every user (status, buffers): /usr/bin; the daemon /usr/sbin.
# The main configuration is the vendor default in /usr/lib/dmabufctl (an
# administrator's /etc/dmabufctl/dmabufctl.conf overrides it), policies.d in
# both; /run is made at boot by tmpfiles.d.
want=(
        /usr/bin/dmabufctl
        /usr/share/man/man8/dmabufctl.8
        /usr/share/man/man5/dmabufctl.conf.5
        /usr/lib/dmabufctl/dmabufctl.conf
        /usr/lib/dmabufctl/policies.d
        /etc/dmabufctl/policies.d
        "$tmpfilesdir/dmabufctl.conf"
        "$compdir/dmabufctl"
        /usr/sbin/dmabufd
        /usr/share/man/man8/dmabufd.8
        "$unitdir/dmabufd.service"
        "$tmpfilesdir/dmabufd.conf"
        "$catalogdir/dmabufctl.catalog"
        "$compdir/dmabufd"
        /usr/share/zsh/vendor-completions/_dmabufctl
        /usr/share/dmabufd/dmabufd.rules.yml
        /usr/share/dmabufd/50-node-exporter.conf
)
unwanted=(
        /usr/sbin/dmabufctl
        /etc/dmabufctl/dmabufctl.conf
)

fail=0
for f in "${want[@]}"; do
        if [ ! -e "$dest$f" ]; then
                echo "check-install: missing $f" >&2
                fail=1
        fi
done
for f in "${unwanted[@]}"; do
        if [ -e "$dest$f" ]; then
                echo "check-install: $f is installed" >&2
                fail=1
        fi
done
for f in /usr/bin/dmabufctl /usr/sbin/dmabufd; do
        [ -x "$dest$f" ] || { echo "check-install: $f is not executable" >&2; fail=1; }
done
# The installed vendor configuration and the node_exporter drop-in must be
# ones check-config accepts.
if [ -e "$dest/usr/lib/dmabufctl/dmabufctl.conf" ] &&
   ! "$build/src/cli/dmabufctl" check-config "$dest/usr/lib/dmabufctl/dmabufctl.conf"; then
        echo "check-install: the installed vendor configuration is invalid" >&2
        fail=1
fi
if [ -e "$dest/usr/share/dmabufd/50-node-exporter.conf" ]; then
        mkdir -p "$dest/check/policies.d"
        cp "$dest/usr/lib/dmabufctl/dmabufctl.conf" "$dest/check/"
        cp "$dest/usr/share/dmabufd/50-node-exporter.conf" "$dest/check/policies.d/"
        if ! "$build/src/cli/dmabufctl" check-config "$dest/check/dmabufctl.conf"; then
                echo "check-install: the node_exporter drop-in is invalid" >&2
                fail=1
        fi
        rm -rf "$dest/check"
fi
# Nothing outside the usual prefixes.
stray=$(cd "$dest" && find . -type f | grep -vE '^\./(usr|etc|lib)/' || true)
if [ -n "$stray" ]; then
        echo "check-install: files outside /usr, /etc and /lib: $stray" >&2
        fail=1
fi
[ $fail -eq 0 ] && echo "check-install: $(cd "$dest" && find . -type f | wc -l) files installed where expected"
exit $fail
