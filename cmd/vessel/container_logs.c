/* vessel logs: the json-file log of a container, docker's flags: -f,
 * -t, -n, --since, --until. With -f and --until, following stops once the
 * until time has passed, whether or not the container still runs. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container_admin.h"
#include "container_filter.h"
#include "engine.h"
#include "util/cleanup.h"

struct log_opts {
        bool timestamps;
        long tail;            /* -1: all */
        int64_t since, until; /* --since/--until, unix ns; 0: unset */
};

static void print_record(const char *line, const struct log_opts *o)
{
        json_t *rec = json_loads(line, 0, NULL);
        const char *text = json_string_value(json_object_get(rec, "log"));
        const char *stream = json_string_value(json_object_get(rec, "stream"));
        const char *when = json_string_value(json_object_get(rec, "time"));
        if (text && log_time_within(when, o->since, o->until)) {
                FILE *out = stream && strcmp(stream, "stderr") == 0 ? stderr : stdout;
                if (o->timestamps && when)
                        fprintf(out, "%s ", when);
                fputs(text, out);
                fflush(out);
        }
        json_decref(rec);
}

/* Print the log from offset *pos; returns the new offset. */
static long print_log(const char *path, long pos, const struct log_opts *o)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return pos;
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        if (pos == 0 && o->tail >= 0) {
                long lines = 0;
                while ((n = getline(&line, &cap, f)) > 0)
                        lines++;
                rewind(f);
                for (long skip = lines - o->tail; skip > 0 && getline(&line, &cap, f) > 0; skip--)
                        ;
        } else {
                fseek(f, pos, SEEK_SET);
        }
        while ((n = getline(&line, &cap, f)) > 0) {
                if (line[n - 1] != '\n') { /* a record being written: next time */
                        fseek(f, -n, SEEK_CUR);
                        break;
                }
                print_record(line, o);
        }
        pos = ftell(f);
        free(line);
        fclose(f);
        return pos;
}

static const char logs_help[] = "  -f, --follow         Follow log output\n"
                                "      --since string   Show logs since timestamp (e.g. "
                                "\"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)\n"
                                "  -n, --tail string    Number of lines to show from the end of the logs\n"
                                "  -t, --timestamps     Show timestamps\n"
                                "      --until string   Show logs before a timestamp (e.g. "
                                "\"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)\n";

/* 0 to go on, -1 after --help (exit 0), else the exit status of bad flags. */
static int parse_logs(int argc, char **argv, struct log_opts *o, bool *follow)
{
        static const struct option longopts[] = {
                {"follow", no_argument, NULL, 'f'},
                {"timestamps", no_argument, NULL, 't'},
                {"tail", required_argument, NULL, 'n'},
                {"since", required_argument, NULL, 'S'},
                {"until", required_argument, NULL, 'U'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        while ((c = next_option(argc, argv, "ftn:h", longopts)) != -1) {
                switch (c) {
                case 'f':
                        *follow = true;
                        break;
                case 't':
                        o->timestamps = true;
                        break;
                case 'S':
                case 'U': { /* container_filter.c */
                        struct vs_error terr = VS_ERROR_INIT;
                        if (log_time_parse(optarg, now_ns(), c == 'S' ? &o->since : &o->until, &terr) < 0)
                                return fail(&terr);
                        break;
                }
                case 'n':
                        if (strcmp(optarg, "all") == 0) {
                                o->tail = -1;
                        } else {
                                char *end;
                                o->tail = strtol(optarg, &end, 10);
                                if (*end || optarg[0] == '\0')
                                        return fail_usage("invalid argument \"%s\" for \"-n, --tail\" flag", optarg);
                        }
                        break;
                case 'h':
                        print_help("logs [OPTIONS] CONTAINER", "Fetch the logs of a container", logs_help);
                        return -1;
                default:
                        return 125;
                }
        }
        return want_args(argc, argv, 1, 1, "logs [OPTIONS] CONTAINER") ? 0 : 125;
}

/* -f: the new records while the container runs and, with --until, until
 * that time has passed (the records after it are not shown anyway). */
static void follow_log(const struct globals *g, struct vs_store *s, const char *name, struct vs_container *ctr,
                       const char *log, long pos, const struct log_opts *o)
{
        for (;;) {
                container_refresh(g, s, ctr);
                bool running = strcmp(ctr->state, "running") == 0;
                bool past = o->until && now_ns() >= o->until;
                usleep(50000); /* past: a last look, for a record stamped before it and written just after */
                pos = print_log(log, pos, o);
                if (!running || past)
                        return;
                vs_container_free(ctr);
                struct vs_error ignored = VS_ERROR_INIT;
                if (vs_container_find(s->db, name, ctr, &ignored) < 0) {
                        vs_error_ignore(&ignored);
                        return;
                }
        }
}

int cmd_logs(const struct globals *g, int argc, char **argv)
{
        struct log_opts o = {.tail = -1};
        bool follow = false;
        int r = parse_logs(argc, argv, &o, &follow);
        if (r != 0)
                return r < 0 ? 0 : r;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        struct vs_container ctr = {0};
        r = engine_open(g, &s, &err);
        if (r == 0)
                r = vs_container_find(s->db, argv[optind], &ctr, &err);
        if (r == 0)
                r = logs_readable(&ctr, &err); /* not with --log-driver none */
        if (r == 0) {
                struct ctr_paths p;
                ctr_paths(g, ctr.id, &p);
                long pos = print_log(p.log, 0, &o);
                if (follow)
                        follow_log(g, s, argv[optind], &ctr, p.log, pos, &o);
        }
        vs_container_free(&ctr);
        if (s)
                vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}
