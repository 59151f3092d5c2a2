/* vessel: the engine, with Docker's command line and no daemon. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "util/log.h"
#include "vessel-config.h"

/* Exit status of a command line vessel could not make sense of (docker's). */
#define EXIT_USAGE 125

static const struct command {
        const char *name;
        int (*run)(const struct globals *g, int argc, char **argv);
        const char *summary;
} commands[] = {
        {"run", cmd_run, "Create and run a new container from an image"},
        {"create", cmd_create, "Create a new container"},
        {"start", cmd_start, "Start one or more stopped containers"},
        {"ps", cmd_ps, "List containers"},
        {"logs", cmd_logs, "Fetch the logs of a container"},
        {"stop", cmd_stop, "Stop one or more running containers"},
        {"kill", cmd_kill, "Kill one or more running containers"},
        {"rm", cmd_rm, "Remove one or more containers"},
        {"wait", cmd_wait, "Block until one or more containers stop, then print their exit codes"},
        {"exec", cmd_exec, "Execute a command in a running container"},
        {"attach", cmd_attach, "Attach local standard input, output, and error streams to a running container"},
        {"top", cmd_top, "Display the running processes of a container"},
        {"stats", cmd_stats, "Display a live stream of container(s) resource usage statistics"},
        {"pause", cmd_pause, "Pause all processes within one or more containers"},
        {"unpause", cmd_unpause, "Unpause all processes within one or more containers"},
        {"update", cmd_update, "Update configuration of one or more containers"},
        {"rename", cmd_rename, "Rename a container"},
        {"restart", cmd_restart, "Restart one or more containers"},
        {"cp", cmd_cp, "Copy files/folders between a container and the local filesystem"},
        {"export", cmd_export, "Export a container's filesystem as a tar archive"},
        {"diff", cmd_diff, "Inspect changes to files or directories on a container's filesystem"},
        {"commit", cmd_commit, "Create a new image from a container's changes"},
        {"container", cmd_container, "Manage containers"},
        {"volume", cmd_volume, "Manage volumes"},
        {"network", cmd_network, "Manage networks"},
        {"port", cmd_port, "List port mappings or a specific mapping for the container"},
        {"images", cmd_images, "List images"},
        {"pull", cmd_pull, "Download an image from a registry"},
        {"push", cmd_push, "Upload an image to a registry"},
        {"rmi", cmd_rmi, "Remove one or more images"},
        {"tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
        {"history", cmd_history, "Show the history of an image"},
        {"inspect", cmd_inspect, "Return low-level information on vessel objects"},
        {"save", cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)"},
        {"load", cmd_load, "Load an image from a tar archive or STDIN"},
        {"import", cmd_import, "Import the contents from a tarball to create a filesystem image"},
        {"login", cmd_login, "Log in to a registry"},
        {"logout", cmd_logout, "Log out from a registry"},
        {"image", cmd_image, "Manage images"},
        {"info", cmd_info, "Display system-wide information"},
        {"system", cmd_system, "Manage vessel"},
        {"version", cmd_version, "Show the vessel version information"},
};

static bool usage_error;

int fail(const struct vs_error *err)
{
        vs_log_error("%s", err->msg[0] ? err->msg : strerror(err->code ? err->code : EIO));
        return 1;
}

int fail_usage(const char *fmt, ...)
{
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        vs_log_error("%s", msg);
        usage_error = true;
        return EXIT_USAGE;
}

int next_option(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
        opterr = 0;
        int c = getopt_long(argc, argv, shortopts, longopts, NULL);
        if (c != '?' && c != ':')
                return c;
        const char *arg = argv[optind - 1];
        if (c == ':' || (optopt && strchr(shortopts, optopt) && optopt != '?'))
                fail_usage("flag needs an argument: %s (see 'vessel %s --help')", arg, argv[0]);
        else if (optopt && strncmp(arg, "--", 2) != 0)
                fail_usage("unknown shorthand flag: '%c' in %s (see 'vessel %s --help')", optopt, arg, argv[0]);
        else
                fail_usage("unknown flag: %s (see 'vessel %s --help')", arg, argv[0]);
        return -2;
}

bool want_args(int argc, char **argv, int min, int max, const char *usage)
{
        int have = argc - optind;
        if (have >= min && (max < 0 || have <= max))
                return true;
        if (min == max)
                fail_usage("\"%s\" requires exactly %d argument%s (usage: vessel %s)", argv[0], min,
                           min == 1 ? "" : "s", usage);
        else if (have < min)
                fail_usage("\"%s\" requires at least %d argument%s (usage: vessel %s)", argv[0], min,
                           min == 1 ? "" : "s", usage);
        else
                fail_usage("\"%s\" accepts at most %d argument%s (usage: vessel %s)", argv[0], max, max == 1 ? "" : "s",
                           usage);
        return false;
}

void print_help(const char *usage, const char *summary, const char *options)
{
        printf("\nUsage:  vessel %s\n\n%s\n", usage, summary);
        if (options && options[0])
                printf("\nOptions:\n%s", options);
}

int open_store(const struct globals *g, struct vs_store **ret, struct vs_error *err)
{
        int r = vs_store_open(g->root, ret, err);
        if (r < 0)
                return vs_error_wrap(err, "store %s", g->root);
        return 0;
}

static void usage(FILE *out)
{
        fprintf(out, "\nUsage:  vessel [OPTIONS] COMMAND\n\n"
                     "A daemonless container engine with Docker's command line\n\n"
                     "Options:\n"
                     "      --root string      Root of the store (default \"/var/lib/vessel\", $VESSEL_ROOT)\n"
                     "      --runroot string   Root of the run state (default \"/run/vessel\", $VESSEL_RUNROOT)\n"
                     "  -D, --debug            Enable debug mode\n"
                     "  -l, --log-level string Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\")\n"
                     "  -v, --version          Print version information and quit\n\n"
                     "Commands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(out, "\nRun 'vessel COMMAND --help' for more information on a command.\n");
}

int cmd_version(const struct globals *g, int argc, char **argv)
{
        printf("Client:\n Version:    %s\n Git commit: %s\n OS/Arch:    linux/%s\n\n"
               "Engine:\n Version:    %s (daemonless)\n Runtime:    vessel-runtime (OCI %s)\n",
               VESSEL_VERSION, VESSEL_COMMIT,
#if defined(__x86_64__)
               "amd64",
#elif defined(__aarch64__)
               "arm64",
#else
               "unknown",
#endif
               VESSEL_VERSION, VESSEL_OCI_VERSION);
        return 0;
}

static int parse_globals(int argc, char **argv, struct globals *g)
{
        enum {
                OPT_ROOT = 1000,
                OPT_RUNROOT
        };
        static const struct option longopts[] = {
                {"root", required_argument, NULL, OPT_ROOT},
                {"runroot", required_argument, NULL, OPT_RUNROOT},
                {"debug", no_argument, NULL, 'D'},
                {"log-level", required_argument, NULL, 'l'},
                {"version", no_argument, NULL, 'v'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        while ((c = next_option(argc, argv, "+Dl:vh", longopts)) != -1) {
                switch (c) {
                case OPT_ROOT:
                        g->root = optarg;
                        break;
                case OPT_RUNROOT:
                        g->runroot = optarg;
                        break;
                case 'D':
                        g->debug = true;
                        break;
                case 'l':
                        if (strcmp(optarg, "debug") == 0)
                                g->debug = true;
                        else if (strcmp(optarg, "info") != 0 && strcmp(optarg, "warn") != 0 &&
                                 strcmp(optarg, "error") != 0 && strcmp(optarg, "fatal") != 0)
                                return fail_usage("unable to parse logging level: %s", optarg);
                        break;
                case 'v':
                        printf("vessel version %s, build %s\n", VESSEL_VERSION, VESSEL_COMMIT);
                        exit(0);
                case 'h':
                        usage(stdout);
                        exit(0);
                default:
                        return EXIT_USAGE;
                }
        }
        return 0;
}

static const char *absolute(const char *path, char *buf, size_t size)
{
        char cwd[PATH_MAX];
        if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
                return path;
        if ((size_t) snprintf(buf, size, "%s/%s", cwd, path) >= size)
                return path;
        return buf;
}

static const char *env_or(const char *name, const char *fallback)
{
        const char *v = getenv(name);
        return v && v[0] ? v : fallback;
}

int main(int argc, char **argv)
{
        struct globals g = {
                .root = env_or("VESSEL_ROOT", "/var/lib/vessel"),
                .runroot = env_or("VESSEL_RUNROOT", "/run/vessel"),
        };
        vs_log_open("vessel", NULL, false, VS_LOG_ERROR);
        argv[0] = (char *) "vessel";
        int r = parse_globals(argc, argv, &g);
        if (r != 0)
                return r;
        if (g.debug)
                vs_log_open("vessel", NULL, false, VS_LOG_DEBUG);
        /* The store's paths go into config.json and to the monitor, which
         * run elsewhere: make them absolute. */
        static char root[PATH_MAX], runroot[PATH_MAX];
        g.root = absolute(g.root, root, sizeof(root));
        g.runroot = absolute(g.runroot, runroot, sizeof(runroot));
        if (optind >= argc) {
                usage(stderr);
                return 0;
        }
        const char *name = argv[optind];
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                if (strcmp(commands[i].name, name) != 0)
                        continue;
                int cargc = argc - optind;
                char **cargv = argv + optind;
                optind = 0; /* a full getopt reset: each command parses afresh */
                r = commands[i].run(&g, cargc, cargv);
                return usage_error ? EXIT_USAGE : r;
        }
        return fail_usage("'%s' is not a vessel command (see 'vessel --help')", name);
}
