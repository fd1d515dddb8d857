# A FIFO in place of the main file is refused at once (no hang); a drop-in
# linked to /dev/null is masked.
mkfifo fifo.conf
timeout 10 "$DMABUFCTL" check-config fifo.conf || echo "exit $?"
mkdir -p policies.d
printf '[policy:a]\ncgroup = /a\n' > main.conf
ln -s /dev/null policies.d/10-masked.conf
"$DMABUFCTL" check-config main.conf && echo "masked drop-in: valid"
