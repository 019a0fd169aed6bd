/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A token bucket for log lines. A daemon logs every refusal (peer and
 * reason), so whoever can open connections can make it write; a flood of
 * them must not fill the disk, drown the lines that matter or cost more
 * than the refusals themselves. At most @burst lines go out at once, then
 * @per_sec a second; what was held back is counted and told in one line,
 * "... NAME notice: N similar messages suppressed" (base/log.h's format,
 * NAME as the component), before the next line that goes out or at the
 * next tr_log_flush(). Thread-safe.
 */
#ifndef TR_RATELIMIT_H
#define TR_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "base/log.h"

struct tr_ratelimit {
	pthread_mutex_t lock;
	const char *name; /* starts the summary line */
	unsigned burst, per_sec;
	double tokens;
	uint64_t last_ms; /* of the last refill */
	unsigned long suppressed; /* held back, not told yet */
	unsigned long total_suppressed;
	bool started;
};

#define TR_RATELIMIT_INIT(name_, burst_, per_sec_)                  \
	{                                                           \
		.lock = PTHREAD_MUTEX_INITIALIZER, .name = (name_), \
		.burst = (burst_), .per_sec = (per_sec_)            \
	}

/*
 * May a line go out at @now_ms (any monotonic clock)? true takes a token
 * and sets *@told to the lines held back before it (0 if none), which
 * the caller tells first; false counts the line as held back.
 */
bool tr_ratelimit_take(struct tr_ratelimit *rl, uint64_t now_ms,
		       unsigned long *told);
/*
 * The lines held back and not told yet, when a token is there to tell
 * them now (the count, reset to 0), else 0: for a periodic flush, so a
 * flood that stopped is still summed up.
 */
unsigned long tr_ratelimit_pending(struct tr_ratelimit *rl, uint64_t now_ms);

/* A tr_log() line under @rl (CLOCK_MONOTONIC). */
void tr_log_limited(struct tr_ratelimit *rl, enum tr_log_level lv,
		    const char *component, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Tell what was held back, if anything and a token allows. */
void tr_log_flush(struct tr_ratelimit *rl);

#endif
