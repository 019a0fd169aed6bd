// SPDX-License-Identifier: GPL-2.0-only
/*
 * sd_notify without libsystemd (base/notify.h): the datagram reaches the
 * socket $NOTIFY_SOCKET names, a path or an abstract '@' name; without
 * the variable nothing is sent; a relative name is refused.
 */
#include "base/notify.h"
#include "tr_test.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int bound(const char *name, bool abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	socklen_t len;

	assert_true(fd >= 0);
	strcpy(sa.sun_path + abstract, name);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract +
			  strlen(name) + !abstract);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	return fd;
}

static void test_path_and_abstract(void **state)
{
	char path[64], env[80], buf[64];
	ssize_t n;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/trustroute-notify.%d", getpid());
	unlink(path);
	fd = bound(path, false);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(tr_notify("READY=1"), 1);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_int_equal(n, 7);
	buf[n] = 0;
	assert_string_equal(buf, "READY=1");
	close(fd);
	unlink(path);

	snprintf(path, sizeof(path), "trustroute-notify.%d", getpid());
	fd = bound(path, true);
	snprintf(env, sizeof(env), "@%s", path);
	setenv("NOTIFY_SOCKET", env, 1);
	assert_int_equal(tr_notify("STOPPING=1"), 1);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_int_equal(n, 10);
	close(fd);
}

static void test_none_and_bad(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(tr_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/name", 1);
	assert_int_equal(tr_notify("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_and_abstract),
		cmocka_unit_test(test_none_and_bad),
	};

	return TR_RUN(tests, NULL, NULL);
}
