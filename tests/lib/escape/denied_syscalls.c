/* denied_syscalls [PID]: make the first move of each container escape the
 * default seccomp profile closes, and print one line per call:
 * "name=OK" or "name=ERRNO-NAME". PID is the process ptrace tries to
 * attach to (default 1, the container's init).
 *
 * Every call is harmless if it succeeds, so that the control run (the same
 * program without the profile) can show what the profile takes away:
 * invalid arguments where a success would change something (kexec_load with
 * too many segments, init_module with an empty image), and whatever is
 * created (a key, a namespace, a child) lives and dies in the container.
 * Built static by the tests, so it needs nothing from the busybox root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *name, long rc)
{
        if (rc >= 0)
                printf("%s=OK\n", name);
        else
                printf("%s=%s\n", name, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
        fflush(stdout);
}

/* A raw clone: fork-like (no new stack); the child leaves at once. */
static long try_clone(unsigned long flags)
{
        long rc = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
        if (rc == 0)
                _exit(0);
        if (rc > 0)
                waitpid((pid_t) rc, NULL, 0);
        return rc;
}

static long try_clone3(void)
{
        struct clone_args args = {.exit_signal = SIGCHLD};
        long rc = syscall(SYS_clone3, &args, sizeof(args));
        if (rc == 0)
                _exit(0);
        if (rc > 0)
                waitpid((pid_t) rc, NULL, 0);
        return rc;
}

static long try_unshare(int flags)
{
        /* In a child: a success must not change this process's view. */
        pid_t pid = fork();
        if (pid == 0)
                _exit(unshare(flags) == 0 ? 0 : errno);
        int st = 0;
        waitpid(pid, &st, 0);
        errno = WEXITSTATUS(st);
        return errno ? -1 : 0;
}

int main(int argc, char **argv)
{
        pid_t target = argc > 1 ? (pid_t) atoi(argv[1]) : 1;

        report("keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
        report("add_key", syscall(SYS_add_key, "user", "vessel-test", "x", 1, KEY_SPEC_PROCESS_KEYRING));
        report("request_key", syscall(SYS_request_key, "user", "vessel-none", NULL, 0));

        union bpf_attr attr = {.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1};
        report("bpf", syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)));

        long rc = ptrace(PTRACE_ATTACH, target, 0, 0);
        report("ptrace", rc);
        if (rc == 0)
                (void) ptrace(PTRACE_DETACH, target, 0, 0);

        report("unshare_user", try_unshare(CLONE_NEWUSER));
        report("unshare_mnt", try_unshare(CLONE_NEWNS));
        report("clone_newns", try_clone(CLONE_NEWNS));
        report("clone_newuser", try_clone(CLONE_NEWUSER));
        report("clone_plain", try_clone(0));
        report("clone3", try_clone3());

        int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        report("setns", syscall(SYS_setns, ns, CLONE_NEWNET));
        close(ns);

        rc = mount("tmpfs", "/tmp", "tmpfs", 0, "size=1k");
        report("mount", rc);
        if (rc == 0)
                (void) umount2("/tmp", MNT_DETACH);
        report("umount2", syscall(SYS_umount2, "/vessel-not-a-mount", 0));
        report("pivot_root", syscall(SYS_pivot_root, "/vessel-none", "/vessel-none"));

        struct perf_event_attr pe = {.type = PERF_TYPE_SOFTWARE,
                                     .size = sizeof(pe),
                                     .config = PERF_COUNT_SW_CPU_CLOCK,
                                     .disabled = 1,
                                     .exclude_kernel = 1,
                                     .exclude_hv = 1};
        long pfd = syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
        report("perf_event_open", pfd);
        if (pfd >= 0)
                close((int) pfd);

        /* 0xffff segments: past KEXEC_SEGMENT_MAX, EINVAL once permitted. */
        report("kexec_load", syscall(SYS_kexec_load, 0UL, 0xffffUL, NULL, 0UL));
        report("init_module", syscall(SYS_init_module, "", 0UL, ""));
        report("finit_module", syscall(SYS_finit_module, -1, "", 0));
        report("delete_module", syscall(SYS_delete_module, "vessel_no_such_module", O_NONBLOCK));

        struct {
                struct file_handle h;
                unsigned char bytes[128];
        } fh = {.h.handle_bytes = 128};
        int mount_id;
        report("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &fh.h, &mount_id, 0));
        int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        long h = syscall(SYS_open_by_handle_at, root, &fh.h, O_RDONLY);
        report("open_by_handle_at", h);
        if (h >= 0)
                close((int) h);
        close(root);

        long u = syscall(SYS_userfaultfd, O_CLOEXEC);
        report("userfaultfd", u);
        if (u >= 0)
                close((int) u);
        report("swapon", syscall(SYS_swapon, "/vessel-no-such-swap", 0));
        report("acct", syscall(SYS_acct, "/vessel-no-such-file"));
        report("iopl", syscall(SYS_iopl, 0));
        report("syslog", syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0));

        /* personality: only the values Docker allows (query, PER_LINUX, PER_LINUX32, UNAME26). */
        report("personality_query", syscall(SYS_personality, 0xffffffffUL));
        long old = syscall(SYS_personality, 0xffffffffUL);
        report("personality_linux32", syscall(SYS_personality, 0x0008UL));
        report("personality_norandom", syscall(SYS_personality, 0x0040000UL /* ADDR_NO_RANDOMIZE */));
        if (old >= 0)
                (void) syscall(SYS_personality, (unsigned long) old);

        /* socket: every family but AF_VSOCK (40), the host's hypervisor channel. */
        long s = syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        report("socket_inet", s);
        if (s >= 0)
                close((int) s);
        s = syscall(SYS_socket, 40, SOCK_STREAM | SOCK_CLOEXEC, 0);
        /* Without the profile a host lacking vsock says EAFNOSUPPORT: that is "not EPERM" too. */
        report("socket_vsock", s);
        if (s >= 0)
                close((int) s);
        return 0;
}
