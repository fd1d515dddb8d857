/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value "max" (no limit) as cgroupfs writes it; also what dbc_size_parse()
 * returns for the word "max". */
#define DBC_SIZE_MAX UINT64_MAX

/* Longest string dbc_size_format() / dbc_duration_format() write, with NUL. */
#define DBC_FORMAT_MAX 32

/* Where a parse went wrong: the bad token of the input (offset and length
 * in bytes) and why, as a phrase ("unknown unit"), for messages of the form
 * `invalid size "1.5Q": unknown unit "Q"`. */
struct dbc_token {
        size_t offset;
        size_t len;
        const char *why;        /* static */
};

/* A size as given: bytes, or a share of physical memory. */
struct dbc_size {
        uint64_t bytes;         /* DBC_SIZE_MAX for "max"/"infinity"; 0 for a percentage */
        uint32_t permyriad;     /* "N%" given: N * 100 (0..10000); 0 with bytes */
        bool percent;           /* a percentage was given */
};

enum {
        DBC_SIZE_ALLOW_PERCENT = 1 << 0,        /* memory.max and memory.high */
};

/* Parse a size the way systemd parses MemoryMax=: a decimal number with an
 * optional fraction ("1.5G") and a unit B, K, M, G, T, P or E (powers of
 * 1024; none means bytes), several such in decreasing units summed ("1G
 * 512M"; a blank between them required, so "1E3" is refused, not read as
 * 1E + 3 bytes), blanks around them allowed; or "max" / "infinity"; or, with
 * DBC_SIZE_ALLOW_PERCENT, "N%" (up to two decimals, at most 100%).
 * Fractions are rounded down to whole bytes; a fraction of bytes is refused
 * ("1.5B"; "1.0B" is one byte).
 * Returns 0; -EINVAL on garbage, -ERANGE on overflow or above 100%, -EDOM
 * for a percentage where none is allowed; bad (may be NULL) says which token
 * and why. *ret is written only on success. */
int dbc_size_parse_full(const char *s, unsigned flags, struct dbc_size *ret, struct dbc_token *bad);

/* dbc_size_parse_full() without percentages, for a plain byte count. */
int dbc_size_parse(const char *s, uint64_t *ret);

/* The bytes a size stands for, with physical bytes of memory for a
 * percentage (rounded down). */
uint64_t dbc_size_resolve(const struct dbc_size *sz, uint64_t physical);

/* "50%", "37.5%", "12.34%": a share as "N%" reads it. Returns buf. */
const char *dbc_percent_format(uint32_t permyriad, char buf[static DBC_FORMAT_MAX]);

/* Physical memory in bytes: MemTotal of PROC_ROOT/meminfo (proc_root NULL:
 * /proc). Returns 0, -errno of the read, -EINVAL when MemTotal is missing
 * or malformed. */
int dbc_physical_memory(const char *proc_root, uint64_t *ret);

/* Human form: "max", "0B", "4.0K", "1.5M", ... (one decimal below 10 units,
 * none above; exact byte counts below 1024 print as "123B").
 * Returns the buffer. buf must hold DBC_FORMAT_MAX bytes. */
const char *dbc_size_format(uint64_t bytes, char buf[static DBC_FORMAT_MAX]);

enum {
        /* a number without a unit is seconds, as systemd reads time spans
         * ("30", "1min 30"): the command line (top -d). Without it a unit is
         * required: configuration keys, where "interval = 500" would
         * otherwise sample every 8 minutes without a word. */
        DBC_DURATION_BARE_SECONDS = 1 << 0,
};

/* The longest duration taken, 24h: every duration is an interval, a grace
 * or a cooldown of a daemon that samples every second, and a cap keeps the
 * deadline arithmetic (in microseconds) far from wrapping. */
#define DBC_DURATION_MAX_MS (UINT64_C(24) * 3600 * 1000)

/* Durations the way systemd parses time spans, in whole milliseconds: one or
 * more decimal numbers (fractions allowed) each with a unit, summed
 * ("1min 30s", "1h30min", "2.5s"; blanks between allowed). Units: us (usec),
 * ms (msec), s (sec, second, seconds), min (m, minute, minutes), h (hr,
 * hour, hours); none: seconds with DBC_DURATION_BARE_SECONDS, else an error.
 * Returns 0; -EINVAL on garbage or a missing or unknown unit, -ERANGE above
 * DBC_DURATION_MAX_MS, -EDOM when the sum is not a whole number of milliseconds; bad
 * (may be NULL) names the token. */
int dbc_duration_parse_full(const char *s, unsigned flags, uint64_t *ret_ms, struct dbc_token *bad);
/* Without flags: a unit required. */
int dbc_duration_parse(const char *s, uint64_t *ret_ms);

/* The why and the token of bad in s: `unknown unit "Q"`, the token escaped
 * as dbc_escape_text() does (it may be a user's raw argument). Returns
 * buf. */
const char *dbc_token_describe(const char *s, const struct dbc_token *bad, char *buf, size_t size);

/* "250ms", "2s", "10min", "2h", "90s": the largest unit that divides exactly. */
const char *dbc_duration_format(uint64_t ms, char buf[static DBC_FORMAT_MAX]);

/* The decimal value of the bytes [p, end): at least one digit and nothing
 * else. Returns 0, -EINVAL, or -ERANGE beyond 64 bits. The one digit loop of
 * the library: memory.stat, memory.events and fdinfo values go through it. */
int dbc_parse_u64_range(const char *p, const char *end, uint64_t *ret);

/* Parse a plain unsigned decimal 64-bit integer (no sign, no spaces).
 * Returns 0, -EINVAL, -ERANGE. */
int dbc_parse_u64(const char *s, uint64_t *ret);

/* Like dbc_parse_u64() but accepts "max" as DBC_SIZE_MAX (cgroupfs limit
 * files). A trailing newline is accepted. */
int dbc_parse_limit(const char *s, uint64_t *ret);
