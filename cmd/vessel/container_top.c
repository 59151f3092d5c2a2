/* vessel top: the container's processes, as docker shows them: the host's
 * `ps` (with the user's options, "-ef" by default) filtered to the PIDs in
 * the container's cgroup, columns aligned as docker's tabwriter does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container_admin.h"
#include "util/cleanup.h"

#define TOP_USAGE "top CONTAINER [ps OPTIONS]"

struct pid_set {
        int *pids;
        size_t n, cap;
};

static int pid_add(struct pid_set *set, int pid)
{
        if (set->n == set->cap) {
                size_t cap = set->cap ? 2 * set->cap : 64;
                int *more = realloc(set->pids, cap * sizeof(int));
                if (!more)
                        return -ENOMEM;
                set->pids = more;
                set->cap = cap;
        }
        set->pids[set->n++] = pid;
        return 0;
}

static bool pid_in(const struct pid_set *set, int pid)
{
        for (size_t i = 0; i < set->n; i++)
                if (set->pids[i] == pid)
                        return true;
        return false;
}

/* cgroup.procs of dir and of every cgroup below it. */
static int read_procs(const char *dir, struct pid_set *set, int depth)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        int pid, r = 0;
        while (r == 0 && fscanf(f, "%d", &pid) == 1)
                if (!pid_in(set, pid))
                        r = pid_add(set, pid);
        fclose(f);
        _cleanup_closedir_ DIR *d = depth < 16 ? opendir(dir) : NULL;
        for (struct dirent *e; r == 0 && d && (e = readdir(d));) {
                if (e->d_type != DT_DIR || e->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                r = read_procs(path, set, depth + 1);
        }
        return r;
}

/* Run ps with the arguments, its output in *ret. */
static int run_ps(char **args, int n, char **ret, struct vs_error *err)
{
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return vs_error_syscall(err, "cannot make a pipe for ps");
        const char *argv[n + 2];
        argv[0] = "ps";
        for (int i = 0; i < n; i++)
                argv[i + 1] = args[i];
        argv[n + 1] = NULL;
        pid_t pid = fork();
        if (pid == 0) {
                dup2(fds[1], STDOUT_FILENO);
                dup2(fds[1], STDERR_FILENO); /* its complaint becomes the error line */
                execvp("ps", (char **) argv);
                _exit(127);
        }
        close(fds[1]);
        FILE *f = fdopen(fds[0], "re");
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        char buf[8192];
        size_t got;
        while (f && mem && (got = fread(buf, 1, sizeof(buf), f)) > 0)
                fwrite(buf, 1, got, mem);
        if (f)
                fclose(f);
        else
                close(fds[0]);
        if (mem)
                fclose(mem);
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                int len = text ? (int) strcspn(text, "\n") : 0;
                vs_error_set(err, EINVAL, "ps: exit status %d: %.*s", WIFEXITED(status) ? WEXITSTATUS(status) : 1, len,
                             text ? text : "");
                free(text);
                return -EINVAL;
        }
        *ret = text;
        return text ? 0 : vs_error_set(err, ENOMEM, "out of memory");
}

/* Split a line on blanks into at most max fields, the last one keeping the rest (CMD). */
static size_t split(char *line, char **fields, size_t max)
{
        size_t n = 0;
        char *p = line + strspn(line, " \t");
        while (*p && n < max) {
                fields[n++] = p;
                if (n == max)
                        break;
                p += strcspn(p, " \t");
                if (*p)
                        *p++ = '\0';
                p += strspn(p, " \t");
        }
        return n;
}

#define TOP_COLS 32
struct top_table {
        char *cells[1024][TOP_COLS];
        size_t rows, cols;
        size_t width[TOP_COLS];
};

/* Keep the header and the lines whose PID column is in the set. */
static int filter_ps(char *out, const struct pid_set *set, struct top_table *t, struct vs_error *err)
{
        char *save = NULL;
        char *header = strtok_r(out, "\n", &save);
        t->cols = header ? split(header, t->cells[0], TOP_COLS) : 0;
        int pid_col = -1;
        for (size_t i = 0; i < t->cols; i++)
                if (strcmp(t->cells[0][i], "PID") == 0)
                        pid_col = (int) i;
        if (pid_col < 0)
                return vs_error_set(err, EINVAL, "Couldn't find PID field in ps output");
        t->rows = 1;
        for (char *line = strtok_r(NULL, "\n", &save); line && t->rows < 1024; line = strtok_r(NULL, "\n", &save)) {
                char **row = t->cells[t->rows];
                size_t n = split(line, row, t->cols);
                if (n <= (size_t) pid_col || !pid_in(set, atoi(row[pid_col])))
                        continue;
                for (size_t i = n; i < t->cols; i++)
                        row[i] = (char *) "";
                t->rows++;
        }
        return 0;
}

/* docker's tabwriter for top: minimum width 20, padding 3; the last column unpadded. */
static void print_table(struct top_table *t)
{
        for (size_t r = 0; r < t->rows; r++)
                for (size_t c = 0; c < t->cols; c++) {
                        size_t w = strlen(t->cells[r][c]) + 3;
                        if (w > t->width[c])
                                t->width[c] = w < 20 ? 20 : w;
                }
        for (size_t r = 0; r < t->rows; r++) {
                for (size_t c = 0; c < t->cols; c++) {
                        if (c + 1 == t->cols)
                                printf("%s\n", t->cells[r][c]);
                        else
                                printf("%-*s", (int) t->width[c], t->cells[r][c]);
                }
        }
}

static int top(const struct globals *g, const char *name, char **ps_args, int n_args, struct vs_error *err)
{
        struct vs_store *s = NULL;
        struct vs_container c = {0};
        struct vs_state st = {0};
        struct pid_set set = {0};
        _cleanup_free_ char *out = NULL;
        bool have_state = false;
        int r = engine_open(g, &s, err);
        if (r == 0)
                r = container_find_running(g, s, name, &c, err);
        if (r == 0)
                have_state = (r = container_runtime_state(g, &c, &st, err)) == 0;
        if (r == 0 && (!st.cgroup_dirs || !st.cgroup_dirs[0]))
                r = vs_error_set(err, ENOENT, "container %.12s has no cgroup", c.id);
        if (r == 0 && (r = read_procs(st.cgroup_dirs[0], &set, 0)) < 0)
                vs_error_errno(err, -r, "cannot read the processes of %s", st.cgroup_dirs[0]);
        if (r == 0)
                r = run_ps(ps_args, n_args, &out, err);
        struct top_table *t = r == 0 ? calloc(1, sizeof(*t)) : NULL;
        if (r == 0 && !t)
                r = vs_error_set(err, ENOMEM, "out of memory");
        if (r == 0)
                r = filter_ps(out, &set, t, err);
        if (r == 0)
                print_table(t);
        free(t);
        free(set.pids);
        if (have_state)
                vs_state_clear(&st);
        vs_container_free(&c);
        if (s)
                vs_store_close(s);
        return r;
}

int cmd_top(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0}};
        int c;
        /* "+": everything after CONTAINER is ps's */
        while ((c = next_option(argc, argv, "+h", longopts)) != -1) {
                if (c != 'h')
                        return 125;
                print_help(TOP_USAGE, "Display the running processes of a container", "");
                return 0;
        }
        if (!want_args(argc, argv, 1, -1, TOP_USAGE))
                return 125;
        static char *default_args[] = {(char *) "-ef"};
        int n = argc - optind - 1;
        char **args = n > 0 ? argv + optind + 1 : default_args;
        struct vs_error err = VS_ERROR_INIT;
        return top(g, argv[optind], args, n > 0 ? n : 1, &err) < 0 ? fail(&err) : 0;
}
