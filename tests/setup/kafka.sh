#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Fetches a real Apache Kafka broker (jars only, no tarball) from Maven
# Central with mvn, into a cache that survives between test runs.
#   kafka.sh fetch      download if missing; prints the lib dir
#   kafka.sh classpath  prints the classpath (fetches first if needed)
# The Kafka tarball is not on any registry we may reach, but the broker is
# just kafka_2.13 plus its runtime deps plus an slf4j binding.
set -eu

KAFKA_VERSION=${KAFKA_VERSION:-3.9.2}
# Pinned: Maven 3.8's default dependency plugin (2.8) is too old to trust.
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
dir=${NFKAFKA_CACHE:-$HOME/.cache/nfkafka}/kafka-$KAFKA_VERSION
lib=$dir/lib
marker=$dir/.complete

die() { echo "kafka.sh: $*" >&2; exit 1; }

# Writes a throw-away pom depending on kafka_2.13 and, when given, on
# slf4j-reload4j at version $1 (the binding Kafka's own distribution ships).
write_pom() {
	binding=""
	[ -n "$1" ] && binding="<dependency><groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId><version>$1</version></dependency>"
	cat >"$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>nfkafka.test</groupId><artifactId>kafka-fetch</artifactId>
  <version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    $binding
  </dependencies>
</project>
EOF
}

copy_deps() {
	# -U: retry artifacts whose earlier download failed instead of trusting
	# the failure Maven cached in ~/.m2.
	mvn -q -B -U -f "$tmp/pom.xml" "$DEP_PLUGIN:copy-dependencies" \
		-DincludeScope=runtime -DoutputDirectory="$lib" >"$tmp/mvn.log" 2>&1 || {
		sed 's/\x1b\[[0-9;]*m//g' "$tmp/mvn.log" | tail -n 30 >&2
		die "mvn could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION"
	}
}

fetch() {
	[ -f "$marker" ] && return 0
	command -v mvn >/dev/null || die "mvn not found (run tests/setup/deps.sh)"
	rm -rf "$dir" # jars and any CDS archive made from them
	mkdir -p "$lib"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	echo "kafka.sh: fetching Kafka $KAFKA_VERSION into $lib" >&2
	write_pom ""
	copy_deps
	# The binding must match the slf4j-api Kafka pulls, so learn it first.
	api=$(ls "$lib" | sed -n 's/^slf4j-api-\(.*\)\.jar$/\1/p')
	[ -n "$api" ] || die "no slf4j-api among Kafka's dependencies"
	write_pom "$api"
	copy_deps
	[ -f "$lib/kafka_2.13-$KAFKA_VERSION.jar" ] || die "kafka jar missing after fetch"
	touch "$marker" # last, so an interrupted fetch is redone next time
}

case "${1:-}" in
fetch)
	fetch
	echo "$lib"
	;;
classpath)
	fetch
	ls "$lib"/*.jar | tr '\n' ':' | sed 's/:$/\n/'
	;;
*)
	echo "usage: $0 fetch|classpath" >&2
	exit 2
	;;
esac
