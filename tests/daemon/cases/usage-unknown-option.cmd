$DMABUFD --frobnicate
