// SPDX-License-Identifier: GPL-2.0
/*
 * wsk_kclient: in-kernel TCP client load for the accept tests.
 *
 * It does not use the wsk API: it is the other end. Loading it opens @count
 * loopback connections to 127.0.0.1:@port one after the other, each from its
 * own local port (@base_port + i, so a server can prove that each connection
 * was accepted exactly once by its peer port), and closes each at once. The
 * result stays readable in /sys/module/wsk_kclient/parameters/result as one
 * line "connected=N failed=N refused=N reset_early=N elapsed_ms=N" until
 * the module is removed. A connect that fails with -ECONNRESET was
 * established and then reset by the server (which accepts and resets at
 * once) before the client thread woke: it counts as connected and also as
 * reset_early. All of it runs in module_init (process context).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <net/net_namespace.h>
#include <net/sock.h>

static ushort port = 7000;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "server port on 127.0.0.1 (default 7000)");

static uint count = 5000;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "connections to open (default 5000)");

static ushort base_port = 25000;
module_param(base_port, ushort, 0444);
MODULE_PARM_DESC(base_port, "local port of the first connection (default 25000)");

static uint seconds = 60;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "stop opening connections after this long (default 60)");

static char result[128] = "not run";
module_param_string(result, result, sizeof(result), 0444);
MODULE_PARM_DESC(result, "connected=N failed=N refused=N reset_early=N elapsed_ms=N");

/* One connection from 127.0.0.1:@lport; closed (abortively) before return. */
static int kclient_connect_one(u16 lport)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct socket *sock;
	int err;

	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (err)
		return err;
	sock_set_reuseaddr(sock->sk);
	addr.sin_port = htons(lport);
	err = kernel_bind(sock, (struct sockaddr *)&addr, sizeof(addr));
	if (!err) {
		addr.sin_port = htons(port);
		err = kernel_connect(sock, (struct sockaddr *)&addr, sizeof(addr), 0);
	}
	/*
	 * A graceful close: an abortive one could overtake the handshake's
	 * last ACK on loopback and kill the connection before the server has
	 * it. The server (wsk_acceptd) resets, so no TIME_WAIT stays behind.
	 */
	sock_release(sock);
	return err;
}

static int __init kclient_init(void)
{
	unsigned long deadline = jiffies + seconds * HZ;
	unsigned int i, connected = 0, failed = 0, refused = 0, reset_early = 0;
	ktime_t t0 = ktime_get();
	int err;

	if (!count || base_port + count - 1 > U16_MAX)
		return -EINVAL;
	for (i = 0; i < count && time_before(jiffies, deadline); i++) {
		err = kclient_connect_one(base_port + i);
		if (!err) {
			connected++;
		} else if (err == -ECONNRESET) {
			connected++;
			reset_early++;
		} else if (err == -ECONNREFUSED) {
			refused++;
		} else {
			failed++;
		}
		cond_resched();
	}
	snprintf(result, sizeof(result),
		 "connected=%u failed=%u refused=%u reset_early=%u elapsed_ms=%lld",
		 connected, failed, refused, reset_early, ktime_ms_delta(ktime_get(), t0));
	pr_info("%s\n", result);
	return 0;
}

static void __exit kclient_exit(void)
{
}

module_init(kclient_init);
module_exit(kclient_exit);

MODULE_DESCRIPTION("In-kernel TCP client load for the wsk accept tests");
MODULE_LICENSE("GPL");
