/* vessel-init: a minimal init for pid 1 of a container (tini's job, for
 * `vessel run --init`).
 *
 *   vessel-init [-s] [-g] [--] CMD [ARG...]
 *
 * Runs CMD as a child in its own process group (the terminal's foreground
 * group when stdin is a tty), forwards every signal it receives to it (-g:
 * to its process group), reaps every zombie, and exits with CMD's status
 * (128+N when signal N killed it). -s: become a subreaper when not pid 1,
 * so that orphans are still reaped here.
 *
 * Signals are blocked and taken with sigwaitinfo: as pid 1 a signal with
 * the default disposition is dropped by the kernel, a blocked one is
 * queued. No allocation, no library beyond libc; linked statically so it
 * runs in any image. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

struct options {
        bool subreaper;
        bool group;
        char **cmd;
};

static int usage(void)
{
        fputs("usage: vessel-init [-s] [-g] [--] CMD [ARG...]\n"
              "  -s  become a subreaper (when not running as pid 1)\n"
              "  -g  forward signals to the child's process group\n",
              stderr);
        return 2;
}

static int parse_args(int argc, char **argv, struct options *o)
{
        *o = (struct options){0};
        int c;
        /* '+': options end at CMD, whose own options are its own. */
        while ((c = getopt(argc, argv, "+sgh")) != -1) {
                if (c == 's')
                        o->subreaper = true;
                else if (c == 'g')
                        o->group = true;
                else
                        return -1;
        }
        if (optind >= argc) {
                fputs("vessel-init: no command given\n", stderr);
                return -1;
        }
        o->cmd = argv + optind;
        return 0;
}

/* The signals a process can be sent and handle: all but the synchronous
 * faults (they must kill us if we cause them) and SIGKILL/SIGSTOP. */
static void catchable(sigset_t *set)
{
        sigfillset(set);
        sigdelset(set, SIGSEGV);
        sigdelset(set, SIGBUS);
        sigdelset(set, SIGFPE);
        sigdelset(set, SIGILL);
        sigdelset(set, SIGSYS);
        sigdelset(set, SIGTRAP);
        sigdelset(set, SIGABRT);
}

/* In the child: own process group, the terminal's foreground group if
 * stdin is one (SIGTTOU is still blocked, so tcsetpgrp cannot stop us),
 * default dispositions and the original mask; then exec. */
static void __attribute__((noreturn)) run_child(char **cmd, const sigset_t *old)
{
        (void) setpgid(0, 0);
        if (isatty(STDIN_FILENO) && tcsetpgrp(STDIN_FILENO, getpgrp()) < 0 && errno != ENOTTY)
                fprintf(stderr, "vessel-init: cannot make the child the terminal's foreground group: %s\n",
                        strerror(errno));
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        sigprocmask(SIG_SETMASK, old, NULL);
        execvp(cmd[0], cmd);
        int e = errno;
        fprintf(stderr, "vessel-init: cannot run %s: %s\n", cmd[0], strerror(e));
        _exit(e == ENOENT ? 127 : 126);
}

static int exit_code(int status)
{
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Reap every zombie; true (and *status) once the child is among them. */
static bool reap(pid_t child, int *status)
{
        bool done = false;
        for (;;) {
                int st;
                pid_t p = waitpid(-1, &st, WNOHANG);
                if (p < 0 && errno == EINTR)
                        continue;
                if (p <= 0)
                        return done;
                if (p == child) {
                        *status = st;
                        done = true;
                }
        }
}

int main(int argc, char **argv)
{
        struct options o;
        if (parse_args(argc, argv, &o) < 0)
                return usage();
        if (o.subreaper && getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                fprintf(stderr, "vessel-init: cannot become a subreaper: %s\n", strerror(errno));
        sigset_t set, old;
        catchable(&set);
        /* Before the fork: no signal may arrive between it and the wait loop. */
        sigprocmask(SIG_BLOCK, &set, &old);
        pid_t child = fork();
        if (child < 0) {
                fprintf(stderr, "vessel-init: cannot fork: %s\n", strerror(errno));
                return 1;
        }
        if (child == 0)
                run_child(o.cmd, &old);
        (void) setpgid(child, child); /* also here: a -g signal may come before the child's own call */
        for (;;) {
                int status;
                if (reap(child, &status))
                        return exit_code(status);
                siginfo_t si;
                int sig = sigwaitinfo(&set, &si);
                if (sig < 0 || sig == SIGCHLD)
                        continue;
                if (kill(o.group ? -child : child, sig) < 0 && errno != ESRCH)
                        fprintf(stderr, "vessel-init: cannot forward signal %d: %s\n", sig, strerror(errno));
        }
}
