# SPDX-License-Identifier: BSD-2-Clause
# nfkafka: plain make, libraries found with pkg-config.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/nfkafka
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
# jemalloc, where installed, serves librdkafka's allocations per message
# about a quarter cheaper than glibc's malloc (README, Performance).
JEMALLOC ?= $(shell $(PKG_CONFIG) --exists jemalloc 2>/dev/null && echo jemalloc)
# libcurl, where installed, lets --format avro reach a schema registry
# (src/registry.c); a build without it refuses --schema-registry.
CURL ?= $(shell $(PKG_CONFIG) --exists libcurl 2>/dev/null && echo libcurl)
LIBS_PC = libuv rdkafka libcbor inih $(CURL) $(JEMALLOC)
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE $(WARN) -Iinclude \
	$(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null) \
	$(if $(CURL),-DNFKAFKA_CURL) $(CFLAGS)
ALL_LDLIBS = $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null) $(LDLIBS)

BUILD ?= build
SRCS = $(wildcard src/*.c)
LIB_SRCS = $(filter-out src/main.c,$(SRCS))
OBJS = $(SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB_OBJS = $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)

UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)

.PHONY: all check unit integration install clean format asan bench deps demo \
	fuzz fuzz-check deb static

BIN ?= nfkafka

all: $(BIN)

$(BIN): $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(ALL_LDLIBS)

$(BUILD)/obj/%.o: src/%.c $(wildcard include/*.h) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj $(BUILD)/unit:
	mkdir -p $@

$(BUILD)/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB_OBJS) | $(BUILD)/unit
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(ALL_LDLIBS) \
		$(shell $(PKG_CONFIG) --libs cmocka)

deps:
	sh tests/setup/deps.sh

unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do $$t || exit 1; done

integration: $(BIN)
	sh tests/run-integration.sh

# Installs what is missing, builds, and runs every test, then the
# sanitizer build's, then the short form on Debian 13.
check: deps
	$(MAKE) all unit
	$(MAKE) integration
	$(MAKE) asan
	$(MAKE) fuzz-check
	$(if $(RELEASE_CHECK),$(MAKE) $(RELEASE_CHECK))

# Build, unit tests, install and a live export checked against nfdump,
# inside a Debian root file system (tests/release.sh; RELEASE=bullseye for
# Debian 11, RELEASE_FORM=full for the whole make check there).
RELEASE ?= trixie
RELEASE_FORM ?= short
# What make check runs last; empty inside a release's root (no nesting).
RELEASE_CHECK ?= release-short
.PHONY: release-short release boxes
release-short:
	sh tests/release.sh trixie short

release:
	sh tests/release.sh $(RELEASE) $(RELEASE_FORM)

# Every other box, outside make check for time (README, Systems tested):
# Debian 11's short form, the static executable in Debian 11 and in an
# empty root, and the package's install, upgrade and purge on Debian 13.
boxes:
	sh tests/release.sh bullseye short
	sh tests/release.sh bullseye static
	sh tests/release.sh trixie deb

# Times nfkafka against nfdump alone, the shell pipe and the cron script on
# cached real windows and a real broker; see bench/README.md.
bench: all
	sh bench/run.sh $(BENCH_ARGS)

ASAN = BUILD=build/asan BIN=build/asan/nfkafka JEMALLOC= \
	CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

# ASan+UBSan: the unit tests, then the real binary through the --once and
# bad-input integration tests (leaks fail them: nfkafka exits non-zero).
asan:
	$(MAKE) $(ASAN) all unit
	NFKAFKA_BIN=build/asan/nfkafka sh tests/run-integration.sh \
		tests/integration/test_bad_*.py tests/integration/test_secrets.py \
		tests/integration/test_once.py \
		-k "not large"

# libFuzzer targets (clang) for every parser of outside input, built with
# ASan+UBSan. Each starts from its committed seed corpus in
# tests/fuzz/corpus/NAME; what it finds new goes to build/fuzz/corpus/NAME,
# a crash to build/fuzz/crash-NAME-*. `make fuzz` runs each FUZZ_SECONDS,
# `make fuzz-check` (part of check) FUZZ_CHECK_SECONDS.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 10
FUZZ_NAMES = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS = $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_SAN = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_OBJS = $(LIB_SRCS:src/%.c=$(BUILD)/fuzz/obj/%.o)
# Kept between runs: make would delete them as intermediate files.
.SECONDARY: $(FUZZ_OBJS)

$(BUILD)/fuzz/obj/%.o: src/%.c $(wildcard include/*.h) | $(BUILD)/fuzz/obj
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_OBJS) $(ALL_LDLIBS)

$(BUILD)/fuzz/obj:
	mkdir -p $@

.PHONY: fuzz-bins
fuzz-bins: $(FUZZ_BINS)

fuzz: fuzz-bins
	@sh tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-check: fuzz-bins
	@sh tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_CHECK_SECONDS) $(FUZZ_NAMES)

# The Debian package (contrib/debian, contrib/deb.sh): build/deb/*.deb.
deb:
	sh contrib/deb.sh

# One static executable for any x86_64 Linux (contrib/static.sh): musl,
# with OpenSSL, librdkafka, libuv, libcbor and libinih from Debian's source
# packages, built once into ~/.cache/nfkafka/static.
static:
	sh contrib/static.sh nfkafka-static

# Runs nfkafka live on local services and shows the records it sends.
demo:
	sh contrib/demo.sh

CONTRIB_DOCS = $(wildcard contrib/*.conf contrib/*.md)

install: nfkafka
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DOCDIR)/contrib $(DESTDIR)$(SYSTEMDDIR)
	install -m 755 nfkafka $(DESTDIR)$(BINDIR)/nfkafka
	install -m 644 man/nfkafka.8 $(DESTDIR)$(MANDIR)/man8/nfkafka.8
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 644 $(CONTRIB_DOCS) $(DESTDIR)$(DOCDIR)/contrib/
	sed 's|/usr/local/bin/nfkafka|$(BINDIR)/nfkafka|' contrib/nfkafka.service \
		>$(DESTDIR)$(SYSTEMDDIR)/nfkafka.service
	chmod 644 $(DESTDIR)$(SYSTEMDDIR)/nfkafka.service

format:
	clang-format -i src/*.c include/*.h tests/unit/*.c

clean:
	rm -rf build nfkafka nfkafka-static
