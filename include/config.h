/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NFKAFKA_CONFIG_H
#define NFKAFKA_CONFIG_H

#include <stddef.h>

#include "encode.h"
#include "kafka.h"
#include "log.h"

#define CONFIG_DEFAULT_TOPIC "network-metadata"
#define CONFIG_DEFAULT_PORT 9092
#define CONFIG_DEFAULT_GRACE 60
#define CONFIG_DEFAULT_LEDGER_WINDOWS 288
/* Records per message at most: 10000 typical records are about 1 MB. */
#define CONFIG_BATCH_MAX 10000

/* Everything the command line says, before it is checked against the world. */
struct config {
	char *profile;		/* -M DIR/CHAN[:CHAN...] */
	char *once;		/* --once FILE */
	char *brokers;		/* -b, or -i HOST -p PORT */
	char *host;
	int port;
	char *topic;
	struct kafka_prop *props; /* -X name=value */
	size_t nprops;
	int list_props;		/* -X list */
	char *query;		/* -Q */
	char *nfdump;		/* --nfdump */
	int nfdump_timeout_s;	/* --nfdump-timeout */
	char *key;		/* -k FIELD[,FIELD...] */
	enum encode_values values;
	enum encode_format format;	/* --format cbor|json|avro */
	char *schema_registry;	/* --schema-registry URL */
	char *schema_registry_auth; /* --schema-registry-auth USER:PASSWORD */
	char *timestamp;	/* --timestamp send|window|FIELD */
	char *summary_topic;	/* --summary-topic */
	int interval_s;		/* --interval: nfcapd's -t */
	int rescan_ms;		/* --rescan: look at the disk again; 0 never */
	int future_slack_s;	/* --future-slack */
	enum log_level log_level;
	char *log_file;
	int flush_ms;		/* --flush-timeout */
	char *state;		/* --state FILE */
	int grace_s;		/* --grace */
	char since[16];		/* --since: stamp, "" when not given */
	char replay_from[16];	/* --replay FROM TO */
	char replay_to[16];
	int backoff_min_ms;	/* --backoff-min */
	int backoff_max_ms;	/* --backoff-max */
	char *transactional_id;	/* --transactional-id: exactly-once */
	int backlog_warn_s;	/* --backlog-warn */
	int ledger_windows;	/* --ledger-windows */
	char *config_file;	/* -c */
	char *metrics;		/* --metrics ADDR:PORT */
	int health_backlog;	/* --health-backlog */
	int check_config;	/* --check-config */
	int headers;		/* --headers: an enum export_headers */
	int batch;		/* --batch N: records per message */
	int identity;		/* --identity yes|no */
	char *schema;		/* --schema FORMAT: print it and exit */
	int help;
	int version;
};

/* How an option's argument is read, compared, moved and freed. */
enum config_type {
	CONFIG_STRING,		/* a copy of the text, at most max bytes */
	CONFIG_SECRET,		/* a string; ${env:NAME}, ${file:PATH} read */
	CONFIG_NUMBER,		/* an integer from min to max */
	CONFIG_SECONDS,		/* seconds such as 1.5, kept in milliseconds */
	CONFIG_CHOICE,		/* one of choices' names, kept as its value */
	CONFIG_STAMP,		/* a window time, kept as nfcapd's stamp */
	CONFIG_FLAG,		/* no argument: sets 1 */
	CONFIG_LOUDER,		/* no argument: one log level up */
	CONFIG_QUIETER,		/* no argument: one log level down */
	CONFIG_PROPERTY,	/* -X name=value, or -X list */
	CONFIG_REPLAY,		/* --replay FROM TO: two words */
};

/* What a config file and SIGHUP may do with an option. */
enum config_scope {
	CONFIG_CLI,		/* a mode or action: command line only */
	CONFIG_START,		/* read at start; a reload leaves it be */
	CONFIG_RESTART,		/* a reload warns that it needs a restart */
	CONFIG_RELOAD,		/* a reload applies it from the next window */
};

struct config_choice {
	const char *name;
	int value;
};

/*
 * One row of the options table (src/config_table.c): getopt, the config
 * file's keys, defaults, checks, --help, config_free and SIGHUP read it.
 * Adding an option is a row here plus its entry in nfkafka(8).
 */
struct config_option {
	const char *name;	/* long option and config file key */
	int shortname;		/* 0: none */
	enum config_type type;
	size_t offset;		/* of the value in struct config */
	const char *def;	/* default, read as if given; NULL: none */
	long min, max;		/* a number's range; a string's length */
	const struct config_choice *choices; /* NULL-named last */
	enum config_scope scope;
	const char *arg;	/* the argument in --help; NULL: none */
	const char *hint;	/* what the argument is, for errors */
	const char *help;	/* one line of --help; NULL: man page only */
};

extern const struct config_option config_table[];
extern const size_t config_table_size;

/*
 * Reads the config file named by -c, if any, then the command line over
 * it. 0, or -EINVAL with a one-line reason naming the option (or the file,
 * line and key) in errstr.
 */
int config_parse(int argc, char **argv, struct config *c, char *errstr,
    size_t errlen);
/*
 * The settings of a config file's text (len bytes, NUL-terminated), named
 * path in errors, over what c holds. 0, or -EINVAL as config_parse.
 */
int config_load_string(struct config *c, const char *path, const char *text,
    size_t len, char *errstr, size_t errlen);
void config_free(struct config *c);
void config_usage(void);
/* Whether option o's value differs between a and b. */
int config_changed(const struct config_option *o, const struct config *a,
    const struct config *b);
/* Takes option o's value from from into to (from keeps no copy). */
void config_move(const struct config_option *o, struct config *to,
    struct config *from);

#endif
