#!/usr/bin/env bash
# Helm for the chart tests: built from the Go module proxy by .ci/helm/build.sh into a cache outside
# the clone (<tools cache>/bin/helm-<version>/, see .ci/lib/go-tools.sh). Returns at once when there.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash .ci/helm/build.sh
