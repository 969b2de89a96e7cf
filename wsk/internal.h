/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsk: definitions shared by the files of wsk.ko and nothing else.
 */
#ifndef _WSK_INTERNAL_H
#define _WSK_INTERNAL_H

#include <linux/dcache.h>

/* debugfs.c: /sys/kernel/debug/wsk/. Created by module init, removed by exit. */
int wsk_debugfs_init(void);
void wsk_debugfs_exit(void);

#endif /* _WSK_INTERNAL_H */
