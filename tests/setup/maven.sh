# SPDX-License-Identifier: BSD-2-Clause
# Sourced (POSIX sh) by kafka.sh, connect.sh and registry.sh: the one way
# they fetch jars from Maven Central with mvn, into a throw-away directory
# $tmp (a pom, mvn's log) that goes when the script exits. The sourcing
# script sets $me, the name its messages start with.

# Pinned: Maven 3.8's default dependency plugin (2.8) is too old to trust.
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

die() { echo "$me: $*" >&2; exit 1; }

# Starts a fetch into the cache directory $1, emptied first (also of what
# was made from an earlier fetch's jars), creating $2 below it.
mvn_begin() {
	command -v mvn >/dev/null || die "mvn not found (run tests/setup/deps.sh)"
	rm -rf "$1"
	mkdir -p "$2"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
}

# Runs mvn quietly with arguments $2...; on failure prints the tail of its
# log without colours and dies saying it could not fetch $1.
mvn_run() {
	what=$1
	shift
	# -U: retry artifacts whose earlier download failed instead of trusting
	# the failure Maven cached in ~/.m2.
	mvn -q -B -U "$@" >"$tmp/mvn.log" 2>&1 || {
		sed 's/\x1b\[[0-9;]*m//g' "$tmp/mvn.log" | tail -n 30 >&2
		die "mvn could not fetch $what"
	}
}

# One <dependency> of a pom: groupId $1, artifactId $2, version $3.
mvn_dep() {
	echo "<dependency><groupId>$1</groupId><artifactId>$2</artifactId><version>$3</version></dependency>"
}

# Writes $tmp/pom.xml, artifact $1, with the <dependency> elements $2.
mvn_pom() {
	cat >"$tmp/pom.xml" <<EOP
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>nfkafka.test</groupId><artifactId>$1</artifactId>
  <version>1</version><packaging>pom</packaging>
  <dependencies>
    $2
  </dependencies>
</project>
EOP
}

# Copies the runtime dependencies of the pom into directory $1; $2 names
# them in the error.
mvn_copy_deps() {
	mvn_run "$2" -f "$tmp/pom.xml" "$DEP_PLUGIN:copy-dependencies" \
		-DincludeScope=runtime -DoutputDirectory="$1"
}

# Copies the runtime dependencies $2 (artifact $1 of the pom) into $lib and
# adds the slf4j binding Kafka's own distribution ships, slf4j-reload4j,
# at the slf4j-api version they pulled (so learnt first). $3 names them in
# mvn's error, $4 in the one about a missing slf4j-api.
mvn_copy_with_binding() {
	mvn_pom "$1" "$2"
	mvn_copy_deps "$lib" "$3"
	api=$(ls "$lib" | sed -n 's/^slf4j-api-\(.*\)\.jar$/\1/p')
	[ -n "$api" ] || die "no slf4j-api among $4's dependencies"
	mvn_pom "$1" "$2
    $(mvn_dep org.slf4j slf4j-reload4j "$api")"
	mvn_copy_deps "$lib" "$3"
}

# The jars in directory $1 as a classpath.
mvn_classpath() {
	ls "$1"/*.jar | tr '\n' ':' | sed 's/:$/\n/'
}
