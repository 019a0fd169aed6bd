// SPDX-License-Identifier: GPL-2.0-only
#include "base/ratelimit.h"

#include <stdarg.h>
#include <time.h>

static void refill(struct tr_ratelimit *rl, uint64_t now_ms)
{
	if (!rl->started || now_ms < rl->last_ms) {
		rl->started = true;
		rl->tokens = rl->burst;
		rl->last_ms = now_ms;
		return;
	}
	rl->tokens += (double)(now_ms - rl->last_ms) * rl->per_sec / 1000.0;
	if (rl->tokens > rl->burst)
		rl->tokens = rl->burst;
	rl->last_ms = now_ms;
}

bool tr_ratelimit_take(struct tr_ratelimit *rl, uint64_t now_ms,
		       unsigned long *told)
{
	bool ok;

	pthread_mutex_lock(&rl->lock);
	refill(rl, now_ms);
	ok = rl->tokens >= 1.0;
	*told = 0;
	if (ok) {
		rl->tokens -= 1.0;
		*told = rl->suppressed;
		rl->suppressed = 0;
	} else {
		rl->suppressed++;
		rl->total_suppressed++;
	}
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

unsigned long tr_ratelimit_pending(struct tr_ratelimit *rl, uint64_t now_ms)
{
	unsigned long n = 0;

	pthread_mutex_lock(&rl->lock);
	refill(rl, now_ms);
	if (rl->suppressed && rl->tokens >= 1.0) {
		rl->tokens -= 1.0;
		n = rl->suppressed;
		rl->suppressed = 0;
	}
	pthread_mutex_unlock(&rl->lock);
	return n;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void summary(struct tr_ratelimit *rl, unsigned long n)
{
	tr_log(TR_LOG_NOTICE, rl->name, "%lu similar message%s suppressed", n,
	       n == 1 ? "" : "s");
}

void tr_log_limited(struct tr_ratelimit *rl, enum tr_log_level lv,
		    const char *component, const char *fmt, ...)
{
	unsigned long told;
	va_list ap;

	if (!tr_ratelimit_take(rl, mono_ms(), &told))
		return;
	if (told)
		summary(rl, told);
	va_start(ap, fmt);
	tr_vlog(lv, component, fmt, ap);
	va_end(ap);
}

void tr_log_flush(struct tr_ratelimit *rl)
{
	unsigned long n = tr_ratelimit_pending(rl, mono_ms());

	if (n)
		summary(rl, n);
}
