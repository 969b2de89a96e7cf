// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: /sys/kernel/debug/wsk/, readable by root only, and the global
 * counters it shows.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "internal.h"

struct wsk_stats wsk_stats;

static struct dentry *wsk_debugfs_dir;

/* One "name value" pair per line. */
static int wsk_stats_show(struct seq_file *m, void *v)
{
#define WSK_STAT(name) seq_printf(m, "%s %ld\n", #name, atomic_long_read(&wsk_stats.name))
	WSK_STAT(clients);
	WSK_STAT(sockets);
	WSK_STAT(requests_pending);
	WSK_STAT(requests_completed);
	WSK_STAT(requests_cancelled);
	WSK_STAT(accepts_completed);
	WSK_STAT(accepts_dead);
	WSK_STAT(accepts_parked);
	WSK_STAT(connections_rejected);
	WSK_STAT(accept_errors);
#undef WSK_STAT
	return 0;
}

static int wsk_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, wsk_stats_show, inode->i_private);
}

/*
 * read_iter, so that kernel_read() works too (the KUnit suites read the
 * counters that way). The debugfs full proxy has no read_iter, hence the
 * _unsafe creation: safe here, as the show function only reads the global
 * counters, and an open file pins the module (.owner).
 */
static const struct file_operations wsk_stats_fops = {
	.owner = THIS_MODULE,
	.open = wsk_stats_open,
	.read_iter = seq_read_iter,
	.llseek = seq_lseek,
	.release = single_release,
};

int wsk_debugfs_init(void)
{
	wsk_debugfs_dir = debugfs_create_dir("wsk", NULL);
	debugfs_create_file_unsafe("stats", 0400, wsk_debugfs_dir, NULL, &wsk_stats_fops);
	return 0;
}

void wsk_debugfs_exit(void)
{
	debugfs_remove_recursive(wsk_debugfs_dir);
}
