# Helpers for the systemd VM's scenarios (installed at
# /usr/share/vm/lib-systemd.sh), on top of ../lib.sh: . both.

# unit_prop UNIT PROPERTY: the property's value as systemctl shows it.
unit_prop() {
	systemctl show -P "$2" "$1"
}

# unit_cgroup UNIT: the unit's cgroup (its ControlGroup property).
unit_cgroup() {
	systemctl show -P ControlGroup "$1"
}

# make_service NAME [SLICE]: a unit file that sleeps, started.
make_service() {
	cat > "/etc/systemd/system/$1" <<UNIT
[Service]
ExecStart=/bin/sleep infinity
${2:+Slice=$2}
UNIT
	systemctl daemon-reload
	systemctl start "$1" || fail "cannot start $1"
}
