// SPDX-License-Identifier: GPL-2.0
/*
 * The tool's one JSON writer (json.h).
 */
#include <inttypes.h>

#include "json.h"

/*
 * A writer is its FILE's one user while it writes, and converters stream
 * hundreds of megabytes through it: the unlocked stdio calls, and numbers
 * formatted here, keep that as fast as one fprintf per event was.
 */
static inline void out_c(FILE *f, char c)
{
	putc_unlocked(c, f);
}

static inline void out_s(FILE *f, const char *s)
{
	fputs_unlocked(s, f);
}

static void out_u64(FILE *f, uint64_t v)
{
	char buf[20];
	int i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite_unlocked(buf + i, 1, sizeof(buf) - i, f);
}

static void out_s64(FILE *f, int64_t v)
{
	if (v < 0) {
		out_c(f, '-');
		out_u64(f, -(uint64_t)v);
	} else {
		out_u64(f, (uint64_t)v);
	}
}

static bool needs_escape(unsigned char c)
{
	return c == '"' || c == '\\' || c < 0x20 || c >= 0x7f || c == '<' ||
	       c == '>' || c == '&';
}

void json_write_str(FILE *f, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run;

	out_c(f, '"');
	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		/* the bytes that need no escape in one write: converters stream a lot */
		for (run = 0; i + run < n && s[i + run] &&
		     !needs_escape((unsigned char)s[i + run]); run++)
			;
		if (run) {
			fwrite_unlocked(s + i, 1, run, f);
			i += run - 1;
			continue;
		}
		if (c == '"' || c == '\\') {
			out_c(f, '\\');
			out_c(f, c);
		} else if (c < 0x20 || c >= 0x7f || c == '<' || c == '>' ||
			   c == '&') {
			out_s(f, "\\u00");
			out_c(f, hex[c >> 4]);
			out_c(f, hex[c & 15]);
		} else {
			out_c(f, c);
		}
	}
	out_c(f, '"');
}

void jw_init(struct jw *w, FILE *f, bool spaced)
{
	w->f = f;
	w->spaced = spaced;
	w->depth = 0;
	w->want_comma[0] = false;
	w->after_key = false;
}

/* Before a value: the comma of an array element (a member's came with its key). */
static void value_start(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->want_comma[w->depth]) {
		out_c(w->f, ',');
		if (w->spaced)
			out_c(w->f, ' ');
	}
	w->want_comma[w->depth] = true;
}

static void open_(struct jw *w, char c)
{
	value_start(w);
	out_c(w->f, c);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->want_comma[w->depth] = false;
}

static void close_(struct jw *w, char c)
{
	out_c(w->f, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj_begin(struct jw *w)
{
	open_(w, '{');
}

void jw_obj_end(struct jw *w)
{
	close_(w, '}');
}

void jw_arr_begin(struct jw *w)
{
	open_(w, '[');
}

void jw_arr_end(struct jw *w)
{
	close_(w, ']');
}

void jw_key(struct jw *w, const char *key)
{
	value_start(w);
	json_write_str(w->f, key, (size_t)-1);
	out_c(w->f, ':');
	if (w->spaced)
		out_c(w->f, ' ');
	w->after_key = true;
}

void jw_u64(struct jw *w, uint64_t v)
{
	value_start(w);
	out_u64(w->f, v);
}

void jw_s64(struct jw *w, int64_t v)
{
	value_start(w);
	out_s64(w->f, v);
}

void jw_double(struct jw *w, const char *fmt, double v)
{
	value_start(w);
	fprintf(w->f, fmt, v);
}

void jw_bool(struct jw *w, bool v)
{
	value_start(w);
	out_s(w->f, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	value_start(w);
	out_s(w->f, "null");
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, (size_t)-1);
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	value_start(w);
	json_write_str(w->f, s, n);
}

void jw_hex(struct jw *w, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char buf[20];
	int i = sizeof(buf);

	buf[--i] = '"';
	do {
		buf[--i] = hex[v & 15];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	buf[--i] = '"';
	value_start(w);
	fwrite_unlocked(buf + i, 1, sizeof(buf) - i, w->f);
}

void jw_ns_as_us(struct jw *w, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	value_start(w);
	if (ns < 0)
		out_c(w->f, '-');
	out_u64(w->f, a / 1000);
	out_c(w->f, '.');
	out_c(w->f, (char)('0' + a % 1000 / 100));
	out_c(w->f, (char)('0' + a % 100 / 10));
	out_c(w->f, (char)('0' + a % 10));
}

void jw_raw(struct jw *w, const char *json)
{
	value_start(w);
	out_s(w->f, json);
}

void jw_next_line(struct jw *w)
{
	value_start(w);
	out_c(w->f, '\n');
	/* the element that follows has had its comma */
	w->after_key = true;
}

void jw_kv_s64(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_s64(w, v);
}

void jw_kv_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_u64(w, v);
}

void jw_kv_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_kv_str(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}
