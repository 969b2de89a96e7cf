// SPDX-License-Identifier: GPL-2.0
/*
 * bench_srv: accept records and the debugfs control of an in-kernel bench
 * server (see bench_srv.h). Compiled into each bench module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "bench_srv.h"

static uint max_records = 131072;
module_param(max_records, uint, 0444);
MODULE_PARM_DESC(max_records, "accept records kept per run (default 131072)");

struct bench_rec {
	s64 t;
	u32 port;
};

static struct {
	const struct bench_srv_ops *ops;
	struct dentry *dir;
	struct mutex lock;		/* serialises ctl commands */
	bool listening;
	struct bench_rec *recs;
	atomic_t nrec;
	atomic64_t accepted;
	atomic64_t closed;
	atomic64_t errors;
	s64 t_start;
	s64 t_ready;
	atomic64_t t_last_accept;
	atomic64_t t_last_close;
} srv;

/* Raise @v to @t unless it is already later. Any context. */
static void bench_max64(atomic64_t *v, s64 t)
{
	s64 old = atomic64_read(v);

	while (old < t) {
		s64 seen = atomic64_cmpxchg(v, old, t);

		if (seen == old)
			break;
		old = seen;
	}
}

void bench_srv_accepted(u16 peer_port)
{
	s64 t = ktime_get_ns();
	int i = atomic_inc_return(&srv.nrec) - 1;

	if (i < max_records) {
		srv.recs[i].t = t;
		srv.recs[i].port = peer_port;
	}
	atomic64_inc(&srv.accepted);
	bench_max64(&srv.t_last_accept, t);
}

void bench_srv_closed(void)
{
	atomic64_inc(&srv.closed);
	bench_max64(&srv.t_last_close, ktime_get_ns());
}

void bench_srv_error(void)
{
	atomic64_inc(&srv.errors);
}

void bench_srv_ready(void)
{
	WRITE_ONCE(srv.t_ready, ktime_get_ns());
}

static void bench_srv_reset(void)
{
	atomic_set(&srv.nrec, 0);
	atomic64_set(&srv.accepted, 0);
	atomic64_set(&srv.closed, 0);
	atomic64_set(&srv.errors, 0);
	atomic64_set(&srv.t_last_accept, 0);
	atomic64_set(&srv.t_last_close, 0);
	srv.t_start = 0;
	srv.t_ready = 0;
}

static int bench_ctl_do(char *cmd)
{
	unsigned int port, backlog, nreq;
	int err;

	if (sscanf(cmd, "listen %u %u %u", &port, &backlog, &nreq) == 3) {
		if (srv.listening || !port || port > 65535 || !backlog || backlog > INT_MAX)
			return -EINVAL;
		bench_srv_reset();
		err = srv.ops->listen(port, backlog, nreq);
		if (!err)
			srv.listening = true;
		return err;
	}
	if (!strcmp(cmd, "start")) {
		if (!srv.listening || srv.t_start)
			return -EINVAL;
		srv.t_start = ktime_get_ns();
		srv.t_ready = srv.t_start;
		return srv.ops->start();
	}
	if (!strcmp(cmd, "stop")) {
		if (!srv.listening)
			return -EINVAL;
		srv.ops->stop();
		srv.listening = false;
		return 0;
	}
	return srv.ops->cmd ? srv.ops->cmd(cmd) : -EINVAL;
}

static ssize_t bench_ctl_write(struct file *file, const char __user *ubuf, size_t len,
			       loff_t *ppos)
{
	char buf[64];
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	strim(buf);

	mutex_lock(&srv.lock);
	err = bench_ctl_do(strim(buf));
	mutex_unlock(&srv.lock);
	return err ? err : len;
}

static const struct file_operations bench_ctl_fops = {
	.owner = THIS_MODULE,
	.write = bench_ctl_write,
	.llseek = noop_llseek,
};

static int bench_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "listening %d\n", READ_ONCE(srv.listening));
	seq_printf(m, "accepted %lld\n", atomic64_read(&srv.accepted));
	seq_printf(m, "closed %lld\n", atomic64_read(&srv.closed));
	seq_printf(m, "errors %lld\n", atomic64_read(&srv.errors));
	seq_printf(m, "records %d\n", min_t(int, atomic_read(&srv.nrec), max_records));
	seq_printf(m, "t_start %lld\n", READ_ONCE(srv.t_start));
	seq_printf(m, "t_ready %lld\n", READ_ONCE(srv.t_ready));
	seq_printf(m, "t_last_accept %lld\n", atomic64_read(&srv.t_last_accept));
	seq_printf(m, "t_last_close %lld\n", atomic64_read(&srv.t_last_close));
	if (srv.ops->show)
		srv.ops->show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bench_stats);

static unsigned int bench_nrec(void)
{
	return min_t(unsigned int, atomic_read(&srv.nrec), max_records);
}

static void *bench_rec_start(struct seq_file *m, loff_t *pos)
{
	return *pos < bench_nrec() ? &srv.recs[*pos] : NULL;
}

static void *bench_rec_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return bench_rec_start(m, pos);
}

static void bench_rec_stop(struct seq_file *m, void *v)
{
}

static int bench_rec_show(struct seq_file *m, void *v)
{
	const struct bench_rec *r = v;

	seq_printf(m, "%u %lld\n", r->port, r->t);
	return 0;
}

static const struct seq_operations bench_records_sops = {
	.start = bench_rec_start,
	.next = bench_rec_next,
	.stop = bench_rec_stop,
	.show = bench_rec_show,
};
DEFINE_SEQ_ATTRIBUTE(bench_records);

int bench_srv_init(const char *name, const struct bench_srv_ops *ops)
{
	mutex_init(&srv.lock);
	srv.ops = ops;
	srv.recs = vmalloc_array(max_records, sizeof(*srv.recs));
	if (!srv.recs)
		return -ENOMEM;
	srv.dir = debugfs_create_dir(name, NULL);
	debugfs_create_file("ctl", 0200, srv.dir, NULL, &bench_ctl_fops);
	debugfs_create_file("stats", 0400, srv.dir, NULL, &bench_stats_fops);
	debugfs_create_file("records", 0400, srv.dir, NULL, &bench_records_fops);
	return 0;
}

void bench_srv_exit(void)
{
	/* No ctl write can run once the files are gone. */
	debugfs_remove_recursive(srv.dir);
	if (srv.listening)
		srv.ops->stop();
	vfree(srv.recs);
}
