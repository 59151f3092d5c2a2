/* vessel-runtime: an OCI runtime with runc's command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "linux/sealed_exe.h"
#include "util/log.h"
#include "vessel-config.h"

static const struct command {
        const char *name;
        int (*run)(const struct globals *g, int argc, char **argv);
        const char *summary;
} commands[] = {
        {"create", cmd_create, "create a container"},
        {"start", cmd_start, "start a created container"},
        {"run", cmd_run, "create and start a container"},
        {"exec", cmd_exec, "run a new process in a container"},
        {"state", cmd_state, "output the state of a container"},
        {"kill", cmd_kill, "send a signal to the container's init process"},
        {"delete", cmd_delete, "delete a container and everything it holds"},
        {"list", cmd_list, "list the containers of this root"},
        {"ps", cmd_ps, "list the processes of a container"},
        {"pause", cmd_pause, "freeze every process of a container"},
        {"resume", cmd_resume, "thaw a paused container"},
        {"update", cmd_update, "change a running container's resource limits"},
        {"events", cmd_events, "print a container's stats and OOM events"},
        {"spec", cmd_spec, "create a new config.json"},
        {"features", cmd_features, "show the features this runtime supports"},
};

int fail(const struct vs_error *err)
{
        vs_log_error("%s", err->msg[0] ? err->msg : strerror(err->code ? err->code : EIO));
        return 1;
}

void warn(const struct vs_error *warning)
{
        if (warning->code)
                vs_log_warning("%s", warning->msg);
}

/* Go's flag package lets a boolean be spelled --flag=true or --flag=false
 * (also 1/0, t/f, T/F, TRUE/FALSE, True/False), and runc's users and engines'
 * --runtime-flag lists do so. Rewrite argv[optind] when it is such a boolean:
 * a true value loses its "=VALUE"; a false one is skipped (the default of
 * every runc boolean is false). Returns false for a value Go would refuse. */
static bool take_bool_value(int argc, char **argv, const struct option *longopts)
{
        while (optind < argc && argv[optind][0] == '-' && argv[optind][1]) {
                char *name = argv[optind] + (argv[optind][1] == '-' ? 2 : 1);
                char *eq = strchr(name, '=');
                if (!eq || eq - name < 2)
                        return true;
                const struct option *o = longopts;
                while (o->name && (o->has_arg != no_argument || strlen(o->name) != (size_t) (eq - name) ||
                                   strncmp(o->name, name, (size_t) (eq - name)) != 0))
                        o++;
                if (!o->name)
                        return true;
                static const char *const truths[] = {"1", "t", "T", "true", "TRUE", "True"};
                static const char *const lies[] = {"0", "f", "F", "false", "FALSE", "False"};
                for (size_t i = 0; i < sizeof(truths) / sizeof(truths[0]); i++)
                        if (strcmp(eq + 1, truths[i]) == 0) {
                                *eq = '\0';
                                return true;
                        }
                bool is_false = false;
                for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++)
                        is_false |= strcmp(eq + 1, lies[i]) == 0;
                if (!is_false)
                        return false;
                optind++;
        }
        return true;
}

int next_option(int argc, char **argv, const char *shortopts, const struct option *longopts, const char *command)
{
        opterr = 0;
        if (optind > 0 && !take_bool_value(argc, argv, longopts)) {
                struct vs_error err = VS_ERROR_INIT;
                vs_error_set(&err, EINVAL, "%s: flag %s: expected true or false", command, argv[optind]);
                fail(&err);
                return -2;
        }
        int c = getopt_long_only(argc, argv, shortopts, longopts, NULL);
        if (c == '?' || c == ':') {
                struct vs_error err = VS_ERROR_INIT;
                const char *arg = argv[optind - 1];
                if (c == ':' || (optopt && strchr(shortopts, optopt)))
                        vs_error_set(&err, EINVAL, "%s: flag %s needs a value", command, arg);
                else
                        vs_error_set(&err, EINVAL, "%s: unknown flag %s", command, arg);
                fail(&err);
                return -2;
        }
        return c;
}

bool want_args(int argc, char **argv, int n, const char *usage)
{
        int have = argc - optind;
        if (have == n)
                return true;
        struct vs_error err = VS_ERROR_INIT;
        vs_error_set(&err, EINVAL, "%s: expected %d argument%s, got %d: usage: vessel-runtime %s", argv[0], n,
                     n == 1 ? "" : "s", have, usage);
        fail(&err);
        return false;
}

static void usage(FILE *out, const char *root)
{
        fprintf(out, "usage: vessel-runtime [global options] COMMAND [options] [arguments]\n\n"
                     "An OCI runtime with runc's command line.\n\nCommands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(out,
                "\nGlobal options:\n"
                "  --root DIR             state root (default %s)\n"
                "  --log FILE             also write log lines to FILE\n"
                "  --log-format text|json format of the --log lines\n"
                "  --debug                log debug lines\n"
                "  --systemd-cgroup       use systemd's cgroup driver (needs systemd)\n"
                "  --version, --help\n",
                root);
}

static void version(void)
{
        printf("vessel-runtime version %s\ncommit: %s\nspec: %s\n", VESSEL_VERSION, VESSEL_COMMIT, VESSEL_OCI_VERSION);
}

/* Default root as runc: /run for real root; $XDG_RUNTIME_DIR for the rest. */
/* uid 0 of a user namespace (rootless podman runs the runtime so), as
 * runc's userns.RunningInUserNS: any uid_map but the identity of all ids. */
static bool in_user_namespace(void)
{
        FILE *f = fopen("/proc/self/uid_map", "re");
        if (!f)
                return false;
        unsigned long inside = 0, outside = 0, count = 0;
        int n = fscanf(f, "%lu %lu %lu", &inside, &outside, &count);
        fclose(f);
        return !(n == 3 && inside == 0 && outside == 0 && count == 4294967295UL);
}

/* As runc's shouldHonorXDGRuntimeDir: not root, or root of a user namespace
 * whose USER is unset or not root. An empty XDG_RUNTIME_DIR counts as unset. */
static bool honour_xdg_runtime_dir(void)
{
        if (geteuid() != 0)
                return true;
        if (!in_user_namespace())
                return false;
        const char *user = getenv("USER");
        return !user || strcmp(user, "root") != 0;
}

static const char *default_root(void)
{
        static char buf[4096];
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (xdg && xdg[0] && honour_xdg_runtime_dir()) {
                snprintf(buf, sizeof(buf), "%s/vessel-runtime", xdg);
                return buf;
        }
        return "/run/vessel-runtime";
}

static int parse_globals(int argc, char **argv, struct globals *g)
{
        enum {
                OPT_ROOT = 1000,
                OPT_LOG,
                OPT_LOG_FORMAT,
                OPT_DEBUG,
                OPT_SYSTEMD,
                OPT_CRIU,
                OPT_ROOTLESS,
                OPT_VERSION,
                OPT_HELP
        };
        static const struct option longopts[] = {
                {"root", required_argument, NULL, OPT_ROOT},
                {"log", required_argument, NULL, OPT_LOG},
                {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
                {"debug", no_argument, NULL, OPT_DEBUG},
                {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD},
                {"criu", required_argument, NULL, OPT_CRIU},
                {"rootless", required_argument, NULL, OPT_ROOTLESS},
                {"version", no_argument, NULL, 'v'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *log_format = "text";
        int c;
        while ((c = next_option(argc, argv, "+vh", longopts, "vessel-runtime")) != -1) {
                switch (c) {
                case OPT_ROOT:
                        g->root = optarg;
                        break;
                case OPT_LOG:
                        g->log = optarg;
                        break;
                case OPT_LOG_FORMAT:
                        log_format = optarg;
                        break;
                case OPT_DEBUG:
                        g->debug = true;
                        break;
                case OPT_SYSTEMD:
                        g->systemd_cgroup = true;
                        break;
                case OPT_CRIU:
                case OPT_ROOTLESS:
                        break; /* accepted as runc does; nothing to do here */
                case 'v':
                        version();
                        exit(0);
                case 'h':
                        usage(stdout, g->root);
                        exit(0);
                default:
                        return -1;
                }
        }
        if (strcmp(log_format, "json") != 0 && strcmp(log_format, "text") != 0) {
                fprintf(stderr, "vessel-runtime: --log-format: expected text or json, got \"%s\"\n", log_format);
                return -1;
        }
        g->log_json = strcmp(log_format, "json") == 0;
        return 0;
}

int main(int argc, char **argv)
{
        struct globals g = {.root = default_root(), .argv = argv};
        vs_log_open("vessel-runtime", NULL, false, VS_LOG_ERROR);
        if (parse_globals(argc, argv, &g) < 0)
                return 1;
        if (vs_log_open("vessel-runtime", g.log, g.log_json, g.debug ? VS_LOG_DEBUG : VS_LOG_ERROR) < 0) {
                fprintf(stderr, "vessel-runtime: --log: cannot open %s: %s\n", g.log, strerror(errno));
                return 1;
        }
        if (optind >= argc) {
                usage(stderr, g.root);
                return 1;
        }
        const char *name = argv[optind];
        /* exec puts a process among the container's: it runs from a sealed
         * copy of the runtime (CVE-2019-5736); fexecve starts main over.
         * create and run decide once they have read config.json. */
        if (strcmp(name, "exec") == 0) {
                struct vs_error err = VS_ERROR_INIT;
                if (vs_sealed_exe_reexec(argv, environ, &err) < 0)
                        return fail(&err);
        }
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                if (strcmp(commands[i].name, name) != 0)
                        continue;
                /* Hand the command its own argv: argv[0] is its name. */
                int cargc = argc - optind;
                char **cargv = argv + optind;
                optind = 1;
                return commands[i].run(&g, cargc, cargv);
        }
        struct vs_error err = VS_ERROR_INIT;
        vs_error_set(&err, EINVAL, "unknown command \"%s\" (see vessel-runtime --help)", name);
        return fail(&err);
}
