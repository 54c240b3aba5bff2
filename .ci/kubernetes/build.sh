#!/usr/bin/env bash
# Builds kube-apiserver and kubectl of the k8s.io/kubernetes version this folder's go.mod requires,
# into <tools cache>/bin/kubernetes-<version>/ (see .ci/lib/go-tools.sh), unless they are there.
# Cold (empty Go caches) this takes several minutes on 2 cores; with Go's caches warm, under a minute.
# Prints the folder on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../lib/go-tools.sh"

version="$(go_mod_required_version "$here" k8s.io/kubernetes)"
[ -n "$version" ] || { echo "no k8s.io/kubernetes requirement in $here/go.mod" >&2; exit 1; }
target="$(plane_tools_bin_root)/kubernetes-$version"

if [ ! -x "$target/kube-apiserver" ] || [ ! -x "$target/kubectl" ]; then
  rm -rf "$target"
  # What hack/lib/version.sh stamps: without it the server reports v0.0.0-master, which
  # clients that check the server's version (Helm's kubeVersion constraints) refuse.
  minor="$(cut -d. -f2 <<<"$version")"
  ldflags="-s -w"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  go_tools_build "$here" "$target" "$ldflags" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
fi
"$target/kube-apiserver" --version
echo "$target"
