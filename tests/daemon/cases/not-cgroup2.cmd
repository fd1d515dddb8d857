mkdir plain
$DMABUFD --once --root plain --config $FIX/daemon.conf
