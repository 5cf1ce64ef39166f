/* ctl_table: text tables and value formats for sixcastctl. See ctl_table.h. */
#include "config.h"

#include "ctl_table.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_COLS 16

struct ctl_table {
	size_t ncols;
	char *head[MAX_COLS];
	char align[MAX_COLS];
	size_t max[MAX_COLS];
	char **cells; /* nrows * ncols, NULL = empty */
	size_t nrows, cap, col;
	bool head_shown;
};

ctl_table *ctl_table_new(size_t ncols, const char *const *headers, const char *align)
{
	ctl_table *t;

	if (ncols == 0 || ncols > MAX_COLS)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->head_shown = headers != NULL;
	for (size_t c = 0; c < ncols; c++) {
		t->head[c] = strdup(headers && headers[c] ? headers[c] : "");
		t->align[c] = align && align[c] == 'r' ? 'r' : 'l';
		if (!t->head[c]) {
			ctl_table_free(t);
			return NULL;
		}
	}
	return t;
}

void ctl_table_free(ctl_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	for (size_t c = 0; c < t->ncols; c++)
		free(t->head[c]);
	free(t);
}

void ctl_table_set_max(ctl_table *t, size_t col, size_t width)
{
	if (col < t->ncols)
		t->max[col] = width;
}

int ctl_table_row(ctl_table *t)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));

		if (!c)
			return -ENOMEM;
		t->cells = c;
		t->cap = cap;
	}
	memset(t->cells + t->nrows * t->ncols, 0, t->ncols * sizeof(*t->cells));
	t->nrows++;
	t->col = 0;
	return 0;
}

int ctl_table_put(ctl_table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (t->nrows == 0 || t->col >= t->ncols)
		return 0;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	t->cells[(t->nrows - 1) * t->ncols + t->col++] = s;
	return 0;
}

size_t ctl_table_rows(const ctl_table *t)
{
	return t->nrows;
}

size_t ctl_text_width(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The byte length of the first w characters of s. */
static size_t prefix_bytes(const char *s, size_t w)
{
	size_t i = 0;

	while (s[i] && w) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		w--;
	}
	return i;
}

static size_t cell_width(const ctl_table *t, size_t c, const char *s)
{
	size_t w = ctl_text_width(s);

	return t->max[c] && w > t->max[c] ? t->max[c] : w;
}

static void print_cell(const ctl_table *t, size_t c, const char *s, size_t width, bool last, FILE *f)
{
	size_t w = ctl_text_width(s), pad;

	if (!s)
		s = "";
	if (t->max[c] && w > t->max[c]) {
		size_t keep = t->max[c] > 1 ? t->max[c] - 1 : 0;

		fwrite(s, 1, prefix_bytes(s, keep), f);
		fputc('~', f);
		w = keep + 1;
		s = "";
	}
	pad = width > w ? width - w : 0;
	if (t->align[c] == 'r')
		for (size_t i = 0; i < pad; i++)
			fputc(' ', f);
	fputs(s, f);
	if (t->align[c] != 'r' && !last)
		for (size_t i = 0; i < pad; i++)
			fputc(' ', f);
	fputs(last ? "\n" : "  ", f);
}

int ctl_table_print(const ctl_table *t, FILE *f)
{
	size_t width[MAX_COLS];

	for (size_t c = 0; c < t->ncols; c++) {
		width[c] = t->head_shown ? cell_width(t, c, t->head[c]) : 0;
		for (size_t r = 0; r < t->nrows; r++) {
			const char *s = t->cells[r * t->ncols + c];
			size_t w = cell_width(t, c, s);

			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t c = 0; t->head_shown && c < t->ncols; c++)
		print_cell(t, c, t->head[c], width[c], c + 1 == t->ncols, f);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			print_cell(t, c, t->cells[r * t->ncols + c], width[c], c + 1 == t->ncols, f);
	return ferror(f) ? -EIO : 0;
}

char *ctl_fmt_rate(double r, char *buf, size_t len)
{
	double p = r * 100.0;

	if (!(p > 0))
		snprintf(buf, len, "0%%");
	else if (p >= 99.995 && p <= 100.0)
		snprintf(buf, len, "100%%");
	else if (p >= 10)
		snprintf(buf, len, "%.1f%%", p);
	else if (p >= 1)
		snprintf(buf, len, "%.2f%%", p);
	else
		snprintf(buf, len, "%.2g%%", p);
	return buf;
}

char *ctl_fmt_duration(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
	return buf;
}

char *ctl_fmt_ago(int64_t now_ms, int64_t then_ms, char *buf, size_t len)
{
	int64_t s = (now_ms - then_ms) / 1000;

	if (then_ms <= 0)
		snprintf(buf, len, "-");
	else if (s <= 0)
		snprintf(buf, len, "now");
	else if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, len, "%lldd", (long long)(s / 86400));
	return buf;
}

char *ctl_fmt_bps(double bps, char *buf, size_t len)
{
	static const char *const unit[] = { "b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s" };
	unsigned u = 0;

	if (!(bps > 0))
		bps = 0;
	while (bps >= 1000 && u < 4) {
		bps /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f %s", bps, unit[u]);
	else
		snprintf(buf, len, bps < 10 ? "%.2f %s" : bps < 100 ? "%.1f %s" : "%.0f %s", bps, unit[u]);
	return buf;
}

char *ctl_fmt_time(int64_t ms, char *buf, size_t len)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !gmtime_r(&s, &tm)) {
		snprintf(buf, len, "-");
		return buf;
	}
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return buf;
}
