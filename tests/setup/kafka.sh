#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Fetches a real Apache Kafka broker (jars only, no tarball) from Maven
# Central with mvn, into a cache that survives between test runs.
#   kafka.sh fetch      download if missing; prints the lib dir
#   kafka.sh classpath  prints the classpath (fetches first if needed)
# The Kafka tarball is not on any registry we may reach, but the broker is
# just kafka_2.13 plus its runtime deps plus an slf4j binding.
set -eu
me=kafka.sh
. "$(dirname "$0")/maven.sh"

KAFKA_VERSION=${KAFKA_VERSION:-3.9.2}
dir=${NFKAFKA_CACHE:-$HOME/.cache/nfkafka}/kafka-$KAFKA_VERSION
lib=$dir/lib
marker=$dir/.complete

fetch() {
	[ -f "$marker" ] && return 0
	mvn_begin "$dir" "$lib" # jars and any CDS archive made from them
	echo "kafka.sh: fetching Kafka $KAFKA_VERSION into $lib" >&2
	mvn_copy_with_binding kafka-fetch \
		"$(mvn_dep org.apache.kafka kafka_2.13 "$KAFKA_VERSION")" \
		"org.apache.kafka:kafka_2.13:$KAFKA_VERSION" Kafka
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
	mvn_classpath "$lib"
	;;
*)
	echo "usage: $0 fetch|classpath" >&2
	exit 2
	;;
esac
