# Sourced by the scripts that build test binaries from the Go module proxy (.ci/kubernetes/build.sh,
# .ci/helm/build.sh). The binaries go to a cache OUTSIDE the clone, one folder per tool and version,
# so a later run on the same machine (CI clones afresh every time) reuses them; Go's module cache
# (GOMODCACHE) and build cache (GOCACHE) live outside the clone too and make a rebuild fast.
# test/support/kubernetes/binaries.ts computes the same folder.

# $PLANE_TOOLS_CACHE, else $XDG_CACHE_HOME/plane-mcp, else ~/.cache/plane-mcp; binaries under bin/.
plane_tools_bin_root() {
  local cache="${PLANE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/plane-mcp}"
  printf '%s/bin\n' "$cache"
}

# The version of MODULE that MODULE_DIR/go.mod requires ("require MODULE vX.Y.Z", one line or a block).
go_mod_required_version() {
  local module_dir="$1" module="$2"
  sed -nE "s#^(require)?[[:space:]]+${module//./\\.}[[:space:]]+(v[^[:space:]]+).*#\2#p" "$module_dir/go.mod" | sed -n 1p
}

# go_tools_build MODULE_DIR TARGET_DIR LDFLAGS PACKAGE... — build every PACKAGE (a `tool` of that
# module) into a temporary folder beside TARGET_DIR, then move it into place in one rename, so an
# interrupted or concurrent build never leaves a half-written TARGET_DIR behind.
go_tools_build() {
  local module_dir="$1" target="$2" ldflags="$3"
  shift 3
  if ! command -v go >/dev/null 2>&1; then
    echo "Go is needed to build $(basename "$target") (https://go.dev/dl/, or Debian's golang-go if recent enough): $(sed -nE 's/^go (.*)/go \1/p' "$module_dir/go.mod") or newer" >&2
    return 1
  fi
  mkdir -p "$(dirname "$target")"
  local staging
  staging="$(mktemp -d "$(dirname "$target")/.$(basename "$target").XXXXXX")"
  chmod 755 "$staging"
  local started=$SECONDS
  echo "building $* into $target ($(go version | cut -d' ' -f3), GOCACHE=$(go env GOCACHE)); a cold build takes minutes..."
  # go build is silent until it is done: say every 30 s that it is still going.
  (while sleep 30; do echo "  ... still building ($((SECONDS - started)) s)"; done) &
  local ticker=$!
  local status=0
  (cd "$module_dir" && CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$staging/" "$@") || status=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    rm -rf "$staging"
    return "$status"
  fi
  if [ -d "$target" ]; then
    rm -rf "$staging" # another run finished first
  else
    mv -T "$staging" "$target" 2>/dev/null || rm -rf "$staging"
  fi
  echo "built $(basename "$target") in $((SECONDS - started)) s"
}
