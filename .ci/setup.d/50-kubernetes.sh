#!/usr/bin/env bash
# The Kubernetes store and chart tests start ONE throw-away Kubernetes API server per run
# (test/setup/kubernetes.global.ts): etcd from Debian's etcd-server package, and kube-apiserver +
# kubectl built from the Go module proxy by .ci/kubernetes/build.sh into a cache outside the clone
# (<tools cache>/bin/kubernetes-<version>/, see .ci/lib/go-tools.sh), so the cold build (minutes)
# is paid once per machine. Returns at once when both are there.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v etcd >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  # The package would start (and enable) its own etcd service: refuse service start-up during the
  # install through policy-rc.d (exit 101 = "action forbidden"), as 30-prometheus.sh does.
  POLICY=/usr/sbin/policy-rc.d
  TEMP_POLICY=false
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    TEMP_POLICY=true
  fi
  cleanup() { if [ "$TEMP_POLICY" = true ]; then $SUDO rm -f "$POLICY"; fi; }
  trap cleanup EXIT
  echo "installing etcd (Debian etcd-server)..."
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends etcd-server
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now etcd.service >/dev/null 2>&1 || true
  elif command -v deb-systemd-helper >/dev/null 2>&1; then
    $SUDO env DPKG_MAINTSCRIPT_PACKAGE=etcd-server deb-systemd-helper disable etcd.service >/dev/null 2>&1 || true
  fi
fi
etcd --version 2>&1 | sed -n 1p # (head would close the pipe early: SIGPIPE under pipefail)

bash .ci/kubernetes/build.sh
