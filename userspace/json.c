// SPDX-License-Identifier: GPL-2.0
/*
 * The tool's one JSON writer (json.h).
 */
#include <inttypes.h>

#include "json.h"

void json_write_str(FILE *f, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	putc('"', f);
	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc(c, f);
		} else if (c < 0x20 || c >= 0x7f || c == '<' || c == '>' ||
			   c == '&') {
			fputs("\\u00", f);
			putc(hex[c >> 4], f);
			putc(hex[c & 15], f);
		} else {
			putc(c, f);
		}
	}
	putc('"', f);
}

void jw_init(struct jw *w, FILE *f, bool spaced)
{
	w->f = f;
	w->comma = spaced ? ", " : ",";
	w->colon = spaced ? ": " : ":";
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
	if (w->want_comma[w->depth])
		fputs(w->comma, w->f);
	w->want_comma[w->depth] = true;
}

static void open_(struct jw *w, char c)
{
	value_start(w);
	putc(c, w->f);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->want_comma[w->depth] = false;
}

static void close_(struct jw *w, char c)
{
	putc(c, w->f);
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
	fputs(w->colon, w->f);
	w->after_key = true;
}

void jw_u64(struct jw *w, uint64_t v)
{
	value_start(w);
	fprintf(w->f, "%" PRIu64, v);
}

void jw_s64(struct jw *w, int64_t v)
{
	value_start(w);
	fprintf(w->f, "%" PRId64, v);
}

void jw_double(struct jw *w, const char *fmt, double v)
{
	value_start(w);
	fprintf(w->f, fmt, v);
}

void jw_bool(struct jw *w, bool v)
{
	value_start(w);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w)
{
	value_start(w);
	fputs("null", w->f);
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
	value_start(w);
	fprintf(w->f, "\"0x%" PRIx64 "\"", v);
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
