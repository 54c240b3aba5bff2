#!/usr/bin/env bash
# The Prometheus backend tests start their own throw-away server (test/setup/prometheus.global.ts:
# temp storage, generated config, remote-write receiver), so they need the binary, not a running
# service: install Debian's prometheus package when /usr/bin/prometheus is missing, without letting
# the package start (or keep enabled) its own service.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -x /usr/bin/prometheus ]; then exit 0; fi
. .ci/lib/apt-install-without-service.sh
apt_install_without_service prometheus prometheus.service
prometheus_version=$(/usr/bin/prometheus --version 2>&1); echo "${prometheus_version%%$'\n'*}"
