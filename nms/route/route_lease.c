// SPDX-License-Identifier: GPL-2.0-only
#include "nms/route/route_lease.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct nms_route_lease lease;
static bool held;
static int64_t until;

int64_t nms_route_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void nms_route_lease_cluster(const char *holder)
{
	pthread_mutex_lock(&lock);
	lease.cluster = true;
	snprintf(lease.holder, sizeof(lease.holder), "%s", holder);
	held = false;
	pthread_mutex_unlock(&lock);
}

void nms_route_lease_set(int64_t epoch, int64_t until_ms)
{
	pthread_mutex_lock(&lock);
	lease.epoch = epoch;
	held = true;
	until = until_ms;
	pthread_mutex_unlock(&lock);
}

void nms_route_lease_lost(void)
{
	pthread_mutex_lock(&lock);
	held = false;
	pthread_mutex_unlock(&lock);
}

bool nms_route_lease_get(struct nms_route_lease *l)
{
	bool ok;

	pthread_mutex_lock(&lock);
	*l = lease;
	ok = !lease.cluster || (held && nms_route_mono_ms() < until);
	pthread_mutex_unlock(&lock);
	return ok;
}
