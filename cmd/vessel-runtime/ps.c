/* vessel-runtime ps: the container's processes. --format json prints the
 * host pids as a JSON array (docker top, containerd); table runs ps(1) with
 * the given options (default -ef) and keeps its header and the lines of the
 * container's processes, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/files.h"

extern char **environ;

/* The pids of the first hierarchy that lists any (every one holds the same). */
static int container_pids(char **dirs, long **ret, size_t *ret_n)
{
        *ret = NULL;
        *ret_n = 0;
        for (char **d = dirs; d && *d; d++) {
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/cgroup.procs", *d);
                _cleanup_free_ char *procs = NULL;
                struct vs_error e = VS_ERROR_INIT;
                if (vs_read_file(path, &procs, NULL, &e) < 0) {
                        vs_error_ignore(&e);
                        continue;
                }
                size_t n = 0;
                for (char *p = procs; *p; p++)
                        n += *p == '\n';
                long *pids = calloc(n + 1, sizeof(long));
                if (!pids)
                        return -ENOMEM;
                n = 0;
                for (char *p = procs, *end; *p; p = end) {
                        long pid = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        pids[n++] = pid;
                }
                if (n) {
                        *ret = pids;
                        *ret_n = n;
                        return 0;
                }
                free(pids);
        }
        return 0;
}

static bool has_pid(const long *pids, size_t n, long pid)
{
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return true;
        return false;
}

/* Which column of the header is PID. */
static int pid_column(const char *header)
{
        _cleanup_free_ char *copy = strdup(header);
        char *save = NULL;
        int col = 0;
        for (char *t = copy ? strtok_r(copy, " \t\n", &save) : NULL; t; t = strtok_r(NULL, " \t\n", &save), col++)
                if (strcmp(t, "PID") == 0)
                        return col;
        return -1;
}

static long field_pid(const char *line, int col)
{
        _cleanup_free_ char *copy = strdup(line);
        char *save = NULL;
        char *t = copy ? strtok_r(copy, " \t\n", &save) : NULL;
        for (int i = 0; t && i < col; i++)
                t = strtok_r(NULL, " \t\n", &save);
        return t ? strtol(t, NULL, 10) : -1;
}

/* Run ps with the options, its stdout into *ret. */
static int run_ps(int n_opts, char **opts, char **ret, struct vs_error *err)
{
        char *argv[64] = {"ps"};
        int k = 1;
        if (n_opts == 0)
                argv[k++] = "-ef";
        for (int i = 0; i < n_opts && k < 63; i++)
                argv[k++] = opts[i];
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return vs_error_syscall(err, "ps: cannot create a pipe");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        pid_t pid;
        int r = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        _cleanup_close_ int rfd = pipefd[0];
        if (r != 0)
                return vs_error_errno(err, r, "ps: cannot run ps");
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", rfd);
        r = vs_read_file(path, ret, NULL, err);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
                r = vs_error_set(err, EIO, "ps: ps %s failed", n_opts ? opts[0] : "-ef");
        return r;
}

static int print_table(int n_opts, char **opts, const long *pids, size_t n, struct vs_error *err)
{
        _cleanup_free_ char *out = NULL;
        if (run_ps(n_opts, opts, &out, err) < 0)
                return -err->code;
        char *save = NULL, *header = strtok_r(out, "\n", &save);
        int col = header ? pid_column(header) : -1;
        if (col < 0)
                return vs_error_set(err, EINVAL, "ps: no PID column in the output of ps");
        printf("%s\n", header);
        for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (has_pid(pids, n, field_pid(line, col)))
                        printf("%s\n", line);
        return 0;
}

int cmd_ps(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{"format", required_argument, NULL, 'f'}, {0}};
        const char *format = "table";
        int c;
        while ((c = next_option(argc, argv, "+f:", longopts, "ps")) != -1) {
                if (c != 'f')
                        return 1;
                format = optarg;
        }
        struct vs_error err = VS_ERROR_INIT;
        if (argc - optind < 1) {
                vs_error_set(&err, EINVAL,
                             "ps: expected a container id: usage: vessel-runtime ps [--format table|json] "
                             "ID [ps options]");
                return fail(&err);
        }
        if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
                vs_error_set(&err, EINVAL, "ps: --format: expected table or json, got \"%s\"", format);
                return fail(&err);
        }
        const char *id = argv[optind];
        struct vs_state st;
        if (load_container(g, id, NULL, &st, &err) < 0)
                return fail(&err);
        _cleanup_free_ long *pids = NULL;
        size_t n = 0;
        int r = container_pids(st.cgroup_dirs, &pids, &n);
        vs_state_clear(&st);
        if (r < 0)
                return vs_error_errno(&err, -r, "ps"), fail(&err);
        if (strcmp(format, "json") == 0) {
                printf("[");
                for (size_t i = 0; i < n; i++)
                        printf("%s%ld", i ? "," : "", pids[i]);
                printf("]\n");
                return 0;
        }
        return print_table(argc - optind - 1, argv + optind + 1, pids, n, &err) < 0 ? fail(&err) : 0;
}
