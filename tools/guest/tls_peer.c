// SPDX-License-Identifier: GPL-2.0
/*
 * tls_peer: a userspace kernel-TLS peer of a wsk server (wsk_echosrv with
 * tls_key), set up as the kernel's tls selftest does: TCP_ULP "tls", then
 * TLS_TX and TLS_RX with the same TLS 1.2 AES-GCM-128 secrets.
 *
 *   tls_peer [-6] -p PORT -k HEX [-n BYTES] [-m echo|clear|badkey] [-t SECONDS]
 *
 * echo (the default): sends BYTES of a pattern from a second thread while
 * it reads the echo, and checks it byte for byte; then shuts its side down
 * and expects the server's end of the stream. Exit 0 if all of it came back.
 * clear: sends BYTES without TLS (no record decrypts at the server); badkey:
 * with TLS under another key. Both expect the server to reset or close the
 * connection within SECONDS: exit 0 if it did, 1 if the connection was
 * still open (or echoed anything).
 *
 * One line on stdout: "bytes=N result=ok|fail reason=..."
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

static int fd;
static long bytes = 100000;
static int send_err;

static void bad_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-6] -p PORT -k HEX [-n BYTES] [-m echo|clear|badkey] %s\n",
		prog, "[-t SECONDS]");
	exit(2);
}

static unsigned char pattern(long i)
{
	return (unsigned char)(i * 7 + i / 251);
}

static int hex_secrets(const char *hex, unsigned char *out, size_t len)
{
	size_t i;

	if (strlen(hex) != 2 * len)
		return -1;
	for (i = 0; i < len; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return 0;
}

static int set_tls(const unsigned char *secret)
{
	struct tls12_crypto_info_aes_gcm_128 ci;

	memset(&ci, 0, sizeof(ci));
	ci.info.version = TLS_1_2_VERSION;
	ci.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memcpy(ci.key, secret, 16);
	memcpy(ci.salt, secret + 16, 4);
	memcpy(ci.iv, secret + 20, 8);
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", 3) ||
	    setsockopt(fd, SOL_TLS, TLS_TX, &ci, sizeof(ci)) ||
	    setsockopt(fd, SOL_TLS, TLS_RX, &ci, sizeof(ci)))
		return -errno;
	return 0;
}

static void *sender(void *arg)
{
	unsigned char buf[8192];
	long off = 0, i, n;
	ssize_t w;

	(void)arg;
	while (off < bytes) {
		n = bytes - off < (long)sizeof(buf) ? bytes - off : (long)sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		w = send(fd, buf, n, MSG_NOSIGNAL);
		if (w < 0) {
			send_err = errno;
			return NULL;
		}
		off += w;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned char secret[28], buf[16384];
	const char *hex = NULL, *mode = "echo", *reason = "";
	struct sockaddr_storage ss = {};
	int opt, v6 = 0, port = 0, ok = 0;
	long got = 0, timeout = 10, i;
	pthread_t th;
	socklen_t len;

	while ((opt = getopt(argc, argv, "6p:k:n:m:t:")) != -1) {
		switch (opt) {
		case '6':
			v6 = 1;
			break;
		case 'p':
			port = parse_num(optarg, 1, 65535, argv[0]);
			break;
		case 'k':
			hex = optarg;
			break;
		case 'n':
			bytes = parse_num(optarg, 0, 1L << 30, argv[0]);
			break;
		case 'm':
			mode = optarg;
			break;
		case 't':
			timeout = parse_num(optarg, 1, 3600, argv[0]);
			break;
		default:
			bad_usage(argv[0]);
		}
	}
	if (!port || !hex || hex_secrets(hex, secret, sizeof(secret)) ||
	    (strcmp(mode, "echo") && strcmp(mode, "clear") && strcmp(mode, "badkey")))
		bad_usage(argv[0]);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len)) {
		printf("bytes=0 result=fail reason=connect:%s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(mode, "badkey"))
		secret[0] ^= 0xff;
	opt = strcmp(mode, "clear") ? set_tls(secret) : 0;
	if (opt) {
		printf("bytes=0 result=fail reason=tls:%s\n", strerror(-opt));
		return 1;
	}
	if (pthread_create(&th, NULL, sender, NULL)) {
		printf("bytes=0 result=fail reason=thread\n");
		return 1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (!strcmp(mode, "echo") && got == bytes && !send_err) {
			shutdown(fd, SHUT_WR);
			mode = "eof";
		}
		if (poll(&p, 1, timeout * 1000) != 1) {
			reason = "timeout";
			break;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			reason = strerror(errno);
			/* A reset is what clear and badkey expect. */
			ok = errno == ECONNRESET && got == 0 &&
			     (!strcmp(mode, "clear") || !strcmp(mode, "badkey"));
			break;
		}
		if (n == 0) {
			reason = "eof";
			ok = !strcmp(mode, "eof") ||
			     (got == 0 && (!strcmp(mode, "clear") || !strcmp(mode, "badkey")));
			break;
		}
		for (i = 0; i < n; i++) {
			if (got + i >= bytes || buf[i] != pattern(got + i)) {
				reason = "mismatch";
				goto out;
			}
		}
		got += n;
	}
out:
	/* The sender may be stuck behind a window that no longer opens. */
	shutdown(fd, SHUT_RDWR);
	pthread_join(th, NULL);
	printf("bytes=%ld result=%s reason=%s\n", got, ok ? "ok" : "fail", reason);
	return ok ? 0 : 1;
}
