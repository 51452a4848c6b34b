/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tool's one JSON writer.  A struct jw tracks nesting so that commas
 * come by themselves: jw_key() before each member of an object, a value
 * call for each element of an array.  64-bit kernel addresses go out as
 * hex strings (jw_hex), since JSON readers such as jq keep numbers as
 * doubles and would round them.
 */
#ifndef GOTRACE_JSON_H
#define GOTRACE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH	16

struct jw {
	FILE *f;
	bool spaced;		/* ", " and ": ", else "," and ":" */
	int depth;
	bool want_comma[JW_MAX_DEPTH];
	bool after_key;
};

/* spaced: ", " and ": " between items (as Python's json.dumps), else none */
void jw_init(struct jw *w, FILE *f, bool spaced);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_u64(struct jw *w, uint64_t v);
void jw_s64(struct jw *w, int64_t v);
void jw_double(struct jw *w, const char *fmt, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_str(struct jw *w, const char *s);		/* NULL: null */
void jw_strn(struct jw *w, const char *s, size_t n);	/* up to a NUL */
void jw_hex(struct jw *w, uint64_t v);			/* "0x..." */
/* Nanoseconds as microseconds, exactly: -1234 goes out as -1.234 */
void jw_ns_as_us(struct jw *w, int64_t ns);
/* A value that is JSON text already (e.g. one rendered once and kept) */
void jw_raw(struct jw *w, const char *json);
/*
 * Before an array element: its comma and a newline, so that a long
 * array streams out one element a line.
 */
void jw_next_line(struct jw *w);

/* An object member: the key, then the value. */
void jw_kv_u64(struct jw *w, const char *key, uint64_t v);
void jw_kv_s64(struct jw *w, const char *key, int64_t v);
void jw_kv_bool(struct jw *w, const char *key, bool v);
void jw_kv_str(struct jw *w, const char *key, const char *s);

/*
 * The string s (at most n bytes, up to a NUL) as a JSON string, quotes
 * included: for code that writes the rest of its JSON itself.  Bytes are
 * not UTF-8: each control or non-ASCII byte is its own \u00XX; so are <, >
 * and &, so that the JSON can sit in an HTML <script> as it is.
 */
void json_write_str(FILE *f, const char *s, size_t n);

#endif /* GOTRACE_JSON_H */
