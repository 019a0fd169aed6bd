// SPDX-License-Identifier: GPL-2.0-only
#include "base/log.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN 2048

static const char *prog = "trustroute";
static FILE *stream;
static bool journal;

char *tr_time_rfc3339(int64_t ms, char out[TR_TIME_LEN])
{
	time_t s = (time_t)(ms / 1000);
	int frac = (int)(ms % 1000);
	struct tm tm;

	if (frac < 0) {
		frac += 1000;
		s--;
	}
	if (!gmtime_r(&s, &tm) ||
	    !strftime(out, TR_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm)) {
		strcpy(out, "0000-00-00T00:00:00.000Z");
		return out;
	}
	snprintf(out + 19, TR_TIME_LEN - 19, ".%03dZ", frac);
	return out;
}

char *tr_time_rfc3339_s(int64_t s, char out[TR_TIME_LEN])
{
	tr_time_rfc3339(s * 1000, out);
	strcpy(out + 19, "Z");
	return out;
}

int64_t tr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected to the
 * journal; it counts only while stderr is still that stream. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void tr_log_init(const char *program)
{
	if (program)
		prog = program;
	stream = stderr;
	journal = stderr_is_journal();
}

bool tr_log_journal(void)
{
	return journal;
}

void tr_log_set_stream(FILE *f, bool for_journal)
{
	stream = f;
	journal = for_journal;
}

const char *tr_log_level_name(enum tr_log_level lv)
{
	switch (lv) {
	case TR_LOG_ERR:
		return "err";
	case TR_LOG_WARN:
		return "warn";
	case TR_LOG_NOTICE:
		return "notice";
	case TR_LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

size_t tr_log_format(char *buf, size_t len, bool for_journal, int64_t ms,
		     const char *program, const char *component,
		     enum tr_log_level lv, const char *fmt, va_list ap)
{
	char t[TR_TIME_LEN];
	int n, m;

	if (len < 8)
		return 0;
	if (for_journal)
		n = snprintf(buf, len, "<%d>%s%s", (int)lv,
			     component ? component : "", component ? ": " : "");
	else
		n = snprintf(buf, len,
			     "%s %s%s%s%s %s: ", tr_time_rfc3339(ms, t),
			     program, component ? "[" : "",
			     component ? component : "", component ? "]" : "",
			     tr_log_level_name(lv));
	if (n < 0)
		n = 0;
	if ((size_t)n >= len - 1)
		n = (int)len - 2;
	m = vsnprintf(buf + n, len - (size_t)n - 1, fmt, ap);
	if (m < 0)
		m = 0;
	if ((size_t)(n + m) >= len - 1) {
		/* Cut: say so. */
		memcpy(buf + len - 5, "...", 3);
		n = (int)len - 2;
	} else {
		n += m;
	}
	/* One line: a message's own newline is not doubled. */
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n++] = '\n';
	buf[n] = 0;
	return (size_t)n;
}

void tr_vlog(enum tr_log_level lv, const char *component, const char *fmt,
	     va_list ap)
{
	char line[LINE_MAX_LEN];
	size_t n;
	FILE *f = stream ? stream : stderr;

	n = tr_log_format(line, sizeof(line), journal, tr_now_ms(), prog,
			  component, lv, fmt, ap);
	/* One write: lines of threads do not interleave. */
	fwrite(line, 1, n, f);
	fflush(f);
}

void tr_log(enum tr_log_level lv, const char *component, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_vlog(lv, component, fmt, ap);
	va_end(ap);
}
