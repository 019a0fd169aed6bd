/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemons' log lines, one format for all of them:
 *
 *   2026-12-03T12:00:00.123Z nmsd[est] warn: EST from 10.0.0.9 refused: ...
 *
 * time (RFC 3339, UTC, milliseconds), program, [component], level, text.
 * Under systemd (JOURNAL_STREAM names our stderr) the journal stamps the
 * time and keeps the priority, so the line is "<4>est: ..." instead:
 * sd-daemon(3)'s priority prefix, which journald turns into PRIORITY=.
 */
#ifndef TR_LOG_H
#define TR_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* syslog(3)'s priorities, so the journal's prefix is the number. */
enum tr_log_level {
	TR_LOG_ERR = 3,
	TR_LOG_WARN = 4,
	TR_LOG_NOTICE = 5,
	TR_LOG_INFO = 6,
	TR_LOG_DEBUG = 7,
};

/* "2026-12-03T12:00:00.123Z" and its NUL. */
#define TR_TIME_LEN 25

/* @ms since the epoch as RFC 3339 in UTC with milliseconds; returns @out. */
char *tr_time_rfc3339(int64_t ms, char out[TR_TIME_LEN]);
/* Seconds since the epoch, the same way without the fraction ("...:00Z"). */
char *tr_time_rfc3339_s(int64_t s, char out[TR_TIME_LEN]);
/* The wall clock in ms since the epoch. */
int64_t tr_now_ms(void);

/* The program's name in every line ("nmsd"); checks JOURNAL_STREAM. */
void tr_log_init(const char *program);
/* Whether lines are for the journal ("<N>" prefixes, no time). */
bool tr_log_journal(void);
/* Where lines go (stderr unless set; for tests), and whether they are
 * for the journal. */
void tr_log_set_stream(FILE *f, bool journal);

/*
 * One line into @buf (the newline included): the pure part of tr_log,
 * for tests. Returns the length, truncated lines ending "...\n".
 */
size_t tr_log_format(char *buf, size_t len, bool journal, int64_t ms,
		     const char *program, const char *component,
		     enum tr_log_level lv, const char *fmt, va_list ap)
	__attribute__((format(printf, 8, 0)));

/* One line, written at once (lines of threads do not mix). */
void tr_log(enum tr_log_level lv, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tr_vlog(enum tr_log_level lv, const char *component, const char *fmt,
	     va_list ap) __attribute__((format(printf, 3, 0)));

/* "err", "warn", "notice", "info", "debug". */
const char *tr_log_level_name(enum tr_log_level lv);

#endif
