# Durations are capped at 24h: an interval of 5124095576h used to pass
# check-config and then wrap dmabufd's deadline arithmetic (a busy loop).
printf '[daemon]\ninterval = 5124095576h\ngrace = 25h\ncooldown = 24h\nmetrics-interval = 1439min 61s\n' > big.conf
"$DMABUFCTL" check-config big.conf || echo "rc=$?"
