// SPDX-License-Identifier: GPL-2.0
/*
 * echo_client: a TCP echo checker for the wsk_echo sample.
 *
 *   echo_client [-a ADDR] [-p PORT] [-6] [-c CONNS] [-s SIZES] [-n ROUNDS]
 *               [-D MS] [-t SECONDS] [-S SEED] [-k]
 *
 * Opens CONNS connections to ADDR:PORT at once (one thread each; they all
 * connect before any sends). On each, for ROUNDS rounds, every size of the
 * comma-separated list SIZES in turn: a random payload of that size is sent
 * while the echo is read back concurrently (poll() on a non-blocking socket,
 * so payloads far larger than the socket buffers cannot deadlock), and the
 * echo is compared byte for byte. Then the connection is shut down for
 * writing and must end with a clean EOF and no extra byte.
 *
 * -D MS delays reading each payload's echo by MS milliseconds while sending
 * at full speed: the server then has to hold back (its socket buffers and
 * in-flight echoes fill up), which exercises its flow control.
 *
 * A payload whose echo differs anywhere is one mismatch (the first differing
 * offset is reported on stderr). Errors are failed connects, resets, early
 * EOFs, extra bytes after the last echo and stalls (no progress for SECONDS,
 * default 30). The one line on stdout is a JSON object:
 *
 * {"connections":N,"connected":N,"payloads":N,"bytes":N,"mismatches":N,"errors":N,"elapsed_ms":N}
 *
 * where "bytes" counts the bytes echoed and verified. Exit status 0 without
 * mismatches and errors, 1 otherwise, 2 on a usage or setup error; with -k
 * (keep going: errors are expected, e.g. the server is unloaded under it)
 * the exit status is 0 unless there was a mismatch.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

#define MAX_SIZES	32
#define MAX_SIZE	(64L << 20)
#define IO_CHUNK	(256 * 1024)

static struct {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	long sizes[MAX_SIZES];
	int nsizes;
	long rounds;
	long read_delay_ms;
	long stall_ms;
	uint64_t seed;
	pthread_barrier_t start;
	atomic_long connected;
	atomic_long payloads;
	atomic_long bytes;
	atomic_long mismatches;
	atomic_long errors;
} g;

/* xorshift64*: a cheap, reproducible pseudo-random byte stream. */
static uint64_t prng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void fill_random(unsigned char *buf, long len, uint64_t *s)
{
	uint64_t v;
	long i;

	for (i = 0; i + 8 <= len; i += 8) {
		v = prng_next(s);
		memcpy(buf + i, &v, 8);
	}
	if (i < len) {
		v = prng_next(s);
		memcpy(buf + i, &v, len - i);
	}
}

static void conn_error(long id, const char *what, int err)
{
	atomic_fetch_add(&g.errors, 1);
	if (err)
		fprintf(stderr, "echo_client: connection %ld: %s: %s\n", id, what, strerror(err));
	else
		fprintf(stderr, "echo_client: connection %ld: %s\n", id, what);
}

static int socket_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return errno;
	return err ? err : EIO;
}

/* Connect, waiting at most the stall timeout. Returns the fd or -errno. */
static int connect_one(void)
{
	struct pollfd pfd;
	socklen_t len;
	int fd, err, ret;

	fd = socket(g.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (struct sockaddr *)&g.addr, g.addrlen))
		return fd;
	err = errno;
	if (err != EINPROGRESS)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		ret = poll(&pfd, 1, (int)g.stall_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret <= 0) {
		err = ret ? errno : ETIMEDOUT;
		goto fail;
	}
	len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (!err)
		return fd;
fail:
	close(fd);
	return -err;
}

/*
 * Send @exp (@len bytes) and read its echo concurrently. Returns 0 when the
 * whole echo came back (*bad set if it differed), -1 after an error.
 */
static int echo_one(long id, int fd, const unsigned char *exp, long len, unsigned char *rbuf,
		    int *bad)
{
	int64_t read_at = now_ms() + g.read_delay_ms, last = now_ms(), t;
	long sent = 0, got = 0;
	struct pollfd pfd;
	ssize_t n;
	int ret, timeout;

	*bad = 0;
	while (got < len) {
		t = now_ms();
		pfd.fd = fd;
		pfd.events = 0;
		if (sent < len)
			pfd.events |= POLLOUT;
		timeout = (int)(last + g.stall_ms - t);
		if (t >= read_at)
			pfd.events |= POLLIN;
		else if (read_at - t < timeout)
			timeout = (int)(read_at - t);
		if (timeout < 0)
			timeout = 0;
		ret = poll(&pfd, 1, timeout);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			conn_error(id, "poll", errno);
			return -1;
		}
		if (!ret) {
			if (now_ms() - last >= g.stall_ms) {
				fprintf(stderr, "echo_client: %ld: %ld/%ld sent, %ld echoed\n",
					id, sent, len, got);
				conn_error(id, "stalled", 0);
				return -1;
			}
			continue;
		}
		if (pfd.revents & POLLERR) {
			conn_error(id, "socket error", socket_error(fd));
			return -1;
		}
		if (sent < len && (pfd.revents & (POLLOUT | POLLHUP))) {
			n = send(fd, exp + sent, len - sent < IO_CHUNK ? len - sent : IO_CHUNK,
				 MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				conn_error(id, "send", errno);
				return -1;
			}
			if (n > 0) {
				sent += n;
				last = now_ms();
			}
		}
		if (pfd.revents & (POLLIN | POLLHUP)) {
			n = recv(fd, rbuf, len - got < IO_CHUNK ? len - got : IO_CHUNK, 0);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				conn_error(id, "recv", errno);
				return -1;
			}
			if (!n) {
				fprintf(stderr, "echo_client: %ld: EOF after %ld of %ld\n",
					id, got, len);
				conn_error(id, "early EOF", 0);
				return -1;
			}
			if (n > 0) {
				if (!*bad && memcmp(rbuf, exp + got, n)) {
					long i = 0;

					while (rbuf[i] == exp[got + i])
						i++;
					fprintf(stderr,
						"echo_client: connection %ld: payload of %ld bytes differs at offset %ld\n",
						id, len, got + i);
					*bad = 1;
				}
				got += n;
				last = now_ms();
			}
		}
	}
	return 0;
}

/* After the last echo: shut down writing, expect a clean EOF and nothing else. */
static void finish_one(long id, int fd, unsigned char *rbuf)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int ret;

	if (shutdown(fd, SHUT_WR)) {
		conn_error(id, "shutdown", errno);
		return;
	}
	for (;;) {
		ret = poll(&pfd, 1, (int)g.stall_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0) {
			conn_error(id, "waiting for EOF", ret ? errno : ETIMEDOUT);
			return;
		}
		n = recv(fd, rbuf, IO_CHUNK, 0);
		if (!n)
			return;
		if (n > 0) {
			fprintf(stderr, "echo_client: conn %ld: %zd bytes past the last echo\n",
				id, n);
			atomic_fetch_add(&g.mismatches, 1);
			continue;
		}
		if (errno == EAGAIN || errno == EINTR)
			continue;
		conn_error(id, "waiting for EOF", errno);
		return;
	}
}

static void *worker(void *arg)
{
	long id = (long)arg, r;
	unsigned char *exp = NULL, *rbuf = NULL;
	long maxsize = 0;
	uint64_t s;
	int fd, i, bad;

	for (i = 0; i < g.nsizes; i++)
		if (g.sizes[i] > maxsize)
			maxsize = g.sizes[i];
	exp = malloc(maxsize);
	rbuf = malloc(IO_CHUNK);
	fd = connect_one();
	if (fd < 0)
		conn_error(id, "connect", -fd);
	else
		atomic_fetch_add(&g.connected, 1);
	pthread_barrier_wait(&g.start);
	if (fd < 0)
		goto out;
	if (!exp || !rbuf) {
		conn_error(id, "malloc", ENOMEM);
		goto out_close;
	}
	s = (g.seed + 1) * 0x9e3779b97f4a7c15ULL + (uint64_t)id * 0xbf58476d1ce4e5b9ULL;
	if (!s)
		s = 1;
	for (r = 0; r < g.rounds; r++) {
		for (i = 0; i < g.nsizes; i++) {
			fill_random(exp, g.sizes[i], &s);
			if (echo_one(id, fd, exp, g.sizes[i], rbuf, &bad))
				goto out_close;
			atomic_fetch_add(&g.payloads, 1);
			if (bad)
				atomic_fetch_add(&g.mismatches, 1);
			else
				atomic_fetch_add(&g.bytes, g.sizes[i]);
		}
	}
	finish_one(id, fd, rbuf);
out_close:
	close(fd);
out:
	free(exp);
	free(rbuf);
	return NULL;
}

static void bad_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-a ADDR] [-p PORT] [-6] [-c CONNS] [-s SIZES] [-n ROUNDS]\n"
		"          [-D MS] [-t SECONDS] [-S SEED] [-k]\n"
		"  -a ADDR     server address (default 127.0.0.1, or ::1 with -6)\n"
		"  -p PORT     server port (default 7777)\n"
		"  -6          IPv6\n"
		"  -c CONNS    concurrent connections (default 4)\n"
		"  -s SIZES    comma-separated payload sizes in bytes (default 1,1000,65536,1048576)\n"
		"  -n ROUNDS   times each connection sends the size list (default 1)\n"
		"  -D MS       start reading each echo MS milliseconds late (default 0)\n"
		"  -t SECONDS  a connection without progress for this long fails (default 30)\n"
		"  -S SEED     payload seed (default 1)\n"
		"  -k          keep going: exit 0 despite errors (not mismatches)\n",
		prog);
	exit(2);
}

static void parse_sizes(char *list, const char *prog)
{
	char *tok, *save = NULL;

	g.nsizes = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (g.nsizes == MAX_SIZES)
			bad_usage(prog);
		g.sizes[g.nsizes++] = parse_num(tok, 1, MAX_SIZE, prog);
	}
	if (!g.nsizes)
		bad_usage(prog);
}

int main(int argc, char **argv)
{
	char default_sizes[] = "1,1000,65536,1048576";
	const char *addr = NULL;
	long port = 7777, conns = 4, i;
	int opt, v6 = 0, keep_going = 0;
	pthread_t *tids;
	int64_t start;
	long elapsed_ms, mismatches, errors;

	g.rounds = 1;
	g.stall_ms = 30000;
	g.seed = 1;
	parse_sizes(default_sizes, argv[0]);
	while ((opt = getopt(argc, argv, "a:p:6c:s:n:D:t:S:k")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = parse_num(optarg, 1, 65535, argv[0]);
			break;
		case '6':
			v6 = 1;
			break;
		case 'c':
			conns = parse_num(optarg, 1, 1024, argv[0]);
			break;
		case 's':
			parse_sizes(optarg, argv[0]);
			break;
		case 'n':
			g.rounds = parse_num(optarg, 1, 1000000, argv[0]);
			break;
		case 'D':
			g.read_delay_ms = parse_num(optarg, 0, 600000, argv[0]);
			break;
		case 't':
			g.stall_ms = parse_num(optarg, 1, 86400, argv[0]) * 1000;
			break;
		case 'S':
			g.seed = (uint64_t)parse_num(optarg, 0, 1L << 62, argv[0]);
			break;
		case 'k':
			keep_going = 1;
			break;
		default:
			bad_usage(argv[0]);
		}
	}
	if (optind != argc)
		bad_usage(argv[0]);

	memset(&g.addr, 0, sizeof(g.addr));
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&g.addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr ? addr : "::1", &sin6->sin6_addr) != 1)
			bad_usage(argv[0]);
		g.addrlen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&g.addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (inet_pton(AF_INET, addr ? addr : "127.0.0.1", &sin->sin_addr) != 1)
			bad_usage(argv[0]);
		g.addrlen = sizeof(*sin);
	}

	tids = calloc(conns, sizeof(*tids));
	if (!tids || pthread_barrier_init(&g.start, NULL, conns)) {
		perror("echo_client: setup");
		return 2;
	}
	start = now_ms();
	for (i = 0; i < conns; i++) {
		errno = pthread_create(&tids[i], NULL, worker, (void *)i);
		if (errno) {
			perror("echo_client: pthread_create");
			return 2;
		}
	}
	for (i = 0; i < conns; i++)
		pthread_join(tids[i], NULL);
	elapsed_ms = (long)(now_ms() - start);
	free(tids);

	mismatches = atomic_load(&g.mismatches);
	errors = atomic_load(&g.errors);
	printf("{\"connections\":%ld,\"connected\":%ld,\"payloads\":%ld,\"bytes\":%ld,",
	       conns, atomic_load(&g.connected), atomic_load(&g.payloads), atomic_load(&g.bytes));
	printf("\"mismatches\":%ld,\"errors\":%ld,\"elapsed_ms\":%ld}\n",
	       mismatches, errors, elapsed_ms);
	if (mismatches)
		return 1;
	return errors && !keep_going ? 1 : 0;
}
