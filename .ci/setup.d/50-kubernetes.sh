#!/usr/bin/env bash
# The Kubernetes store and chart tests start ONE throw-away Kubernetes API server per run
# (test/setup/kubernetes.global.ts): etcd from Debian's etcd-server package, and kube-apiserver +
# kubectl built from the Go module proxy by .ci/kubernetes/build.sh into a cache outside the clone
# (<tools cache>/bin/kubernetes-<version>/, see .ci/lib/go-tools.sh), so the cold build (minutes)
# is paid once per machine. Returns at once when both are there.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v etcd >/dev/null 2>&1; then
  . .ci/lib/apt-install-without-service.sh
  apt_install_without_service etcd-server etcd.service
fi
etcd --version 2>&1 | sed -n 1p # (head would close the pipe early: SIGPIPE under pipefail)

bash .ci/kubernetes/build.sh
