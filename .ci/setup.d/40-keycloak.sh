#!/usr/bin/env bash
# test/delivery/production-config.spec.ts runs the servers against a real Keycloak: the same version
# as docker-compose.yml's quay.io/keycloak/keycloak image, from Maven Central's distribution zip
# (org.keycloak:keycloak-quarkus-dist), unpacked under .tools/keycloak/ (gitignored). It runs on the
# JDK that 20-opensearch.sh made sure of (java on PATH or JAVA_HOME). Keycloak re-optimises itself
# ("augmentation", ~40-60 s) the first time it starts in dev mode with a given build option, so this
# also starts it once, with the same build options as the test (--db=dev-mem), and stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION="$(sed -nE 's#^[[:space:]]*image:[[:space:]]*quay\.io/keycloak/keycloak:([0-9][0-9.]*)[[:space:]]*$#\1#p' docker-compose.yml | head -n 1)"
if [ -z "$VERSION" ]; then
  echo "no quay.io/keycloak/keycloak:<version> image in docker-compose.yml" >&2
  exit 1
fi
ROOT=.tools/keycloak
HOME_DIR="$ROOT/keycloak-$VERSION"
STAMP="$HOME_DIR/.plane-warm"

if ! command -v mvn >/dev/null 2>&1 || { ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; }; then
  echo "Keycloak needs Java and Maven: run .ci/setup.d/20-opensearch.sh first" >&2
  exit 1
fi

if [ ! -x "$HOME_DIR/bin/kc.sh" ]; then
  if ! command -v unzip >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends unzip
  fi
  mkdir -p "$ROOT"
  mvn -B -q -Dstyle.color=never dependency:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$VERSION:zip" -DoutputDirectory="$ROOT"
  rm -rf "$HOME_DIR"
  (cd "$ROOT" && unzip -q "keycloak-quarkus-dist-$VERSION.zip" && rm -f "keycloak-quarkus-dist-$VERSION.zip")
fi
"$HOME_DIR/bin/kc.sh" --version

if [ -f "$STAMP" ]; then exit 0; fi
PORT="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
LOG="$(mktemp)"
rm -rf "$HOME_DIR/data"
setsid "$HOME_DIR/bin/kc.sh" start-dev --db=dev-mem --http-host=127.0.0.1 --http-port="$PORT" >"$LOG" 2>&1 &
PID=$!
ok=false
for _ in $(seq 1 180); do
  if node -e "fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" \
    "http://127.0.0.1:$PORT/realms/master/.well-known/openid-configuration"; then ok=true; break; fi
  if ! kill -0 "$PID" 2>/dev/null; then break; fi
  sleep 1
done
kill -TERM -- "-$PID" 2>/dev/null || true
for _ in $(seq 1 30); do kill -0 "$PID" 2>/dev/null || break; sleep 1; done
kill -KILL -- "-$PID" 2>/dev/null || true
rm -rf "$HOME_DIR/data"
if [ "$ok" != true ]; then
  echo "Keycloak did not start; last lines of its log:" >&2
  tail -n 40 "$LOG" >&2
  rm -f "$LOG"
  exit 1
fi
rm -f "$LOG"
date -u +%FT%TZ >"$STAMP"
echo "Keycloak $VERSION ready (dev-mode build cached)"
