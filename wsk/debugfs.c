// SPDX-License-Identifier: GPL-2.0
/*
 * wsk: /sys/kernel/debug/wsk/, readable by root only.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "internal.h"

static struct dentry *wsk_debugfs_dir;

static int wsk_stats_show(struct seq_file *m, void *v)
{
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wsk_stats);

int wsk_debugfs_init(void)
{
	wsk_debugfs_dir = debugfs_create_dir("wsk", NULL);
	debugfs_create_file("stats", 0400, wsk_debugfs_dir, NULL, &wsk_stats_fops);
	return 0;
}

void wsk_debugfs_exit(void)
{
	debugfs_remove_recursive(wsk_debugfs_dir);
}
