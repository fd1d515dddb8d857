/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The value "max" (no limit) as cgroupfs writes it; also what dbc_size_parse()
 * returns for the word "max". */
#define DBC_SIZE_MAX UINT64_MAX

/* Longest string dbc_size_format() / dbc_duration_format() write, with NUL. */
#define DBC_FORMAT_MAX 32

/* Parse a size: decimal bytes, optionally followed by K, M, G or T (powers of
 * 1024; a trailing "B"/"iB" is not accepted), or the word "max".
 * Returns 0, -EINVAL on garbage, -ERANGE on overflow. */
int dbc_size_parse(const char *s, uint64_t *ret);

/* Human form: "max", "0B", "4.0K", "1.5M", ... (one decimal below 10 units,
 * none above; exact byte counts below 1024 print as "123B").
 * Returns the buffer. buf must hold DBC_FORMAT_MAX bytes. */
const char *dbc_size_format(uint64_t bytes, char buf[static DBC_FORMAT_MAX]);

/* Durations: a decimal number with a unit "ms", "s" or "min" (a bare number
 * is an error: units are never guessed). Result in milliseconds.
 * Returns 0, -EINVAL on garbage or a missing unit, -ERANGE on overflow. */
int dbc_duration_parse(const char *s, uint64_t *ret_ms);

/* "250ms", "2s", "10min", "90s": the largest unit that divides exactly. */
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
