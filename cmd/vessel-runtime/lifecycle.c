/* vessel-runtime start / kill / delete */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "commands.h"
#include "runtime/runtime.h"

int cmd_start(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{0}};
        if (next_option(argc, argv, "+", longopts, "start") != -1 || !want_args(argc, argv, 1, "start ID"))
                return 1;
        struct vs_error err = VS_ERROR_INIT, warning = VS_ERROR_INIT;
        int r = vs_container_start(g->root, argv[optind], &err, &warning);
        warn(&warning);
        return r < 0 ? fail(&err) : 0;
}

int cmd_kill(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{"all", no_argument, NULL, 'a'}, {0}};
        bool all = false;
        int c;
        while ((c = next_option(argc, argv, "+a", longopts, "kill")) != -1) {
                if (c != 'a')
                        return 1;
                all = true;
        }
        int have = argc - optind;
        if (have != 1 && have != 2)
                return want_args(argc, argv, 1, "kill [--all] ID [SIGNAL]") ? 0 : 1;
        struct vs_error err = VS_ERROR_INIT;
        int signo = SIGTERM;
        if (have == 2 && vs_signal_parse(argv[optind + 1], &signo, &err) < 0)
                return fail(&err);
        return vs_container_kill(g->root, argv[optind], signo, all, &err) < 0 ? fail(&err) : 0;
}

int cmd_delete(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{"force", no_argument, NULL, 'f'}, {0}};
        bool force = false;
        int c;
        while ((c = next_option(argc, argv, "+f", longopts, "delete")) != -1) {
                if (c != 'f')
                        return 1;
                force = true;
        }
        if (!want_args(argc, argv, 1, "delete [--force] ID"))
                return 1;
        struct vs_error err = VS_ERROR_INIT, warning = VS_ERROR_INIT;
        int r = vs_container_delete(g->root, argv[optind], force, &err, &warning);
        warn(&warning);
        if (r < 0) {
                /* As runc: deleting what does not exist is fine with --force. */
                if (force && err.code == ENOENT)
                        return 0;
                return fail(&err);
        }
        return 0;
}
