#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs each libFuzzer target for SECONDS from its committed seed corpus.
# New inputs go to DIR/corpus/NAME (the committed corpus stays as it is), a
# crash to DIR/crash-NAME-*; the first target that fails fails the run.
# usage: run.sh DIR SECONDS NAME...
set -eu
dir=$1 seconds=$2
shift 2
here=$(dirname "$0")
failed=0
for name in "$@"; do
	mkdir -p "$dir/corpus/$name"
	printf 'fuzz %s: %ss ... ' "$name" "$seconds"
	# rss_limit: a parser must not need more than a few hundred MB.
	if "$dir/fuzz_$name" -max_total_time="$seconds" -rss_limit_mb=1024 \
	    -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$dir/crash-$name-" \
	    "$dir/corpus/$name" "$here/corpus/$name" >"$dir/fuzz_$name.log" 2>&1
	then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    "$dir/fuzz_$name.log")
		echo "ok ($runs runs)"
	else
		echo "FAILED; see $dir/fuzz_$name.log"
		tail -n 30 "$dir/fuzz_$name.log"
		failed=$((failed + 1))
	fi
done
passed=$(( $# - failed ))
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
