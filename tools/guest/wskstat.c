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
 *                        (with --watch: one document per line, JSON Lines);
 *                        decimal and 0x values are numbers, the rest strings
 *   -w, --watch SECONDS  sample every SECONDS (1..3600) until interrupted;
 *                        the human layout then shows how much each counter
 *                        moved since the previous sample
 *   -c, --count N        stop after N samples (implies --watch 1 if not given)
 *   -s, --stats          counters only
 *   -S, --sockets        sockets only
 *   -d, --dir DIR        read the files from DIR instead of /sys/kernel/debug/wsk
 *
 * The table's columns are as wide as their longest value. Its PENDING is
 * the sum of every pending_KIND field of the socket and REQUESTS names the
 * kinds not zero; the summary line breaks requests_pending down the same way
 * and a line counts the sockets by state. Kinds, states, fields and counters
 * it does not know are counted and shown as they come (the JSON has every
 * field), so the tool keeps working when wsk gains some. Exit status: 0, 1
 * if a file cannot be read, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct field {
	char *key;
	char *value;
};

struct record {			/* one socket line, every field of it */
	struct field *f;
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

/* Split "key=value key=value ..." lines in place, however many fields. */
static int parse_sockets(struct sample *smp)
{
	char *line, *save = NULL, *tok, *tsave, *eq, *p;
	struct record *r;
	int nf;

	smp->socks = calloc(count_lines(smp->sockets_buf), sizeof(*smp->socks));
	if (!smp->socks)
		return -1;
	for (line = strtok_r(smp->sockets_buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		r = &smp->socks[smp->nsocks];
		for (nf = 1, p = line; *p; p++)
			nf += *p == ' ';
		r->f = calloc(nf, sizeof(*r->f));
		if (!r->f)
			return -1;
		r->n = 0;
		for (tok = strtok_r(line, " ", &tsave); tok && r->n < nf;
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
		else
			free(r->f);
	}
	return 0;
}

static void free_sample(struct sample *smp)
{
	int i;

	for (i = 0; i < smp->nsocks; i++)
		free(smp->socks[i].f);
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

/* A decimal integer as JSON writes it: no sign but '-', no leading zero. */
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

/* A "0x..." value (a mask, as %#x prints it): @v gets its value. */
static bool is_hex(const char *s, unsigned long long *v)
{
	const char *p;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2] || strlen(s + 2) > 16)
		return false;
	for (p = s + 2; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return false;
	*v = strtoull(s + 2, NULL, 16);
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

/* Numbers as JSON numbers (a hexadecimal one in decimal), the rest as strings. */
static void json_value(const char *v)
{
	unsigned long long x;

	if (is_number(v))
		fputs(v, stdout);
	else if (is_hex(v, &x))
		printf("%llu", x);
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

/* The table's columns; a cell is as wide as the longest value of its column. */
enum {
	COL_ID, COL_CLIENT, COL_CATEGORY, COL_STATE, COL_FAMILY, COL_LOCAL, COL_REMOTE,
	COL_PENDING, COL_ACCEPTED, COL_HELD, COL_KQUEUE, COL_REQUESTS, NR_COLS
};

static const struct {
	const char *head;
	bool right;		/* numbers, right-aligned */
} cols[NR_COLS] = {
	[COL_ID] = { "ID", false },
	[COL_CLIENT] = { "CLIENT", false },
	[COL_CATEGORY] = { "CATEGORY", false },
	[COL_STATE] = { "STATE", false },
	[COL_FAMILY] = { "FAMILY", false },
	[COL_LOCAL] = { "LOCAL", false },
	[COL_REMOTE] = { "REMOTE", false },
	[COL_PENDING] = { "PENDING", true },
	[COL_ACCEPTED] = { "ACCEPTED", true },
	[COL_HELD] = { "HELD", true },
	[COL_KQUEUE] = { "KQUEUE", false },
	[COL_REQUESTS] = { "REQUESTS", false },
};

#define PENDING_PREFIX "pending_"

/*
 * A socket's pending requests: every "pending_KIND" field, known kinds or
 * not. Returns the total; @kinds gets "KIND=N,..." for those not zero ("-"
 * if none).
 */
static unsigned long long pending_of(const struct record *r, char *kinds, size_t size)
{
	unsigned long long n, total = 0;
	size_t len = 0;
	int i;

	kinds[0] = '\0';
	for (i = 0; i < r->n; i++) {
		if (strncmp(r->f[i].key, PENDING_PREFIX, strlen(PENDING_PREFIX)))
			continue;
		n = strtoull(r->f[i].value, NULL, 10);
		if (!n)
			continue;
		total += n;
		if (len < size)
			len += snprintf(kinds + len, size - len, "%s%s=%s", len ? "," : "",
					r->f[i].key + strlen(PENDING_PREFIX), r->f[i].value);
	}
	if (!kinds[0])
		snprintf(kinds, size, "-");
	return total;
}

static void cell(const struct record *r, int col, char *buf, size_t size)
{
	char kinds[512];

	switch (col) {
	case COL_ID:
		snprintf(buf, size, "%s", get(r, "id"));
		break;
	case COL_CLIENT:
		snprintf(buf, size, "%s/%s", get(r, "module"), get(r, "client"));
		break;
	case COL_CATEGORY:
		snprintf(buf, size, "%s", get(r, "category"));
		break;
	case COL_STATE:
		snprintf(buf, size, "%s", get(r, "state"));
		break;
	case COL_FAMILY:
		snprintf(buf, size, "%s", get(r, "family"));
		break;
	case COL_LOCAL:
		snprintf(buf, size, "%s", get(r, "local"));
		break;
	case COL_REMOTE:
		snprintf(buf, size, "%s", get(r, "remote"));
		break;
	case COL_PENDING:
		snprintf(buf, size, "%llu", pending_of(r, kinds, sizeof(kinds)));
		break;
	case COL_ACCEPTED:
		snprintf(buf, size, "%s", get(r, "accepted"));
		break;
	case COL_HELD:
		snprintf(buf, size, "%s", get(r, "held"));
		break;
	case COL_KQUEUE:
		if (!strcmp(get(r, "category"), "listen"))
			snprintf(buf, size, "%s/%s", get(r, "kqueue"), get(r, "backlog"));
		else
			snprintf(buf, size, "-");
		break;
	case COL_REQUESTS:
		pending_of(r, buf, size);
		break;
	}
}

static void print_row(const char (*cells)[512], const int *width)
{
	int c;

	for (c = 0; c < NR_COLS; c++) {
		if (c == NR_COLS - 1)
			printf("%s\n", cells[c]);
		else if (cols[c].right)
			printf("%*s ", width[c], cells[c]);
		else
			printf("%-*s ", width[c], cells[c]);
	}
}

#define MAX_STATES	32

/*
 * Sockets by state, every state the file names, known or not, in the order
 * first seen (beyond MAX_STATES different ones, the rest as "other").
 */
static void print_states(const struct sample *smp)
{
	int count[MAX_STATES], nstates = 0, other = 0, i, k;
	const char *state[MAX_STATES], *s;

	for (i = 0; i < smp->nsocks; i++) {
		s = get(&smp->socks[i], "state");
		for (k = 0; k < nstates && strcmp(state[k], s); k++)
			;
		if (k == nstates) {
			if (nstates == MAX_STATES) {
				other++;
				continue;
			}
			state[nstates] = s;
			count[nstates++] = 0;
		}
		count[k]++;
	}
	printf("by state:");
	for (k = 0; k < nstates; k++)
		printf("%s %s %d", k ? "," : "", state[k], count[k]);
	if (other)
		printf(", other %d", other);
	printf("\n");
}

static void print_sockets(const struct sample *smp)
{
	char cells[NR_COLS][512];
	int width[NR_COLS], i, c, len;

	for (c = 0; c < NR_COLS; c++)
		width[c] = strlen(cols[c].head);
	for (i = 0; i < smp->nsocks; i++)
		for (c = 0; c < NR_COLS - 1; c++) {
			cell(&smp->socks[i], c, cells[c], sizeof(cells[c]));
			len = strlen(cells[c]);
			if (len > width[c])
				width[c] = len;
		}
	for (c = 0; c < NR_COLS; c++)
		snprintf(cells[c], sizeof(cells[c]), "%s", cols[c].head);
	print_row((const char (*)[512])cells, width);
	for (i = 0; i < smp->nsocks; i++) {
		for (c = 0; c < NR_COLS; c++)
			cell(&smp->socks[i], c, cells[c], sizeof(cells[c]));
		print_row((const char (*)[512])cells, width);
	}
	if (smp->nsocks)
		print_states(smp);
	else
		printf("(no sockets)\n");
}

/* One counter: name, value, and how much it moved since @old if it did. */
static int stat_cell(const struct field *f, const char *old, int nw, int vw,
		     char *buf, size_t size)
{
	int len;

	if (old && strcmp(old, f->value))
		len = snprintf(buf, size, "%-*s %*s (%+lld)", nw, f->key, vw, f->value,
			       atoll(f->value) - atoll(old));
	else
		len = snprintf(buf, size, "%-*s %*s", nw, f->key, vw, f->value);
	return len < (int)size ? len : (int)size - 1;
}

/*
 * Counters in two columns, each as wide as its longest name and value; with
 * @prev, how much each moved since then.
 */
static void print_stats(const struct sample *smp, const struct sample *prev)
{
	int i, half = (smp->nstats + 1) / 2, nw = 0, vw = 0, lw = 0, len;
	char cell0[256], cell1[256];
	const char *old;

	for (i = 0; i < smp->nstats; i++) {
		len = strlen(smp->stats[i].key);
		nw = len > nw ? len : nw;
		len = strlen(smp->stats[i].value);
		vw = len > vw ? len : vw;
	}
	for (i = 0; i < smp->nstats; i++) {
		old = prev ? stat_get(prev, smp->stats[i].key) : NULL;
		len = stat_cell(&smp->stats[i], old, nw, vw, cell0, sizeof(cell0));
		if (i < half && len > lw)
			lw = len;
	}
	for (i = 0; i < half; i++) {
		old = prev ? stat_get(prev, smp->stats[i].key) : NULL;
		stat_cell(&smp->stats[i], old, nw, vw, cell0, sizeof(cell0));
		cell1[0] = '\0';
		if (i + half < smp->nstats) {
			old = prev ? stat_get(prev, smp->stats[i + half].key) : NULL;
			stat_cell(&smp->stats[i + half], old, nw, vw, cell1, sizeof(cell1));
		}
		if (cell1[0])
			printf("%-*s    %s\n", lw, cell0, cell1);
		else
			printf("%s\n", cell0);
	}
}

/* The summary's pending requests by kind: every requests_pending_KIND not 0. */
static void print_pending_kinds(const struct sample *smp)
{
	const char *prefix = "requests_pending_";
	const char *sep = " (";
	int i;

	for (i = 0; i < smp->nstats; i++) {
		if (strncmp(smp->stats[i].key, prefix, strlen(prefix)) ||
		    !strtoull(smp->stats[i].value, NULL, 10))
			continue;
		printf("%s%s %s", sep, smp->stats[i].key + strlen(prefix), smp->stats[i].value);
		sep = ", ";
	}
	if (*sep == ',')
		printf(")");
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
		printf("%s request(s) pending", stat_get(smp, "requests_pending") ?: "?");
		print_pending_kinds(smp);
		printf("\n");
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
