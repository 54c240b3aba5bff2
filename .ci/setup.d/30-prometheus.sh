#!/usr/bin/env bash
# The Prometheus backend tests start their own throw-away server (test/setup/prometheus.global.ts:
# temp storage, generated config, remote-write receiver), so they need the binary, not a running
# service: install Debian's prometheus package when /usr/bin/prometheus is missing, without letting
# the package start (or keep enabled) its own service.
set -euo pipefail
if [ -x /usr/bin/prometheus ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Service start-up during the install is refused through policy-rc.d (invoke-rc.d and
# deb-systemd-invoke both honour it; exit 101 = "action forbidden"). Containers without systemd
# often ship one already; otherwise put a temporary one in place and remove it afterwards.
POLICY=/usr/sbin/policy-rc.d
TEMP_POLICY=false
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 755 "$POLICY"
  TEMP_POLICY=true
fi
cleanup() { if [ "$TEMP_POLICY" = true ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT

$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus

# The postinst enables prometheus.service: stop and disable it (we start our own). With systemd
# running, systemctl does both; without (containers), deb-systemd-helper removes the wants/ link.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  $SUDO systemctl disable --now prometheus.service >/dev/null 2>&1 || true
elif command -v deb-systemd-helper >/dev/null 2>&1; then
  $SUDO env DPKG_MAINTSCRIPT_PACKAGE=prometheus deb-systemd-helper disable prometheus.service >/dev/null 2>&1 || true
fi
prometheus_version=$(/usr/bin/prometheus --version 2>&1); echo "${prometheus_version%%$'\n'*}"
