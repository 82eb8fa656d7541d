/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_DIALECT_H
#define NFKAFKA_DIALECT_H

#include <stddef.h>
#include <stdint.h>

/*
 * What the nfdump in use prints and how its runs end. nfdump's output
 * changed between versions (1.7.5 dropped csv's summary and added csv-fast
 * and csv:<tokens>), so nfkafka asks it for its version once at start and
 * judges every run by that version's rules.
 */

/* Versions as one number: 1.7.8 is 10708. */
#define DIALECT_V(a, b, c) ((a) * 10000 + (b) * 100 + (c))
/* The first nfdump with csv-fast, csv:<tokens> and a csv without summary. */
#define DIALECT_CSV_MODES DIALECT_V(1, 7, 5)
/* 1.7.5 alone prints -A only as its own csv; 1.7.6 on print the query's. */
#define DIALECT_USER_AGGR DIALECT_V(1, 7, 6)

struct dialect {
	int version;		/* DIALECT_V(...); 0 when not understood */
	char text[96];		/* what nfdump -V said its version is */
	char name[128];		/* for messages: dialect_name() */
};

/* How the query's output is printed. */
enum dialect_mode {
	DIALECT_FMT,		/* -o fmt:%tokens */
	DIALECT_CSV,		/* -o csv: columns named by its header line */
	DIALECT_CSV_TOKENS,	/* -o csv:%tokens (1.7.5) */
	DIALECT_CSV_FAST,	/* -o csv-fast, fixed columns (1.7.5) */
};

/* What one line of nfdump's stdout is. */
enum dialect_line {
	DIALECT_RECORD,
	DIALECT_HEADER,		/* the first line: column titles */
	DIALECT_USAGE,		/* its usage text: the query is not understood */
	DIALECT_SUMMARY,	/* the summary; what follows it is no record */
	DIALECT_NO_FLOWS,	/* "No matching flows": an empty window */
	DIALECT_BLANK,
};

/* How a run ended, as the exporter saw it. */
struct dialect_end {
	int status;		/* exit status, or NFDUMP_SIGNALLED + signal */
	const char *errtext;	/* the start of its stderr, "" if none */
	int header;		/* a first line arrived */
	int usage;		/* it printed its usage */
	int summary;		/* it printed its summary */
	const char *firstline;	/* its first line on stdout; may be NULL */
};

/*
 * Runs "nfdump -V" and reads its version; -EINVAL with errstr when nfdump
 * cannot be run or does not answer within a few seconds. A version it
 * prints but nfkafka does not recognise leaves version 0: the strictest
 * rules (those of 1.7.1) apply to it.
 */
int dialect_detect(const char *nfdump, struct dialect *d, char *errstr,
    size_t errlen);
/* Reads the version out of nfdump -V's output; -EINVAL if none is there. */
int dialect_parse(const char *text, struct dialect *d);
/* A dialect for a version number, as tests and the token table need. */
struct dialect dialect_of(int version);
int dialect_at_least(const struct dialect *d, int version);
/* The version as it reads in messages: "1.7.8", or "unknown (...)". */
const char *dialect_name(const struct dialect *d);
/* nfdump's getopt string: which options take an argument. */
const char *dialect_optstring(const struct dialect *d);
/*
 * Whether -o mode can be used with this nfdump; NULL, or why not.
 * aggregated: the query has -A.
 */
const char *dialect_refuses(const struct dialect *d, enum dialect_mode mode,
    int aggregated);
/* Whether this version ends output of this mode with a summary. */
int dialect_has_summary(const struct dialect *d, enum dialect_mode mode);
/* The line of the summary, counted from 0, that holds nfdump's totals. */
int dialect_totals_line(const struct dialect *d, enum dialect_mode mode);
/* Sorts line number lineno (0 is the first) of nfdump's stdout. */
enum dialect_line dialect_classify(uint64_t lineno, const char *line,
    size_t len);
/*
 * Whether a run ended cleanly: 0, or -EIO with one line in why. relfile
 * names the window's file in the message.
 */
int dialect_verdict(const struct dialect *d, enum dialect_mode mode,
    const struct dialect_end *end, const char *relfile, char *why,
    size_t whylen);
/*
 * Whether nfdump accepted the query, judged from a run on an empty file
 * named file: its exit status and all it wrote (stdout and stderr). 0 when
 * it did; -EINVAL when it refused the query, with nfdump's own first line
 * in why.
 */
int dialect_probe_verdict(int status, const char *out, const char *file,
    char *why, size_t whylen);
#endif
