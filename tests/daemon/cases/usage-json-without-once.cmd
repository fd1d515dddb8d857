$DMABUFD --json
