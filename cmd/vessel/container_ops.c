/* vessel ps, logs, stop, kill, rm, wait, and the `container` group. */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "container_admin.h"
#include "container_filter.h"
#include "engine.h"
#include "format.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/files.h"

#define PS_TABLE "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}"

static const struct header_name ps_headers[] = {
        {"ID", "CONTAINER ID"}, {"RunningFor", "CREATED"}, {"CreatedAt", "CREATED AT"}, {NULL, NULL}};

/* "Up 3 seconds", "Exited (0) 2 minutes ago", "Created". */
static void status_text(const struct vs_container *c, char *buf, size_t size)
{
        char d[64];
        int64_t now = now_ns();
        if (strcmp(c->state, "running") == 0 || strcmp(c->state, "paused") == 0) {
                human_duration((now - c->started_at) / 1000000000, d, sizeof(d));
                snprintf(buf, size, "Up %s%s", d, strcmp(c->state, "paused") == 0 ? " (Paused)" : "");
        } else if (strcmp(c->state, "exited") == 0) {
                human_duration((now - c->finished_at) / 1000000000, d, sizeof(d));
                snprintf(buf, size, "Exited (%d) %s ago", c->exit_code, d);
        } else if (strcmp(c->state, "restarting") == 0) { /* restart_policy.c */
                human_duration((now - c->finished_at) / 1000000000, d, sizeof(d));
                snprintf(buf, size, "Restarting (%d) %s ago", c->exit_code, d);
        } else {
                snprintf(buf, size, "Created");
        }
}

static json_t *ps_row(const struct vs_container *c, bool no_trunc)
{
        char id[80], status[96], since[80], at[64];
        snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, c->id);
        status_text(c, status, sizeof(status));
        human_duration((now_ns() - c->created) / 1000000000, since, sizeof(since));
        strcat(since, " ago");
        human_time(c->created / 1000000000, at, sizeof(at));
        /* docker quotes the command and cuts it at 20 characters */
        json_t *args = json_loads(c->command, 0, NULL);
        char cmd[256] = "";
        size_t len = 0;
        for (size_t i = 0; json_is_array(args) && i < json_array_size(args) && len + 1 < sizeof(cmd); i++)
                len += (size_t) snprintf(cmd + len, sizeof(cmd) - len, "%s%s", i ? " " : "",
                                         json_string_value(json_array_get(args, i)) ?: "");
        json_decref(args);
        char quoted[300];
        if (!no_trunc && strlen(cmd) > 20)
                snprintf(quoted, sizeof(quoted), "\"%.19s…\"", cmd);
        else
                snprintf(quoted, sizeof(quoted), "\"%s\"", cmd);
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", id, "Image", c->image_name, "Command", quoted,
                         "RunningFor", since, "CreatedAt", at, "Status", status, "State", c->state, "Ports", "",
                         "Names", c->name);
}

int cmd_ps(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"all", no_argument, NULL, 'a'},        {"quiet", no_argument, NULL, 'q'},
                {"no-trunc", no_argument, NULL, 'N'},   {"format", required_argument, NULL, 'F'},
                {"last", required_argument, NULL, 'L'}, {"latest", no_argument, NULL, 'l'},
                {"help", no_argument, NULL, 'h'},       {"filter", required_argument, NULL, 'f'},
                {"size", no_argument, NULL, 's'},       {0},
        };
        bool all = false, quiet = false, no_trunc = false, size = false;
        const char *format = NULL;
        const char *filters[64];
        size_t n_filters = 0;
        long last = -1;
        int c;
        while ((c = next_option(argc, argv, "aqn:lhf:s", longopts)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f': /* container_filter.c */
                        if (n_filters == VS_ARRAY_SIZE(filters))
                                return fail_usage("too many --filter flags");
                        filters[n_filters++] = optarg;
                        break;
                case 's':
                        size = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'F':
                        format = optarg;
                        break;
                case 'N':
                        no_trunc = true;
                        break;
                case 'n':
                case 'L': {
                        char *end;
                        last = strtol(optarg, &end, 10);
                        if (*end || last < 0)
                                return fail_usage("invalid argument \"%s\" for \"-n, --last\" flag", optarg);
                        all = true;
                        break;
                }
                case 'l':
                        last = 1;
                        all = true;
                        break;
                case 'h':
                        print_help("ps [OPTIONS]", "List containers",
                                   "  -a, --all             Show all containers (default shows just running)\n"
                                   "  -f, --filter filter   Filter output based on conditions provided\n"
                                   "      --format string   Pretty-print containers using a Go template\n"
                                   "  -n, --last int        Show n last created containers (includes all states)\n"
                                   "  -l, --latest          Show the latest created container (includes all states)\n"
                                   "      --no-trunc        Don't truncate output\n"
                                   "  -q, --quiet           Only display container IDs\n"
                                   "  -s, --size            Display total file sizes\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 0, 0, "ps [OPTIONS]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        struct vs_container *cs = NULL;
        size_t n = 0;
        struct ps_filter filter = {0};
        int r = 0;
        for (size_t i = 0; r == 0 && i < n_filters; i++)
                r = ps_filter_add(&filter, filters[i], &err);
        if (r < 0) {
                ps_filter_free(&filter);
                return fail(&err);
        }
        all = all || ps_filter_implies_all(&filter);
        r = engine_open(g, &s, &err);
        if (r == 0)
                r = vs_container_list(s->db, &cs, &n, &err);
        json_t *rows = json_array();
        long shown = 0;
        for (size_t i = 0; r == 0 && i < n; i++) {
                container_refresh(g, s, &cs[i]);
                container_mark_paused(g, &cs[i]);
                if (last >= 0 && shown >= last)
                        break;
                if (!all && strcmp(cs[i].state, "running") != 0 && strcmp(cs[i].state, "paused") != 0)
                        continue;
                if (!ps_filter_match(&filter, s, &cs[i]))
                        continue;
                json_t *row = ps_row(&cs[i], no_trunc);
                container_net_ps_ports(s, &cs[i], row); /* PORTS (container_net.c) */
                if (size) {
                        struct ctr_paths p;
                        ctr_paths(g, cs[i].id, &p);
                        ps_row_add_size(s, &cs[i], p.upper, row);
                }
                json_array_append_new(rows, row);
                shown++;
        }
        ps_filter_free(&filter);
        if (r == 0)
                r = format_rows(stdout, quiet ? "{{.ID}}" : format, size ? PS_TABLE "\\t{{.Size}}" : PS_TABLE, rows,
                                ps_headers, &err);
        json_decref(rows);
        vs_container_list_free(cs, n);
        if (s)
                vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}

/* --- logs: container_logs.c --- */

/* --- stop, kill, rm, wait --- */

static int stop_one(const struct globals *g, struct vs_store *s, struct vs_container *c, int timeout, int signo,
                    struct vs_error *err)
{
        /* first: a restart policy must not start it again (restart_policy.c) */
        int r = vs_container_set_stopped_by_user(s->db, c->id, true, err);
        if (r < 0)
                return r;
        container_refresh(g, s, c);
        if (strcmp(c->state, "running") != 0)
                return 0;
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        r = runtime_kill(&p, c, signo, false, err);
        int ended;
        if (r < 0 && read_exit_file(p.exit_file, &ended, NULL) == 0) { /* it exited meanwhile */
                vs_error_ignore(err);
                r = 0;
        }
        for (int i = 0; r == 0 && i < timeout * 50; i++) {
                int code;
                if (read_exit_file(p.exit_file, &code, NULL) == 0)
                        break;
                usleep(20000);
        }
        int code;
        if (r == 0 && read_exit_file(p.exit_file, &code, NULL) < 0) {
                r = runtime_kill(&p, c, SIGKILL, true, err);
                /* it ended meanwhile, and its cleanup may have deleted the runtime's state */
                if (r < 0 && (err->code == ENOENT || read_exit_file(p.exit_file, &code, NULL) == 0)) {
                        vs_error_ignore(err);
                        r = 0;
                }
        }
        if (r < 0)
                return r;
        r = container_wait(g, s, c->id, &code, err);
        if (r == -ENOENT) { /* a --rm container: its cleanup removed it */
                vs_error_ignore(err);
                r = 0;
        }
        return r;
}

int container_stop(const struct globals *g, struct vs_store *s, struct vs_container *c, int timeout,
                   struct vs_error *err)
{
        return stop_one(g, s, c, timeout, SIGTERM, err);
}

/* Run `fn` on every container named in argv[optind..]: docker's loop. */
static int for_each(const struct globals *g, int argc, char **argv, bool print,
                    int (*fn)(const struct globals *, struct vs_store *, struct vs_container *, void *,
                              struct vs_error *),
                    void *data)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (engine_open(g, &s, &err) < 0)
                return fail(&err);
        int status = 0;
        for (int i = optind; i < argc; i++) {
                struct vs_container c = {0};
                int r = vs_container_find(s->db, argv[i], &c, &err);
                if (r == 0)
                        r = fn(g, s, &c, data, &err);
                vs_container_free(&c);
                if (r < 0) {
                        status = fail(&err);
                        err = (struct vs_error) VS_ERROR_INIT;
                } else if (print) {
                        printf("%s\n", argv[i]);
                }
        }
        vs_store_close(s);
        return status;
}

struct stop_args {
        int timeout;
        int signo;
        bool force, volumes;
};

static int do_stop(const struct globals *g, struct vs_store *s, struct vs_container *c, void *data,
                   struct vs_error *err)
{
        struct stop_args *a = data;
        return stop_one(g, s, c, a->timeout, SIGTERM, err);
}

int cmd_stop(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"time", required_argument, NULL, 't'},
                {"timeout", required_argument, NULL, 't'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        struct stop_args a = {.timeout = 10};
        int c;
        while ((c = next_option(argc, argv, "t:h", longopts)) != -1) {
                switch (c) {
                case 't': {
                        char *end;
                        a.timeout = (int) strtol(optarg, &end, 10);
                        if (*end || optarg[0] == '\0')
                                return fail_usage("invalid argument \"%s\" for \"-t, --time\" flag", optarg);
                        break;
                }
                case 'h':
                        print_help("stop [OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers",
                                   "  -t, --time int   Seconds to wait before killing the container (default 10)\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 1, -1, "stop [OPTIONS] CONTAINER [CONTAINER...]"))
                return 125;
        return for_each(g, argc, argv, true, do_stop, &a);
}

static int do_kill(const struct globals *g, struct vs_store *s, struct vs_container *c, void *data,
                   struct vs_error *err)
{
        struct stop_args *a = data;
        container_refresh(g, s, c);
        if (strcmp(c->state, "running") != 0)
                return vs_error_set(err, EINVAL, "Cannot kill container: %s: Container %.64s is not running", c->name,
                                    c->id);
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        int r = vs_container_set_stopped_by_user(s->db, c->id, true, err);
        if (r == 0)
                r = runtime_kill(&p, c, a->signo, false, err);
        int ended;
        if (r < 0 && read_exit_file(p.exit_file, &ended, NULL) == 0) { /* it exited meanwhile */
                vs_error_ignore(err);
                r = vs_error_set(err, EINVAL, "Cannot kill container: %s: Container %.64s is not running", c->name,
                                 c->id);
        }
        return r;
}

int cmd_kill(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"signal", required_argument, NULL, 's'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        struct stop_args a = {.signo = SIGKILL};
        int c;
        while ((c = next_option(argc, argv, "s:h", longopts)) != -1) {
                switch (c) {
                case 's': {
                        struct vs_error err = VS_ERROR_INIT;
                        if (vs_signal_parse(optarg, &a.signo, &err) < 0)
                                return fail_usage("invalid signal: %s", optarg);
                        break;
                }
                case 'h':
                        print_help("kill [OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers",
                                   "  -s, --signal string   Signal to send to the container (default \"KILL\")\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 1, -1, "kill [OPTIONS] CONTAINER [CONTAINER...]"))
                return 125;
        return for_each(g, argc, argv, true, do_kill, &a);
}

static int do_rm(const struct globals *g, struct vs_store *s, struct vs_container *c, void *data, struct vs_error *err)
{
        struct stop_args *a = data;
        container_refresh(g, s, c);
        if (strcmp(c->state, "running") == 0) {
                if (!a->force)
                        return vs_error_set(err, EBUSY,
                                            "cannot remove container \"/%s\": container is running: stop the "
                                            "container before removing or force remove",
                                            c->name);
                int r = stop_one(g, s, c, 0, SIGKILL, err);
                if (r < 0)
                        return r;
                struct vs_container again = {0};
                r = vs_container_find(s->db, c->id, &again, err);
                if (r == -ENOENT) { /* --rm's cleanup took it already */
                        vs_error_ignore(err);
                        return 0;
                }
                if (r < 0)
                        return r;
                r = a->volumes ? container_remove_volumes(g, s, &again, err) : container_remove(g, s, &again, err);
                vs_container_free(&again);
                return r;
        }
        return a->volumes ? container_remove_volumes(g, s, c, err) : container_remove(g, s, c, err);
}

int cmd_rm(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"force", no_argument, NULL, 'f'},
                {"volumes", no_argument, NULL, 'v'},
                {"link", no_argument, NULL, 'l'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        struct stop_args a = {0};
        int c;
        while ((c = next_option(argc, argv, "fvlh", longopts)) != -1) {
                switch (c) {
                case 'f':
                        a.force = true;
                        break;
                case 'v':
                        a.volumes = true;
                        break;
                case 'l':
                        break;
                case 'h':
                        print_help("rm [OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
                                   "  -f, --force     Force the removal of a running container (uses SIGKILL)\n"
                                   "  -v, --volumes   Remove anonymous volumes associated with the container\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 1, -1, "rm [OPTIONS] CONTAINER [CONTAINER...]"))
                return 125;
        return for_each(g, argc, argv, true, do_rm, &a);
}

static int do_wait(const struct globals *g, struct vs_store *s, struct vs_container *c, void *data,
                   struct vs_error *err)
{
        int code = 0;
        int r = container_wait(g, s, c->id, &code, err);
        if (r == -ENOENT) {
                vs_error_ignore(err);
                r = 0;
        }
        if (r == 0)
                printf("%d\n", code);
        return r;
}

int cmd_wait(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0}};
        int c;
        while ((c = next_option(argc, argv, "h", longopts)) != -1) {
                if (c == 'h') {
                        print_help("wait CONTAINER [CONTAINER...]",
                                   "Block until one or more containers stop, then print their exit codes", "");
                        return 0;
                }
                return 125;
        }
        if (!want_args(argc, argv, 1, -1, "wait CONTAINER [CONTAINER...]"))
                return 125;
        return for_each(g, argc, argv, false, do_wait, NULL);
}

/* `container cleanup ID`: the monitor's exit command. */
static int cmd_cleanup(const struct globals *g, int argc, char **argv)
{
        if (argc != 2)
                return fail_usage("\"container cleanup\" requires exactly 1 argument");
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        int r = engine_open(g, &s, &err);
        if (r == 0)
                r = container_cleanup(g, s, argv[1], &err);
        if (s)
                vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}

int cmd_container(const struct globals *g, int argc, char **argv)
{
        static const struct {
                const char *name, *alias;
                int (*run)(const struct globals *g, int argc, char **argv);
                const char *summary;
        } subs[] = {
                {"ls", "list", cmd_ps, "List containers"},
                {"ps", NULL, cmd_ps, "List containers"},
                {"create", NULL, cmd_create, "Create a new container"},
                {"run", NULL, cmd_run, "Create and run a new container from an image"},
                {"start", NULL, cmd_start, "Start one or more stopped containers"},
                {"stop", NULL, cmd_stop, "Stop one or more running containers"},
                {"kill", NULL, cmd_kill, "Kill one or more running containers"},
                {"rm", "remove", cmd_rm, "Remove one or more containers"},
                {"logs", NULL, cmd_logs, "Fetch the logs of a container"},
                {"wait", NULL, cmd_wait, "Block until one or more containers stop"},
                {"exec", NULL, cmd_exec, "Execute a command in a running container"},
                {"attach", NULL, cmd_attach, "Attach to a running container"},
                {"top", NULL, cmd_top, "Display the running processes of a container"},
                {"stats", NULL, cmd_stats, "Display a live stream of container(s) resource usage statistics"},
                {"pause", NULL, cmd_pause, "Pause all processes within one or more containers"},
                {"unpause", NULL, cmd_unpause, "Unpause all processes within one or more containers"},
                {"update", NULL, cmd_update, "Update configuration of one or more containers"},
                {"rename", NULL, cmd_rename, "Rename a container"},
                {"restart", NULL, cmd_restart, "Restart one or more containers"},
                {"cp", NULL, cmd_cp, "Copy files/folders between a container and the local filesystem"},
                {"export", NULL, cmd_export, "Export a container's filesystem as a tar archive"},
                {"diff", NULL, cmd_diff, "Inspect changes to files or directories on a container's filesystem"},
                {"commit", NULL, cmd_commit, "Create a new image from a container's changes"},
                {"inspect", NULL, cmd_container_inspect, "Display detailed information on one or more containers"},
                {"cleanup", NULL, cmd_cleanup, "Record a container's exit (run by its monitor)"},
        };
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                printf("\nUsage:  vessel container COMMAND\n\nManage containers\n\nCommands:\n");
                for (size_t i = 0; i < VS_ARRAY_SIZE(subs); i++)
                        printf("  %-9s %s\n", subs[i].name, subs[i].summary);
                return 0;
        }
        for (size_t i = 0; i < VS_ARRAY_SIZE(subs); i++)
                if (strcmp(argv[1], subs[i].name) == 0 || (subs[i].alias && strcmp(argv[1], subs[i].alias) == 0)) {
                        optind = 0;
                        return subs[i].run(g, argc - 1, argv + 1);
                }
        return fail_usage("'container %s' is not a vessel command (see 'vessel container --help')", argv[1]);
}
