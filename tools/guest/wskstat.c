// SPDX-License-Identifier: GPL-2.0
/*
 * wskstat: the state of wsk.ko at a glance, as ss(8) shows sockets.
 *
 *   wskstat [-j] [-w SECONDS] [-c COUNT] [-s | -S] [-d DIR]
 *
 * Reads /sys/kernel/debug/wsk/sockets (one line of key=value fields per
 * socket) and /sys/kernel/debug/wsk/stats (one "name value" pair per line)
 * and prints a table of the sockets and the counters. Both files are root
 * only. Documentation/introspection.rst describes every field.
 *
 *   -j, --json           one JSON document per sample:
 *                        {"stats": {NAME: NUMBER, ...},
 *                         "sockets": [{KEY: NUMBER or STRING, ...}, ...]}
 *                        (with --watch: one document per line, JSON Lines)
 *   -w, --watch SECONDS  sample every SECONDS (1..3600) until interrupted;
 *                        the human layout then shows how much each counter
 *                        moved since the previous sample
 *   -c, --count N        stop after N samples (implies --watch 1 if not given)
 *   -s, --stats          counters only
 *   -S, --sockets        sockets only
 *   -d, --dir DIR        read the files from DIR instead of /sys/kernel/debug/wsk
 *
 * Unknown fields and counters are shown as they come, so the tool keeps
 * working when wsk gains some. Exit status: 0, 1 if a file cannot be read,
 * 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_FIELDS	48

struct field {
	char *key;
	char *value;
};

struct record {			/* one socket line */
	struct field f[MAX_FIELDS];
	int n;
};

struct sample {
	char *stats_buf;
	char *sockets_buf;
	struct field *stats;	/* "name value" pairs */
	int nstats;
	struct record *socks;
	int nsocks;
};

static const char *dir = "/sys/kernel/debug/wsk";

/* The whole file, NUL-terminated, or NULL with errno set. */
static char *read_file(const char *name)
{
	size_t len = 0, size = 16384;
	char path[4096];
	char *buf, *nbuf;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(size);
	if (!buf)
		goto err;
	for (;;) {
		if (size - len < 4096) {
			nbuf = realloc(buf, size * 2);
			if (!nbuf)
				goto err;
			buf = nbuf;
			size *= 2;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto err;
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
err:
	n = errno;
	free(buf);
	close(fd);
	errno = n;
	return NULL;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n + 1;
}

/* Split "name value" lines in place. */
static int parse_stats(struct sample *smp)
{
	char *line, *save = NULL, *sp;

	smp->stats = calloc(count_lines(smp->stats_buf), sizeof(*smp->stats));
	if (!smp->stats)
		return -1;
	for (line = strtok_r(smp->stats_buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		smp->stats[smp->nstats].key = line;
		smp->stats[smp->nstats].value = sp + 1;
		smp->nstats++;
	}
	return 0;
}

/* Split "key=value key=value ..." lines in place. */
static int parse_sockets(struct sample *smp)
{
	char *line, *save = NULL, *tok, *tsave, *eq;
	struct record *r;

	smp->socks = calloc(count_lines(smp->sockets_buf), sizeof(*smp->socks));
	if (!smp->socks)
		return -1;
	for (line = strtok_r(smp->sockets_buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		r = &smp->socks[smp->nsocks];
		r->n = 0;
		for (tok = strtok_r(line, " ", &tsave); tok && r->n < MAX_FIELDS;
		     tok = strtok_r(NULL, " ", &tsave)) {
			eq = strchr(tok, '=');
			if (!eq)
				continue;
			*eq = '\0';
			r->f[r->n].key = tok;
			r->f[r->n].value = eq + 1;
			r->n++;
		}
		if (r->n)
			smp->nsocks++;
	}
	return 0;
}

static void free_sample(struct sample *smp)
{
	free(smp->stats_buf);
	free(smp->sockets_buf);
	free(smp->stats);
	free(smp->socks);
	memset(smp, 0, sizeof(*smp));
}

static int load_sample(struct sample *smp, bool want_stats, bool want_sockets)
{
	memset(smp, 0, sizeof(*smp));
	if (want_stats) {
		smp->stats_buf = read_file("stats");
		if (!smp->stats_buf) {
			fprintf(stderr, "wskstat: %s/stats: %s%s\n", dir, strerror(errno),
				errno == EACCES ? " (root only)" :
				errno == ENOENT ? " (wsk.ko loaded? debugfs mounted?)" : "");
			return -1;
		}
		if (parse_stats(smp))
			return -1;
	}
	if (want_sockets) {
		smp->sockets_buf = read_file("sockets");
		if (!smp->sockets_buf) {
			fprintf(stderr, "wskstat: %s/sockets: %s\n", dir, strerror(errno));
			return -1;
		}
		if (parse_sockets(smp))
			return -1;
	}
	return 0;
}

static const char *get(const struct record *r, const char *key)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].key, key))
			return r->f[i].value;
	return "?";
}

static const char *stat_get(const struct sample *smp, const char *name)
{
	int i;

	for (i = 0; i < smp->nstats; i++)
		if (!strcmp(smp->stats[i].key, name))
			return smp->stats[i].value;
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                      */

static bool is_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (!*p || (*p == '0' && p[1]))
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_value(const char *v)
{
	if (is_number(v))
		fputs(v, stdout);
	else
		json_string(v);
}

static void print_json(const struct sample *smp, bool stats, bool sockets, bool lines)
{
	const char *nl = lines ? "" : "\n", *ind = lines ? "" : "  ";
	const char *sep = "";
	int i, j;

	printf("{");
	if (stats) {
		printf("%s%s\"stats\": {", nl, ind);
		for (i = 0; i < smp->nstats; i++) {
			printf("%s", i ? ", " : "");
			json_string(smp->stats[i].key);
			printf(": ");
			json_value(smp->stats[i].value);
		}
		printf("}");
		sep = ",";
	}
	if (sockets) {
		printf("%s%s%s\"sockets\": [", sep, nl, ind);
		for (i = 0; i < smp->nsocks; i++) {
			printf("%s%s%s%s{", i ? "," : "", nl, ind, ind);
			for (j = 0; j < smp->socks[i].n; j++) {
				printf("%s", j ? ", " : "");
				json_string(smp->socks[i].f[j].key);
				printf(": ");
				json_value(smp->socks[i].f[j].value);
			}
			printf("}");
		}
		printf("%s%s]", smp->nsocks ? nl : "", smp->nsocks ? ind : "");
	}
	printf("%s}\n", nl);
}

/* ------------------------------------------------------------------------ */
/* Human layout                                                              */

static void print_sockets(const struct sample *smp)
{
	const struct record *r;
	char client[96], pend[64], queue[32];
	int i;

	printf("%-6s %-20s %-10s %-10s %-6s %-24s %-24s %-20s %8s %5s %s\n",
	       "ID", "CLIENT", "CATEGORY", "STATE", "FAMILY", "LOCAL", "REMOTE",
	       "PENDING a/b/o/s/c", "ACCEPTED", "HELD", "KQUEUE");
	for (i = 0; i < smp->nsocks; i++) {
		r = &smp->socks[i];
		snprintf(client, sizeof(client), "%s/%s", get(r, "module"), get(r, "client"));
		snprintf(pend, sizeof(pend), "%s/%s/%s/%s/%s", get(r, "pending_accept"),
			 get(r, "pending_bind"), get(r, "pending_setopt"),
			 get(r, "pending_socket"), get(r, "pending_close"));
		if (!strcmp(get(r, "category"), "listen"))
			snprintf(queue, sizeof(queue), "%s/%s", get(r, "kqueue"),
				 get(r, "backlog"));
		else
			snprintf(queue, sizeof(queue), "-");
		printf("%-6s %-20s %-10s %-10s %-6s %-24s %-24s %-20s %8s %5s %s\n",
		       get(r, "id"), client, get(r, "category"), get(r, "state"),
		       get(r, "family"), get(r, "local"), get(r, "remote"), pend,
		       get(r, "accepted"), get(r, "held"), queue);
	}
	if (!smp->nsocks)
		printf("(no sockets)\n");
}

/* Counters in two columns; with @prev, how much each moved since then. */
static void print_stats(const struct sample *smp, const struct sample *prev)
{
	int i, half = (smp->nstats + 1) / 2;
	char cell[2][80];
	const char *old;
	int c, k;

	for (i = 0; i < half; i++) {
		for (c = 0; c < 2; c++) {
			k = i + c * half;
			cell[c][0] = '\0';
			if (k >= smp->nstats)
				continue;
			old = prev ? stat_get(prev, smp->stats[k].key) : NULL;
			if (old && strcmp(old, smp->stats[k].value))
				snprintf(cell[c], sizeof(cell[c]), "%-26s %10s (%+lld)",
					 smp->stats[k].key, smp->stats[k].value,
					 atoll(smp->stats[k].value) - atoll(old));
			else
				snprintf(cell[c], sizeof(cell[c]), "%-26s %10s",
					 smp->stats[k].key, smp->stats[k].value);
		}
		printf("%-52s  %s\n", cell[0], cell[1]);
	}
}

static void print_human(const struct sample *smp, const struct sample *prev,
			bool stats, bool sockets)
{
	const char *v;

	if (stats) {
		v = stat_get(smp, "clients");
		printf("wsk: %s client(s), %s socket(s) (%s listen, %s connection), ", v ? v : "?",
		       stat_get(smp, "sockets") ?: "?", stat_get(smp, "sockets_listen") ?: "?",
		       stat_get(smp, "sockets_connection") ?: "?");
		printf("%s request(s) pending\n", stat_get(smp, "requests_pending") ?: "?");
	}
	if (sockets) {
		if (stats)
			printf("\n");
		print_sockets(smp);
	}
	if (stats) {
		printf("\n");
		print_stats(smp, prev);
	}
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: wskstat [-j] [-w SECONDS] [-c COUNT] [-s | -S] [-d DIR]\n"
		"  -j, --json           JSON (one document per line with --watch)\n"
		"  -w, --watch SECONDS  sample every SECONDS until interrupted\n"
		"  -c, --count N        stop after N samples\n"
		"  -s, --stats          counters only\n"
		"  -S, --sockets        sockets only\n"
		"  -d, --dir DIR        read DIR instead of /sys/kernel/debug/wsk\n");
}

static long number_arg(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "wskstat: %s wants a number from %ld to %ld\n", opt, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "stats", no_argument, NULL, 's' },
		{ "sockets", no_argument, NULL, 'S' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, stats = true, sockets = true, watch = false;
	struct sample smp, prev = { 0 };
	long interval = 1, count = 0, i;
	struct timespec ts;
	int opt;

	while ((opt = getopt_long(argc, argv, "jw:c:sSd:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'w':
			interval = number_arg("--watch", optarg, 1, 3600);
			watch = true;
			break;
		case 'c':
			count = number_arg("--count", optarg, 1, 1000000);
			watch = true;
			break;
		case 's':
			sockets = false;
			break;
		case 'S':
			stats = false;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (!stats && !sockets)) {
		print_usage(stderr);
		return 2;
	}
	if (!watch)
		count = 1;

	for (i = 1; !count || i <= count; i++) {
		if (load_sample(&smp, stats, sockets))
			return 1;
		if (json) {
			print_json(&smp, stats, sockets, watch);
		} else {
			if (watch)
				printf("%s--- wskstat: sample %ld, every %ld s\n",
				       i > 1 ? "\n" : "", i, interval);
			print_human(&smp, i > 1 ? &prev : NULL, stats, sockets);
		}
		fflush(stdout);
		free_sample(&prev);
		prev = smp;
		if (count && i == count)
			break;
		ts.tv_sec = interval;
		ts.tv_nsec = 0;
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	free_sample(&prev);
	return 0;
}
