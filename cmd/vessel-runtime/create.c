/* vessel-runtime create / run */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

struct create_args {
        struct vs_create_options opts;
        bool detach;
};

static int check_systemd(const struct globals *g, struct vs_error *err)
{
        if (g->systemd_cgroup && access("/run/systemd/system", F_OK) != 0)
                return vs_error_set(err, ENOTSUP,
                                    "--systemd-cgroup: systemd is not running on this host (no "
                                    "/run/systemd/system); use the cgroupfs driver");
        return 0;
}

/* LISTEN_FDS (socket activation) adds to --preserve-fds, as in runc. */
static int listen_fds(void)
{
        const char *s = getenv("LISTEN_FDS");
        return s ? atoi(s) : 0;
}

static int parse_create(const struct globals *g, int argc, char **argv, struct create_args *a, bool is_run)
{
        enum {
                OPT_NO_PIVOT = 1000,
                OPT_NO_NEW_KEYRING,
                OPT_PRESERVE_FDS,
                OPT_CONSOLE_SOCKET,
                OPT_PID_FILE,
                OPT_NO_SUBREAPER,
                OPT_KEEP
        };
        static const struct option longopts[] = {
                {"bundle", required_argument, NULL, 'b'},
                {"pid-file", required_argument, NULL, OPT_PID_FILE},
                {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
                {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
                {"no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING},
                {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
                {"detach", no_argument, NULL, 'd'},
                {"no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER},
                {"keep", no_argument, NULL, OPT_KEEP},
                {0},
        };
        a->opts = (struct vs_create_options){
                .root = g->root, .systemd_cgroup = g->systemd_cgroup, .reexec_argv = g->argv, .reexec_envp = environ};
        int c;
        while ((c = next_option(argc, argv, is_run ? "+b:d" : "+b:", longopts, argv[0])) != -1) {
                switch (c) {
                case 'b':
                        a->opts.bundle = optarg;
                        break;
                case OPT_PID_FILE:
                        a->opts.pid_file = optarg;
                        break;
                case OPT_CONSOLE_SOCKET:
                        a->opts.console_socket = optarg;
                        break;
                case OPT_NO_PIVOT:
                        a->opts.no_pivot = true;
                        break;
                case OPT_NO_NEW_KEYRING:
                        a->opts.no_new_keyring = true;
                        break;
                case OPT_PRESERVE_FDS: {
                        char *end;
                        long n = strtol(optarg, &end, 10);
                        if (!*optarg || *end || n < 0 || n > 65536) {
                                struct vs_error err = VS_ERROR_INIT;
                                vs_error_set(&err, EINVAL, "--preserve-fds: expected a count, got \"%s\"", optarg);
                                return fail(&err);
                        }
                        a->opts.preserve_fds = (int) n;
                        break;
                }
                case 'd':
                        a->detach = true;
                        break;
                case OPT_NO_SUBREAPER:
                case OPT_KEEP:
                        break; /* accepted as runc does */
                default:
                        return 1;
                }
        }
        if (!want_args(argc, argv, 1, is_run ? "run [options] ID" : "create [options] ID"))
                return 1;
        a->opts.id = argv[optind];
        a->opts.preserve_fds += listen_fds();
        return 0;
}

int cmd_create(const struct globals *g, int argc, char **argv)
{
        struct create_args a = {0};
        int r = parse_create(g, argc, argv, &a, false);
        if (r)
                return r;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_created c;
        if (check_systemd(g, &err) < 0 || vs_container_create(&a.opts, false, &c, &err) < 0)
                return fail(&err);
        vs_safe_close(c.sync_fd);
        vs_safe_close(c.rootfd);
        vs_safe_close(c.terminal_master);
        free(c.id);
        vs_strv_free(c.cgroup_dirs);
        return 0;
}

int cmd_run(const struct globals *g, int argc, char **argv)
{
        struct create_args a = {0};
        int r = parse_create(g, argc, argv, &a, true);
        if (r)
                return r;
        struct vs_error err = VS_ERROR_INIT;
        if (check_systemd(g, &err) < 0)
                return fail(&err);
        if (a.detach) {
                struct vs_created c;
                if (vs_container_create(&a.opts, false, &c, &err) < 0)
                        return fail(&err);
                vs_safe_close(c.sync_fd);
                vs_safe_close(c.rootfd);
                vs_safe_close(c.terminal_master);
                free(c.id);
                vs_strv_free(c.cgroup_dirs);
                struct vs_error warning = VS_ERROR_INIT;
                int r = vs_container_start(g->root, a.opts.id, &err, &warning);
                warn(&warning);
                return r < 0 ? fail(&err) : 0;
        }
        int status = 0;
        struct vs_error warning = VS_ERROR_INIT;
        r = vs_container_run(&a.opts, &status, &err, &warning);
        warn(&warning);
        return r < 0 ? fail(&err) : status;
}
