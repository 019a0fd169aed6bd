/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sd_notify(3) without libsystemd: a daemon under systemd (Type=notify)
 * says "READY=1" when it serves, "STOPPING=1" when it stops, as one
 * datagram to the socket $NOTIFY_SOCKET names (a path, or '@' for the
 * abstract namespace). Without $NOTIFY_SOCKET it does nothing.
 */
#ifndef TR_NOTIFY_H
#define TR_NOTIFY_H

/* 1 sent, 0 not under systemd, -1 failed (errno). */
int tr_notify(const char *state);

#endif
