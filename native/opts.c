/*
 * The command line, parsed with getopt_long(3).  Only the long options below
 * exist, spelled in full ("--pidfile P" or "--pidfile=P"); every other word
 * before "--" is an error, and CMD comes after "--".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

enum { OPT_HELP = 1, OPT_JSON, OPT_JSON_ERRORS, OPT_CLEAR_ENV, OPT_WAIT_READY, OPT_SETTLE,
       OPT_PIDFILE, OPT_UMASK, OPT_CHDIR, OPT_STDOUT, OPT_STDERR, OPT_USER, OPT_ENV };

static const struct option longopts[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "json-errors", no_argument, NULL, OPT_JSON_ERRORS },
	{ "clear-env", no_argument, NULL, OPT_CLEAR_ENV },
	{ "wait-ready", optional_argument, NULL, OPT_WAIT_READY },
	{ "settle", required_argument, NULL, OPT_SETTLE },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "umask", required_argument, NULL, OPT_UMASK },
	{ "chdir", required_argument, NULL, OPT_CHDIR },
	{ "stdout", required_argument, NULL, OPT_STDOUT },
	{ "stderr", required_argument, NULL, OPT_STDERR },
	{ "user", required_argument, NULL, OPT_USER },
	{ "env", required_argument, NULL, OPT_ENV },
	{ NULL, 0, NULL, 0 },
};

void opts_usage(FILE *out)
{
	fputs("usage: daemon-check-helper [--pidfile P] [--umask OCTAL] [--chdir DIR]\n"
	      "                           [--stdout FILE] [--stderr FILE] [--user USER[:GROUP]]\n"
	      "                           [--env K=V]... [--clear-env] [--wait-ready[=SECONDS]]\n"
	      "                           [--settle SECONDS] [--json] [--json-errors] -- CMD [ARGS...]\n"
	      "--settle: watch SECONDS (default 1.5; 0: off) for CMD forking itself away\n"
	      "          (it exits 0 and a child lives on) and follow it to the real daemon.\n"
	      "--json-errors: report a failure as one JSON line on stderr (native/protocol.h)\n"
	      "          instead of the line \"daemon-check: ...\".\n"
	      "\n"
	      "       daemon-check-helper scan-read PROC_ROOT\n"
	      "reads what a scan needs of every process under PROC_ROOT (see native/scan-read.c).\n",
	      out);
}

/* The index of the option ARG ("--NAME" or "--NAME=VALUE") names exactly, or
 * -1: getopt_long would also take an unambiguous abbreviation. */
static int exact(const char *arg)
{
	size_t n = strcspn(arg + 2, "=");
	for (int i = 0; longopts[i].name; i++)
		if (strlen(longopts[i].name) == n && strncmp(arg + 2, longopts[i].name, n) == 0)
			return i;
	return -1;
}

/* Seconds from TEXT for OPT: a number in [0, 1e6] ('0' allowed only if
 * ZERO_OK).  The !(t >= 0) form also rejects NaN. */
static int seconds(const char *opt, const char *text, bool zero_ok, double *out, struct failure *f)
{
	char *end;
	errno = 0;
	double t = strtod(text, &end);
	if (errno || end == text || *end || !(t >= 0) || (!zero_ok && t == 0) || t > 1e6) {
		failure_init(f, STAGE_USAGE_SECONDS, 0);
		f->option = opt;
		f->value = text;
		return -1;
	}
	*out = t;
	return 0;
}

static int value_of(struct options *o, int c, const char *v, struct failure *f)
{
	size_t n;

	switch (c) {
	case OPT_WAIT_READY:
		o->wait_ready = true;
		o->ready_timeout = DEFAULT_READY_TIMEOUT;
		return v ? seconds("--wait-ready", v, false, &o->ready_timeout, f) : 0;
	case OPT_SETTLE:
		return seconds("--settle", v, true, &o->settle, f);
	case OPT_PIDFILE:
		if (!*v) {
			failure_init(f, STAGE_USAGE_EMPTY_PIDFILE, 0);
			return -1;
		}
		o->pidfile = v;
		return 0;
	case OPT_UMASK:
		n = strlen(v);
		if (n == 0 || n > 4 || strspn(v, "01234567") != n || strtoul(v, NULL, 8) > 0777) {
			failure_init(f, STAGE_USAGE_UMASK, 0);
			f->value = v;
			return -1;
		}
		o->umask = (mode_t)strtoul(v, NULL, 8);
		return 0;
	case OPT_CHDIR: o->chdir = v; return 0;
	case OPT_STDOUT: o->stdout_path = v; return 0;
	case OPT_STDERR: o->stderr_path = v; return 0;
	case OPT_USER: o->user = v; return 0;
	default: break;
	}
	/* OPT_ENV: collected in order; applied after the base environment. */
	const char *eq = strchr(v, '=');
	if (!eq || eq == v) {
		failure_init(f, STAGE_USAGE_ENV, 0);
		f->value = v;
		return -1;
	}
	const char **more = realloc(o->env, (o->envc + 1) * sizeof *more);
	if (!more) {
		failure_init(f, STAGE_MEMORY, ENOMEM);
		return -1;
	}
	o->env = more;
	o->env[o->envc++] = v;
	return 0;
}

/* One option, ARGV[optind], which starts with "--" and is not "--". */
static int one(int argc, char **argv, struct options *o, struct failure *f)
{
	const char *a = argv[optind];
	int i = exact(a), c;

	if (i >= 0)
		c = getopt_long(argc, argv, "+:", longopts, NULL);
	if (i < 0 || c == '?') {
		failure_init(f, STAGE_USAGE_UNKNOWN, 0);
		f->arg = a;
		return -1;
	}
	/* A missing value, or "--" taken for one: "--pidfile -- CMD". */
	if (c == ':' || (optarg && optarg == argv[optind - 1] && strcmp(optarg, "--") == 0)) {
		failure_init(f, STAGE_USAGE_NEEDS_VALUE, 0);
		f->option = longopts[i].name;
		return -1;
	}
	switch (c) {
	case OPT_HELP: return 1;
	case OPT_JSON: o->json = true; return 0;
	case OPT_JSON_ERRORS: o->json_errors = true; return 0;
	case OPT_CLEAR_ENV: o->clear_env = true; return 0;
	default: return value_of(o, c, optarg, f);
	}
}

int opts_parse(int argc, char **argv, struct options *o, struct failure *f)
{
	bool separated = false;

	*o = (struct options){ .umask = 022, .chdir = "/", .ready_timeout = DEFAULT_READY_TIMEOUT, .settle = DEFAULT_SETTLE };
	/* Known before any other option: a failure in one before it is
	 * reported in the form asked for. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		o->json_errors = o->json_errors || strcmp(argv[i], "--json-errors") == 0;
	opterr = 0; /* the messages are ours */
	optind = 1;
	while (optind < argc) {
		const char *a = argv[optind];
		if (strcmp(a, "--") == 0) {
			optind++;
			separated = true;
			break;
		}
		if (strncmp(a, "--", 2) != 0) {
			failure_init(f, STAGE_USAGE_UNEXPECTED, 0);
			f->arg = a;
			return -1;
		}
		int r = one(argc, argv, o, f);
		if (r != 0)
			return r;
	}
	if (!separated) {
		failure_init(f, STAGE_USAGE_NO_SEPARATOR, 0);
		return -1;
	}
	if (optind >= argc || argv[optind][0] == '\0') {
		failure_init(f, STAGE_USAGE_NO_COMMAND, 0);
		return -1;
	}
	o->argv = argv + optind;
	if (o->chdir[0] == '\0' || (o->stdout_path && !*o->stdout_path) ||
	    (o->stderr_path && !*o->stderr_path)) {
		failure_init(f, STAGE_USAGE_EMPTY_PATH, 0);
		return -1;
	}
	return 0;
}

void opts_free(struct options *o)
{
	free(o->env);
	o->env = NULL;
	o->envc = 0;
}
