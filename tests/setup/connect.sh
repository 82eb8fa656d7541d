#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Fetches Kafka Connect (connect-runtime, connect-file, connect-json at the
# broker's version) from Maven Central with mvn, into the cache kafka.sh
# uses, like kafka.sh fetches the broker.
#   connect.sh classpath  prints the classpath (fetches first if needed)
set -eu

KAFKA_VERSION=${KAFKA_VERSION:-3.9.2}
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
dir=${NFKAFKA_CACHE:-$HOME/.cache/nfkafka}/connect-$KAFKA_VERSION
lib=$dir/lib
marker=$dir/.complete

die() { echo "connect.sh: $*" >&2; exit 1; }

dep() {
	echo "<dependency><groupId>$1</groupId><artifactId>$2</artifactId><version>$3</version></dependency>"
}

# A throw-away pom; $1 is the slf4j binding's version, or empty.
write_pom() {
	binding=""
	[ -n "$1" ] && binding=$(dep org.slf4j slf4j-reload4j "$1")
	cat >"$tmp/pom.xml" <<EOP
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>nfkafka.test</groupId><artifactId>connect-fetch</artifactId>
  <version>1</version><packaging>pom</packaging>
  <dependencies>
    $(dep org.apache.kafka connect-runtime "$KAFKA_VERSION")
    $(dep org.apache.kafka connect-file "$KAFKA_VERSION")
    $(dep org.apache.kafka connect-json "$KAFKA_VERSION")
    $binding
  </dependencies>
</project>
EOP
}

copy_deps() {
	mvn -q -B -U -f "$tmp/pom.xml" "$DEP_PLUGIN:copy-dependencies" \
		-DincludeScope=runtime -DoutputDirectory="$lib" >"$tmp/mvn.log" 2>&1 || {
		sed 's/\x1b\[[0-9;]*m//g' "$tmp/mvn.log" | tail -n 30 >&2
		die "mvn could not fetch Kafka Connect $KAFKA_VERSION"
	}
}

fetch() {
	[ -f "$marker" ] && return 0
	command -v mvn >/dev/null || die "mvn not found (run tests/setup/deps.sh)"
	rm -rf "$dir"
	mkdir -p "$lib"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	echo "connect.sh: fetching Kafka Connect $KAFKA_VERSION into $lib" >&2
	write_pom ""
	copy_deps
	api=$(ls "$lib" | sed -n 's/^slf4j-api-\(.*\)\.jar$/\1/p')
	[ -n "$api" ] || die "no slf4j-api among Connect's dependencies"
	write_pom "$api"
	copy_deps
	[ -f "$lib/connect-runtime-$KAFKA_VERSION.jar" ] || die "connect-runtime jar missing after fetch"
	touch "$marker"
}

case "${1:-}" in
classpath)
	fetch
	ls "$lib"/*.jar | tr '\n' ':' | sed 's/:$/\n/'
	;;
*)
	echo "usage: $0 classpath" >&2
	exit 2
	;;
esac
