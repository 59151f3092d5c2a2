/* vessel: a container's OCI runtime calls (start, kill, delete), in-process
 * with libvessel or through the binary its HostConfig.Runtime names (the
 * one it was created with: --runtime, or vessel.conf's default then). A
 * binary is run as runc is: `RUNTIME --root DIR VERB [FLAGS] ID [ARG]`; its
 * error is the last line it wrote on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "engine/run_json.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

bool container_runtime(const struct vs_container *c, char *buf, size_t size)
{
        struct vs_run_host_summary h;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_run_host_summary(c->host_config, &h, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return false;
        }
        if (strcmp(h.runtime, "vessel") == 0)
                return false;
        snprintf(buf, size, "%s", h.runtime);
        return true;
}

/* The last non-empty line of `text`, in place. */
static const char *last_line(char *text)
{
        size_t n = strlen(text);
        while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
                text[--n] = '\0';
        char *nl = strrchr(text, '\n');
        return nl ? nl + 1 : text;
}

/* Run the binary, collect its stderr; fail with its last line. */
static int run_binary(const char *const *argv, const char *what, const char *id, struct vs_error *err)
{
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return vs_error_syscall(err, "cannot make a pipe for %s", argv[0]);
        pid_t child = fork();
        if (child < 0) {
                close(fds[0]);
                close(fds[1]);
                return vs_error_syscall(err, "cannot fork %s", argv[0]);
        }
        if (child == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                dup2(null, 0);
                dup2(null, 1);
                dup2(fds[1], 2);
                execv(argv[0], (char *const *) argv);
                dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        close(fds[1]);
        char out[4096];
        size_t got = 0;
        ssize_t rd;
        while ((rd = read(fds[0], out + got, sizeof(out) - 1 - got)) != 0) {
                if (rd < 0 && errno == EINTR)
                        continue;
                if (rd < 0)
                        break;
                got += (size_t) rd;
                if (got + 1 >= sizeof(out)) /* keep the tail: the last line is the error */
                        got = 0;
        }
        out[got] = '\0';
        close(fds[0]);
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        const char *line = last_line(out);
        return vs_error_set(err, EIO, "%s %s %.12s: %s", argv[0], what, id, line[0] ? line : "failed");
}

int runtime_start(const struct ctr_paths *p, const struct vs_container *c, struct vs_error *err)
{
        char bin[4096];
        if (!container_runtime(c, bin, sizeof(bin))) {
                struct vs_error warn = VS_ERROR_INIT;
                int r = vs_container_start(p->runtime_root, c->id, err, &warn);
                vs_error_ignore(&warn);
                return r;
        }
        const char *argv[] = {bin, "--root", p->runtime_root, "start", c->id, NULL};
        return run_binary(argv, "start", c->id, err);
}

int runtime_kill(const struct ctr_paths *p, const struct vs_container *c, int signo, bool all, struct vs_error *err)
{
        char bin[4096];
        if (!container_runtime(c, bin, sizeof(bin)))
                return vs_container_kill(p->runtime_root, c->id, signo, all, err);
        char sig[16];
        snprintf(sig, sizeof(sig), "%d", signo);
        const char *argv[] = {
                bin, "--root", p->runtime_root, "kill", all ? "--all" : c->id, all ? c->id : sig, all ? sig : NULL,
                NULL};
        return run_binary(argv, "kill", c->id, err);
}

int runtime_delete(const struct ctr_paths *p, const struct vs_container *c, bool force, struct vs_error *err)
{
        char bin[4096];
        if (!container_runtime(c, bin, sizeof(bin))) {
                struct vs_error warn = VS_ERROR_INIT;
                int r = vs_container_delete(p->runtime_root, c->id, force, err, &warn);
                vs_error_ignore(&warn);
                return r;
        }
        const char *argv[] = {bin, "--root", p->runtime_root, "delete", force ? "--force" : c->id, force ? c->id : NULL,
                              NULL};
        return run_binary(argv, "delete", c->id, err);
}

int monitor_extra_args(const struct vs_container *c, struct monitor_extra *x, struct vs_error *err)
{
        struct vs_run_host_summary h;
        int r = vs_run_host_summary(c->host_config, &h, err);
        if (r < 0)
                return vs_error_wrap(err, "container %.12s", c->id);
        size_t n = 0;
        if (strcmp(h.runtime, "vessel") != 0) {
                snprintf(x->runtime, sizeof(x->runtime), "%s", h.runtime);
                x->argv[n++] = "--runtime";
                x->argv[n++] = x->runtime;
        }
        if (h.log_none) { /* --log-driver none: the output goes nowhere (a later --log-path wins) */
                x->argv[n++] = "--log-path";
                x->argv[n++] = "/dev/null";
        } else {
                if (h.log_max_size > 0) {
                        snprintf(x->size, sizeof(x->size), "%lld", (long long) h.log_max_size);
                        x->argv[n++] = "--log-max-size";
                        x->argv[n++] = x->size;
                }
                if (h.log_max_file > 0) {
                        snprintf(x->files, sizeof(x->files), "%d", h.log_max_file);
                        x->argv[n++] = "--log-max-files";
                        x->argv[n++] = x->files;
                }
        }
        x->argv[n] = NULL;
        return 0;
}
