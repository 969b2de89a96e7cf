/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_srv: the part every in-kernel bench server shares. It records one
 * timestamp per accepted connection (ktime_get(), the clock userspace reads
 * as CLOCK_MONOTONIC) and offers a debugfs control directory:
 *
 *   /sys/kernel/debug/<name>/ctl      write "listen PORT BACKLOG NREQ",
 *                                     "start" or "stop"
 *   /sys/kernel/debug/<name>/stats    counters and timestamps, "name value"
 *   /sys/kernel/debug/<name>/records  one "peer-port ktime-ns" line per accept
 *
 * A server module implements &struct bench_srv_ops and reports each accept
 * and each close with bench_srv_accepted() and bench_srv_closed().
 */
#ifndef _BENCH_SRV_H
#define _BENCH_SRV_H

#include <linux/types.h>

struct seq_file;

/**
 * struct bench_srv_ops - what a bench server implements
 * @listen: create a listener on 127.0.0.1:@port with @backlog, prepared to
 *	keep @nreq accepts pending (servers without requests ignore it), but
 *	accept nothing yet. Process context.
 * @start: start accepting. Process context.
 * @stop: stop accepting, close the listener, and return only once no
 *	callback, work item or completion of the server is running or can
 *	still run. Process context; called only after a successful @listen.
 * @cmd: optional; any other ctl command. Process context.
 * @show: optional; more "name value" lines for the stats file.
 */
struct bench_srv_ops {
	int (*listen)(u16 port, u32 backlog, u32 nreq);
	int (*start)(void);
	void (*stop)(void);
	int (*cmd)(const char *cmd);
	void (*show)(struct seq_file *m);
};

int bench_srv_init(const char *name, const struct bench_srv_ops *ops);
void bench_srv_exit(void);

/* Any context: a connection from @peer_port was accepted. */
void bench_srv_accepted(u16 peer_port);
/* Any context: an accepted connection was closed. */
void bench_srv_closed(void);
/* Any context: an accept or close failed. */
void bench_srv_error(void);
/* Process context: the initial submissions made by @start are done. */
void bench_srv_ready(void);

#endif /* _BENCH_SRV_H */
