// SPDX-License-Identifier: GPL-2.0
/*
 * wsk_echocli: the client end of wsk_echosrv, so that an echo round trip can
 * be wsk on both ends. It connects with wsk_socket_connect() (through the
 * provider table, as ported code calls WskSocketConnect) and checks the
 * echo.
 *
 * Loading it submits the first connect to @addr:@port (an IPv4 or IPv6
 * literal) in the network namespace of @netns_pid (0: the initial one) and
 * starts a thread that, for each of @count connections in turn:
 *
 * - waits for the connect (@seconds at most per step);
 * - sends @size bytes of a pattern that differs per connection, without
 *   waiting for the send, and meanwhile receives the echo into a second
 *   buffer until @size bytes have come back, comparing them;
 * - disconnects gracefully, receives until the server's FIN (a receive
 *   that completes with 0 bytes) and closes.
 *
 * @result reads "running" until the thread is done, then one line
 * "connected=N bytes=N mismatches=N errors=N first_error=E" where E is the
 * first failure's errno (0: none). With @netns_pid, @count must be 1: the
 * module holds no reference on the namespace (a wsk socket does not keep
 * its namespace alive), so only the connect submitted at load time may use
 * it; if the namespace goes away first, the connect completes -ESHUTDOWN.
 * Unloading while a step waits cancels it (-ECANCELED) within 0.1 s.
 *
 * Contexts: init, exit and the thread run in process context and sleep (the
 * wsk_sync helpers); nothing else runs here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/inet.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/sched/task.h>
#include <net/net_namespace.h>
#include <wsk/wsk.h>

static char *addr = "127.0.0.1";
module_param(addr, charp, 0444);
MODULE_PARM_DESC(addr, "server address, IPv4 or IPv6 literal (default 127.0.0.1)");

static ushort port = 40007;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "server port (default 40007)");

static uint count = 1;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "connections, one after the other (default 1)");

static uint size = 1048576;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "bytes sent and checked per connection (default 1 MiB)");

static int netns_pid;
module_param(netns_pid, int, 0444);
MODULE_PARM_DESC(netns_pid, "connect in the network namespace of this pid (0: init_net)");

static uint seconds = 60;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "longest wait for one step (default 60)");

static char result[128] = "running";
module_param_string(result, result, sizeof(result), 0444);
MODULE_PARM_DESC(result, "\"running\", then connected=N bytes=N mismatches=N errors=N first_error=E");

static struct {
	struct wsk_client *client;
	const struct wsk_provider_dispatch *provider;
	struct sockaddr_storage remote;
	int addrlen;
	struct task_struct *thread;
	struct wsk_sync connect;	/* the pending connect of the next connection */
	int connect_ret;
	struct wsk_sync step;		/* the thread's receive, disconnect or close */
	struct wsk_sync tx;		/* the send running beside the receives */
	u8 *out, *in;
	unsigned int connected, mismatches, errors;
	int first_error;
	u64 bytes;
} cli;

static void echocli_error(int err)
{
	cli.errors++;
	if (!cli.first_error)
		cli.first_error = err;
}

/*
 * Process context, the thread: wait for @sync, submitted with @ret, at most
 * @seconds; a wait that times out or meets the unload (kthread_stop())
 * cancels the request and waits for its completion, which then comes in
 * bounded time. Only the thread touches its requests.
 */
static int echocli_wait(struct wsk_sync *sync, int ret)
{
	unsigned long end = jiffies + seconds * HZ;

	if (ret != -EINPROGRESS && !completion_done(&sync->done))
		return ret;	/* refused without a completion */
	while (!wait_for_completion_timeout(&sync->done, HZ / 10)) {
		if (kthread_should_stop() || time_after(jiffies, end)) {
			wsk_req_cancel(&sync->req);
			wait_for_completion(&sync->done);
			break;
		}
	}
	return sync->req.status;
}

static int echocli_connect_submit(struct net *net)
{
	wsk_sync_init(&cli.connect);
	cli.connect_ret = cli.provider->socket_connect(cli.client, net, cli.remote.ss_family, NULL,
						       (struct sockaddr *)&cli.remote, cli.addrlen,
						       0, NULL, NULL, &cli.connect.req);
	return cli.connect_ret;
}

/* Process context: one connection's echo, on @s. Returns 0 or the failure. */
static int echocli_echo(struct wsk_socket *s, unsigned int n)
{
	const struct wsk_provider_connection_dispatch *d = s->dispatch;
	struct kvec ov = { cli.out, size }, iv = { cli.in, size };
	struct wsk_buf obuf = { .kvec = &ov, .nr_segs = 1, .length = size };
	struct wsk_buf ibuf = { .kvec = &iv, .nr_segs = 1 };
	size_t got = 0;
	int ret, tx_ret;
	u32 i;

	for (i = 0; i < size; i++)
		cli.out[i] = (u8)(i * 7 + n * 13 + (i >> 8));
	wsk_sync_init(&cli.tx);
	tx_ret = d->send(s, &obuf, 0, &cli.tx.req);
	ret = 0;
	while (got < size && !ret) {
		ibuf.offset = got;
		ibuf.length = size - got;
		wsk_sync_init(&cli.step);
		ret = echocli_wait(&cli.step, d->receive(s, &ibuf, 0, &cli.step.req));
		if (!ret && !cli.step.req.result.bytes)
			ret = -ECONNRESET;	/* the stream ended before the echo did */
		got += cli.step.req.result.bytes;
	}
	if (ret)
		wsk_req_cancel(&cli.tx.req);
	tx_ret = echocli_wait(&cli.tx, tx_ret);
	cli.bytes += got;
	if (memcmp(cli.out, cli.in, got))
		cli.mismatches++;
	if (ret || tx_ret)
		return ret ?: tx_ret;

	wsk_sync_init(&cli.step);
	ret = echocli_wait(&cli.step, d->disconnect(s, NULL, 0, &cli.step.req));
	if (ret)
		return ret;
	wsk_sync_init(&cli.step);	/* the server's FIN: 0 bytes */
	ibuf.offset = 0;
	ibuf.length = size;
	ret = echocli_wait(&cli.step, d->receive(s, &ibuf, 0, &cli.step.req));
	if (!ret && cli.step.req.result.bytes)
		ret = -EPROTO;		/* bytes after the echo */
	return ret;
}

static int echocli_thread(void *unused)
{
	struct wsk_socket *s;
	unsigned int n;
	int ret;

	for (n = 0; n < count; n++) {
		if (n)
			echocli_connect_submit(&init_net);
		ret = echocli_wait(&cli.connect, cli.connect_ret);
		if (ret) {
			echocli_error(ret);
			break;
		}
		s = cli.connect.req.result.socket;
		cli.connected++;
		ret = echocli_echo(s, n);
		if (ret)
			echocli_error(ret);
		wsk_sync_init(&cli.step);
		wsk_sync_wait(&cli.step, ((const struct wsk_provider_connection_dispatch *)
					  s->dispatch)->basic.close(s, &cli.step.req));
		if (kthread_should_stop())
			break;
	}
	snprintf(result, sizeof(result),
		 "connected=%u bytes=%llu mismatches=%u errors=%u first_error=%d", cli.connected,
		 cli.bytes, cli.mismatches, cli.errors, cli.first_error);
	pr_info("%s\n", result);
	return 0;
}

static int echocli_parse(void)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&cli.remote;
	struct sockaddr_in *sin = (struct sockaddr_in *)&cli.remote;

	if (in4_pton(addr, -1, (u8 *)&sin->sin_addr, -1, NULL)) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		cli.addrlen = sizeof(*sin);
	} else if (in6_pton(addr, -1, (u8 *)&sin6->sin6_addr, -1, NULL)) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		cli.addrlen = sizeof(*sin6);
	} else {
		return -EINVAL;
	}
	return 0;
}

static int __init echocli_init(void)
{
	struct net *net = &init_net;
	int ret;

	if (echocli_parse() || !count || !size || !seconds || (netns_pid && count != 1))
		return -EINVAL;
	cli.out = kvmalloc(size, GFP_KERNEL);
	cli.in = kvmalloc(size, GFP_KERNEL);
	ret = -ENOMEM;
	if (!cli.out || !cli.in)
		goto fail_buf;
	cli.client = wsk_register(THIS_MODULE);
	ret = PTR_ERR(cli.client);
	if (IS_ERR(cli.client))
		goto fail_buf;
	cli.provider = wsk_provider(cli.client);
	if (netns_pid) {
		net = get_net_ns_by_pid(netns_pid);
		ret = PTR_ERR(net);
		if (IS_ERR(net))
			goto fail_client;
	}
	echocli_connect_submit(net);
	if (netns_pid)
		put_net(net);	/* the connect does not hold it either */

	cli.thread = kthread_create(echocli_thread, NULL, "wsk_echocli");
	if (IS_ERR(cli.thread)) {
		ret = PTR_ERR(cli.thread);
		wsk_req_cancel(&cli.connect.req);
		wsk_sync_init(&cli.step);
		if (!wsk_sync_wait(&cli.connect, cli.connect_ret))
			wsk_sync_wait(&cli.step, wsk_close(cli.connect.req.result.socket,
							   &cli.step.req));
		goto fail_client;
	}
	get_task_struct(cli.thread);	/* kthread_stop() may come after it returned */
	wake_up_process(cli.thread);
	return 0;

fail_client:
	wsk_deregister(cli.client);
fail_buf:
	kvfree(cli.in);
	kvfree(cli.out);
	return ret;
}

static void __exit echocli_exit(void)
{
	kthread_stop(cli.thread);	/* its current wait cancels its request */
	put_task_struct(cli.thread);
	wsk_deregister(cli.client);
	kvfree(cli.in);
	kvfree(cli.out);
}

module_init(echocli_init);
module_exit(echocli_exit);

MODULE_DESCRIPTION("wsk sample: an echo client on wsk_socket_connect(), for wsk_echosrv");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(WSK);
