#!/usr/bin/env bash
# The PostgreSQL store tests start their own throw-away server (test/setup/postgres.global.ts), so
# they need the server binaries, not a running cluster: install Debian's postgresql package if initdb
# is missing. postgresql-common goes first so its default "main" cluster can be switched off before
# the server package would create and start it (as the official postgres container images do).
set -euo pipefail
if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
APT_INSTALL="env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends"
$SUDO apt-get update
$SUDO $APT_INSTALL postgresql-common
$SUDO sed -ri 's/^#?\s*create_main_cluster\s*=.*$/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
$SUDO $APT_INSTALL postgresql
