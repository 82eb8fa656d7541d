#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Fetches a real schema registry, Apicurio Registry (its Quarkus runner with
# in-memory storage, which also answers Confluent's API), with mvn into the
# cache the Kafka jars use, so the Avro tests register and read schemas
# against the real thing.
#   registry.sh fetch      download if missing; prints the runner jar's path
#   registry.sh converter  the classpath of Apicurio's Kafka Connect Avro
#                          converter, without the jars Connect has itself
# 2.6 is the last line that runs on Debian 12's Java 17 (3.x needs 21).
set -eu

REGISTRY_VERSION=${REGISTRY_VERSION:-2.6.13.Final}
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
dir=${NFKAFKA_CACHE:-$HOME/.cache/nfkafka}/apicurio-registry-$REGISTRY_VERSION
marker=$dir/.complete

conv=${NFKAFKA_CACHE:-$HOME/.cache/nfkafka}/apicurio-converter-$REGISTRY_VERSION

die() { echo "registry.sh: $*" >&2; exit 1; }

jar() {
	ls "$dir"/*/apicurio-registry-app-*-runner.jar "$dir"/apicurio-registry-app-*-runner.jar \
		2>/dev/null | head -n 1
}

fetch() {
	[ -f "$marker" ] && return 0
	command -v mvn >/dev/null || die "mvn not found (run tests/setup/deps.sh)"
	rm -rf "$dir"
	mkdir -p "$dir"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	echo "registry.sh: fetching Apicurio Registry $REGISTRY_VERSION into $dir" >&2
	mvn -q -B -U "$DEP_PLUGIN:copy" \
		-Dartifact="io.apicurio:apicurio-registry-app:$REGISTRY_VERSION:tar.gz:all" \
		-DoutputDirectory="$tmp" >"$tmp/mvn.log" 2>&1 || {
		sed 's/\x1b\[[0-9;]*m//g' "$tmp/mvn.log" | tail -n 30 >&2
		die "mvn could not fetch io.apicurio:apicurio-registry-app:$REGISTRY_VERSION (all, tar.gz)"
	}
	tar -xzf "$tmp"/apicurio-registry-app-*.tar.gz -C "$dir"
	[ -n "$(jar)" ] || die "no runner jar in the Apicurio tarball"
	touch "$marker" # last, so an interrupted fetch is redone next time
}

# Kafka Connect's own Kafka, JSON and logging jars stay the only ones.
converter() {
	if [ ! -f "$conv/.complete" ]; then
		command -v mvn >/dev/null || die "mvn not found (run tests/setup/deps.sh)"
		rm -rf "$conv"
		mkdir -p "$conv/lib"
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		cat >"$tmp/pom.xml" <<EOP
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>nfkafka.test</groupId><artifactId>converter-fetch</artifactId>
  <version>1</version><packaging>pom</packaging>
  <dependencies><dependency><groupId>io.apicurio</groupId>
    <artifactId>apicurio-registry-utils-converter</artifactId>
    <version>$REGISTRY_VERSION</version></dependency></dependencies>
</project>
EOP
		echo "registry.sh: fetching Apicurio's converter $REGISTRY_VERSION" >&2
		mvn -q -B -U -f "$tmp/pom.xml" "$DEP_PLUGIN:copy-dependencies" \
			-DincludeScope=runtime \
			-DexcludeArtifactIds=kafka-clients,connect-api,connect-json,slf4j-api,lz4-java,snappy-java,zstd-jni \
			-DoutputDirectory="$conv/lib" >"$tmp/mvn.log" 2>&1 || {
			sed 's/\x1b\[[0-9;]*m//g' "$tmp/mvn.log" | tail -n 30 >&2
			die "mvn could not fetch io.apicurio:apicurio-registry-utils-converter:$REGISTRY_VERSION"
		}
		touch "$conv/.complete"
	fi
	ls "$conv"/lib/*.jar | tr '\n' ':' | sed 's/:$/\n/'
}

case "${1:-}" in
fetch)
	fetch
	jar
	;;
converter)
	converter
	;;
*)
	echo "usage: $0 fetch|converter" >&2
	exit 2
	;;
esac
