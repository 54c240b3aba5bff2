#!/usr/bin/env bash
# Builds helm of the helm.sh/helm/v4 version this folder's go.mod requires, into
# <tools cache>/bin/helm-<version>/ (see .ci/lib/go-tools.sh), unless it is there.
# Prints the folder on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../lib/go-tools.sh"

version="$(go_mod_required_version "$here" helm.sh/helm/v4)"
[ -n "$version" ] || { echo "no helm.sh/helm/v4 requirement in $here/go.mod" >&2; exit 1; }
target="$(plane_tools_bin_root)/helm-$version"

if [ ! -x "$target/helm" ]; then
  rm -rf "$target"
  # As Helm's Makefile stamps it (else `helm version` says only the minor, e.g. v4.3).
  go_tools_build "$here" "$target" "-s -w -X helm.sh/helm/v4/internal/version.version=$version -X helm.sh/helm/v4/internal/version.gitTreeState=clean" \
    helm.sh/helm/v4/cmd/helm
fi
"$target/helm" version --short
echo "$target"
