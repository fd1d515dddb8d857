$DMABUFD --once status
