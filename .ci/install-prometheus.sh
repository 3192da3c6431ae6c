#!/bin/sh
# Install Debian's prometheus package (prometheus + promtool) for the forecast tests'
# Prometheus path. Best effort: without it those tests skip with a reason.
set -u
if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  echo "prometheus already installed: $(prometheus --version 2>&1 | head -n 1)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq || echo "apt-get update failed (continuing)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus \
    || echo "could not install prometheus; the Prometheus forecast tests will be skipped"
else
  echo "no apt-get; the Prometheus forecast tests will be skipped"
fi
# Debian starts the service on install; the tests run their own server on a free port.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl stop prometheus 2>/dev/null || true; fi
exit 0
