$DMABUFD --config
