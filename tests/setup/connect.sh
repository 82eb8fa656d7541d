#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Fetches Kafka Connect (connect-runtime, connect-file, connect-json at the
# broker's version) from Maven Central with mvn, into the cache kafka.sh
# uses, like kafka.sh fetches the broker.
#   connect.sh classpath  prints the classpath (fetches first if needed)
set -eu
me=connect.sh
. "$(dirname "$0")/maven.sh"

KAFKA_VERSION=${KAFKA_VERSION:-3.9.2}
dir=${NFKAFKA_CACHE:-$HOME/.cache/nfkafka}/connect-$KAFKA_VERSION
lib=$dir/lib
marker=$dir/.complete

fetch() {
	[ -f "$marker" ] && return 0
	mvn_begin "$dir" "$lib"
	echo "connect.sh: fetching Kafka Connect $KAFKA_VERSION into $lib" >&2
	mvn_copy_with_binding connect-fetch \
		"$(mvn_dep org.apache.kafka connect-runtime "$KAFKA_VERSION")
    $(mvn_dep org.apache.kafka connect-file "$KAFKA_VERSION")
    $(mvn_dep org.apache.kafka connect-json "$KAFKA_VERSION")" \
		"Kafka Connect $KAFKA_VERSION" Connect
	[ -f "$lib/connect-runtime-$KAFKA_VERSION.jar" ] || die "connect-runtime jar missing after fetch"
	touch "$marker"
}

case "${1:-}" in
classpath)
	fetch
	mvn_classpath "$lib"
	;;
*)
	echo "usage: $0 classpath" >&2
	exit 2
	;;
esac
