# Every verb takes --help (generated from the dispatch table), with its own
# options; the global --help points to it.
for v in status check-config buffers set apply run top; do
        "$DMABUFCTL" $v --help > h
        head -1 h
        grep -c . h > /dev/null
done
"$DMABUFCTL" top --help | sed -n '/^Options of top/,/^$/p'
"$DMABUFCTL" --help | grep 'COMMAND --help'
