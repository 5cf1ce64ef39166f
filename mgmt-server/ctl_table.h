/* ctl_table: sixcastctl's human output. Tables with a header, columns as
 * wide as their widest cell (counted in characters, not bytes, so names in
 * UTF-8 line up), numbers aligned right, over-long cells cut with "~";
 * and the small value formats the tables use (rates, ages, bit rates). */
#ifndef CTL_TABLE_H
#define CTL_TABLE_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

typedef struct ctl_table ctl_table;

/* A table with ncols columns (at most 16). headers: ncols strings, copied;
 * NULL for a table without a header line (key/value lists).
 * align: one character per column, 'l' or 'r'; NULL = all left. Returns
 * NULL when out of memory or ncols is 0 or too large. */
ctl_table *ctl_table_new(size_t ncols, const char *const *headers, const char *align);
void ctl_table_free(ctl_table *t);

/* Cut cells of column col to at most width characters (0 = no limit). */
void ctl_table_set_max(ctl_table *t, size_t col, size_t width);

/* Start a new row; then add its cells left to right with ctl_table_put
 * (missing cells print empty, extra ones are dropped). Returns 0 or
 * -ENOMEM. */
int ctl_table_row(ctl_table *t);
int ctl_table_put(ctl_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

size_t ctl_table_rows(const ctl_table *t);

/* Print the header and the rows; columns two spaces apart, no trailing
 * blanks. Returns 0 or -EIO. */
int ctl_table_print(const ctl_table *t, FILE *f);

/* The number of characters (UTF-8 code points) of s. */
size_t ctl_text_width(const char *s);

/* Value formats. Each writes into buf (len bytes, always terminated) and
 * returns buf. */
/* A ratio 0..1 as a percentage with sensible digits: "0%", "0.0022%",
 * "0.13%", "98.3%", "100%". */
char *ctl_fmt_rate(double r, char *buf, size_t len);
/* How long ago then_ms was, seen at now_ms: "now", "12s", "5m", "3h", "4d";
 * "-" when then_ms is 0. */
char *ctl_fmt_ago(int64_t now_ms, int64_t then_ms, char *buf, size_t len);
/* A duration in seconds: "45s", "12m30s", "3h05m", "2d04h". */
char *ctl_fmt_duration(int64_t s, char *buf, size_t len);
/* Bits per second: "950 b/s", "16.0 Mb/s", "1.25 Gb/s". */
char *ctl_fmt_bps(double bps, char *buf, size_t len);
/* Wall-clock milliseconds as UTC "2026-11-21 06:14:09.123". */
char *ctl_fmt_time(int64_t ms, char *buf, size_t len);

#endif
