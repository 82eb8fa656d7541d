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
me=registry.sh
. "$(dirname "$0")/maven.sh"

REGISTRY_VERSION=${REGISTRY_VERSION:-2.6.13.Final}
dir=${NFKAFKA_CACHE:-$HOME/.cache/nfkafka}/apicurio-registry-$REGISTRY_VERSION
marker=$dir/.complete

conv=${NFKAFKA_CACHE:-$HOME/.cache/nfkafka}/apicurio-converter-$REGISTRY_VERSION

jar() {
	ls "$dir"/*/apicurio-registry-app-*-runner.jar "$dir"/apicurio-registry-app-*-runner.jar \
		2>/dev/null | head -n 1
}

fetch() {
	[ -f "$marker" ] && return 0
	mvn_begin "$dir" "$dir"
	echo "registry.sh: fetching Apicurio Registry $REGISTRY_VERSION into $dir" >&2
	mvn_run "io.apicurio:apicurio-registry-app:$REGISTRY_VERSION (all, tar.gz)" \
		"$DEP_PLUGIN:copy" \
		-Dartifact="io.apicurio:apicurio-registry-app:$REGISTRY_VERSION:tar.gz:all" \
		-DoutputDirectory="$tmp"
	tar -xzf "$tmp"/apicurio-registry-app-*.tar.gz -C "$dir"
	[ -n "$(jar)" ] || die "no runner jar in the Apicurio tarball"
	touch "$marker" # last, so an interrupted fetch is redone next time
}

# Kafka Connect's own Kafka, JSON and logging jars stay the only ones.
converter() {
	if [ ! -f "$conv/.complete" ]; then
		mvn_begin "$conv" "$conv/lib"
		mvn_pom converter-fetch "$(mvn_dep io.apicurio \
			apicurio-registry-utils-converter "$REGISTRY_VERSION")"
		echo "registry.sh: fetching Apicurio's converter $REGISTRY_VERSION" >&2
		mvn_run "io.apicurio:apicurio-registry-utils-converter:$REGISTRY_VERSION" \
			-f "$tmp/pom.xml" "$DEP_PLUGIN:copy-dependencies" \
			-DincludeScope=runtime \
			-DexcludeArtifactIds=kafka-clients,connect-api,connect-json,slf4j-api,lz4-java,snappy-java,zstd-jni \
			-DoutputDirectory="$conv/lib"
		touch "$conv/.complete"
	fi
	mvn_classpath "$conv/lib"
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
