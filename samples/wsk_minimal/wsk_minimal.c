// SPDX-License-Identifier: GPL-2.0
/*
 * wsk_minimal: the smallest wsk client, an accept loop on 127.0.0.1:@port. A
 * thread accepts one connection at a time, counts it (@accepted), sends it
 * "hello from wsk" and a FIN, waits up to 5 s for the peer's FIN (closing
 * before it would reset the connection), and closes it. Each call waits on a
 * &struct wsk_sync; an accept waits 1 s at most, so that exit can stop it.
 */
#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <net/net_namespace.h>
#include <wsk/wsk.h>

static ushort port = 7070;
module_param(port, ushort, 0444);
static uint accepted;
module_param(accepted, uint, 0444);

static struct wsk_client *client;
static struct wsk_socket *listener;
static struct task_struct *thread;
static const char hello[] = "hello from wsk\n";
static char sink[16];
static const struct kvec kvec[] = { { (void *)hello, sizeof(hello) - 1 }, { sink, sizeof(sink) } };
static const struct wsk_buf hello_buf = { .kvec = kvec, .nr_segs = 1, .length = sizeof(hello) - 1 };
static const struct wsk_buf sink_buf = { .kvec = kvec + 1, .nr_segs = 1, .length = sizeof(sink) };

static int minimal_close(struct wsk_socket *s)
{
	struct wsk_sync sync;

	wsk_sync_init(&sync);
	return wsk_sync_wait(&sync, wsk_close(s, &sync.req));
}

static int minimal_thread(void *unused)
{
	struct wsk_socket *s;
	struct wsk_sync sync;
	int ret;

	while (!kthread_should_stop()) {
		wsk_sync_init(&sync);
		ret = wsk_accept(listener, 0, NULL, NULL, NULL, NULL, &sync.req);
		ret = wsk_sync_wait_timeout(&sync, ret, HZ);
		if (ret) {	/* -ECANCELED: a second without a connection */
			if (ret != -ECANCELED)
				schedule_timeout_interruptible(HZ);
			continue;
		}
		s = sync.req.result.socket;
		WRITE_ONCE(accepted, accepted + 1);
		wsk_sync_init(&sync);
		wsk_sync_wait(&sync, wsk_disconnect(s, &hello_buf, 0, &sync.req));
		wsk_sync_init(&sync);	/* 0 bytes: the peer's FIN; 5 s at most */
		wsk_sync_wait_timeout(&sync, wsk_receive(s, &sink_buf, 0, &sync.req), 5 * HZ);
		minimal_close(s);
	}
	return 0;
}

static int __init minimal_init(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct wsk_listen_params params = { .reuseaddr = true };
	int ret;

	client = wsk_register(THIS_MODULE);
	if (IS_ERR(client))
		return PTR_ERR(client);
	ret = wsk_listen_sync(client, &init_net, (struct sockaddr *)&sin, sizeof(sin), &params,
			      &listener);
	if (!ret) {
		thread = kthread_run(minimal_thread, NULL, "wsk_minimal");
		if (!IS_ERR(thread))
			return 0;
		ret = PTR_ERR(thread);
		minimal_close(listener);
	}
	wsk_deregister(client);
	return ret;
}

static void __exit minimal_exit(void)
{
	kthread_stop(thread);	/* within a second: the accept wait ends */
	minimal_close(listener);
	wsk_deregister(client);
}

module_init(minimal_init);
module_exit(minimal_exit);
MODULE_DESCRIPTION("wsk sample: the smallest client, an accept loop");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(WSK);
