#include "linux/process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/ioprio.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/files.h"

int vs_process_set_hostname(const struct vs_oci_config *config, struct vs_error *err)
{
        if (config->hostname && sethostname(config->hostname, strlen(config->hostname)) < 0)
                return vs_error_syscall(err, "cannot set hostname to %s", config->hostname);
        if (config->domainname && setdomainname(config->domainname, strlen(config->domainname)) < 0)
                return vs_error_syscall(err, "cannot set domainname to %s", config->domainname);
        return 0;
}

/* CVE-2019-16884, CVE-2023-27561: an image can put a fake /proc/sys (a
 * directory, a symlink, a bind) where a real one is expected, so that
 * writes land elsewhere. /proc/sys must be procfs, and each key is opened
 * beneath it with no symlink followed and no mount crossed. */
static int open_proc_sys(struct vs_error *err)
{
        _cleanup_close_ int fd = open("/proc/sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "linux.sysctl: cannot open /proc/sys");
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0)
                return vs_error_syscall(err, "linux.sysctl: cannot inspect /proc/sys");
        if (sfs.f_type != PROC_SUPER_MAGIC)
                return vs_error_set(err, EPERM, "linux.sysctl: /proc/sys is not procfs (no proc mounted on /proc?)");
        return TAKE_FD(fd);
}

static int write_sysctl(int procsys, const char *key, const char *value, struct vs_error *err)
{
        char rel[PATH_MAX];
        if (snprintf(rel, sizeof(rel), "%s", key) >= (int) sizeof(rel) || strstr(key, "..") || key[0] == '/')
                return vs_error_set(err, EINVAL, "linux.sysctl: invalid key \"%s\"", key);
        /* "net.ipv4.ip_forward" -> net/ipv4/ip_forward; a key may carry '/'
         * for names with dots (net.ipv4.conf.eth0/1.forwarding). */
        for (char *p = rel; *p; p++)
                *p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
        struct open_how how = {
                .flags = O_WRONLY | O_CLOEXEC,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        _cleanup_close_ int fd = (int) syscall(SYS_openat2, procsys, rel, &how, sizeof(how));
        /* Without openat2: the procfs checked above has no symlinks of its own. */
        if (fd < 0 && (errno == ENOSYS || errno == EPERM))
                fd = openat(procsys, rel, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return vs_error_syscall(err, "linux.sysctl: cannot open %s", key);
        size_t len = strlen(value);
        if (write(fd, value, len) != (ssize_t) len)
                return vs_error_syscall(err, "linux.sysctl: cannot set %s to \"%s\"", key, value);
        return 0;
}

int vs_process_set_sysctl(const struct vs_oci_linux *linux_, struct vs_error *err)
{
        if (!linux_ || linux_->n_sysctl == 0)
                return 0;
        _cleanup_close_ int procsys = open_proc_sys(err);
        if (procsys < 0)
                return procsys;
        for (size_t i = 0; i < linux_->n_sysctl; i++) {
                int r = write_sysctl(procsys, linux_->sysctl[i].key, linux_->sysctl[i].value, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int vs_process_set_rlimits(const struct vs_oci_process *process, struct vs_error *err)
{
        for (size_t i = 0; i < process->n_rlimits; i++) {
                const struct vs_oci_rlimit *rl = &process->rlimits[i];
                struct rlimit lim = {.rlim_cur = rl->soft, .rlim_max = rl->hard};
                if (setrlimit(rl->resource, &lim) < 0) {
                        int e = errno;
                        struct rlimit cur;
                        if (e == EPERM && getrlimit(rl->resource, &cur) == 0 && rl->hard > cur.rlim_max)
                                return vs_error_errno(err, e,
                                                      "process.rlimits: cannot set %s to %llu:%llu, above the hard "
                                                      "limit %llu (raising it needs CAP_SYS_RESOURCE)",
                                                      rl->type, (unsigned long long) rl->soft,
                                                      (unsigned long long) rl->hard, (unsigned long long) cur.rlim_max);
                        return vs_error_errno(err, e, "process.rlimits: cannot set %s", rl->type);
                }
        }
        return 0;
}

static int set_oom_score_adj(const struct vs_oci_process *process, struct vs_error *err)
{
        if (!process->oom_score_adj.set)
                return 0;
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", (long long) process->oom_score_adj.value);
        int r = vs_write_existing("/proc/self/oom_score_adj", buf, err);
        return r < 0 ? vs_error_wrap(err, "process.oomScoreAdj") : 0;
}

static int set_io_priority(const struct vs_oci_process *process, struct vs_error *err)
{
        const struct vs_oci_io_priority *p = process->io_priority;
        if (!p)
                return 0;
        int value = IOPRIO_PRIO_VALUE(p->class_value, p->priority);
        if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, value) < 0)
                return vs_error_syscall(err, "process.ioPriority: cannot set %s %d", p->class_name, p->priority);
        return 0;
}

/* sched_setattr(2)'s argument; glibc 2.36 has no wrapper and the kernel's
 * header clashes with <sched.h>, so the ABI is spelled out here. */
struct sched_attr_abi {
        uint32_t size;
        uint32_t sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime;
        uint64_t sched_deadline;
        uint64_t sched_period;
};

static int set_scheduler(const struct vs_oci_process *process, struct vs_error *err)
{
        const struct vs_oci_scheduler *s = process->scheduler;
        if (!s)
                return 0;
        struct sched_attr_abi attr = {
                .size = sizeof(attr),
                .sched_policy = (uint32_t) s->policy_value,
                .sched_nice = s->nice,
                .sched_priority = (uint32_t) s->priority,
                .sched_runtime = s->runtime,
                .sched_deadline = s->deadline,
                .sched_period = s->period,
        };
        for (char **f = s->flags; f && *f; f++) {
                static const struct {
                        const char *name;
                        uint64_t flag;
                } flags[] = {
                        {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
                        {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
                        {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
                        {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
                };
                size_t i;
                for (i = 0; i < VS_ARRAY_SIZE(flags) && strcmp(flags[i].name, *f) != 0; i++)
                        ;
                if (i == VS_ARRAY_SIZE(flags))
                        return vs_error_set(err, EINVAL, "process.scheduler.flags: unknown flag \"%s\"", *f);
                attr.sched_flags |= flags[i].flag;
        }
        if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
                return vs_error_syscall(err, "process.scheduler: cannot set policy %s", s->policy);
        return 0;
}

static int set_personality(const struct vs_oci_linux *linux_, struct vs_error *err)
{
        if (!linux_ || !linux_->personality)
                return 0;
        unsigned long persona = strcmp(linux_->personality->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
        if (personality(persona) < 0)
                return vs_error_syscall(err, "linux.personality: cannot set %s", linux_->personality->domain);
        return 0;
}

int vs_process_set_scheduling(const struct vs_oci_process *process, const struct vs_oci_linux *linux_,
                              struct vs_error *err)
{
        int r = set_oom_score_adj(process, err);
        if (r == 0)
                r = set_io_priority(process, err);
        if (r == 0)
                r = set_scheduler(process, err);
        if (r == 0)
                r = set_personality(linux_, err);
        return r;
}

int vs_process_set_user(const struct vs_oci_process *process, struct vs_error *err)
{
        const struct vs_oci_user *u = &process->user;
        /* Groups first: after setresuid the process may lack the right to. */
        /* Clearing the host's groups may be refused in a user namespace whose
         * setgroups is denied; that is fine when none are asked for. */
        if (setgroups(u->n_additional_gids, (const gid_t *) u->additional_gids) < 0 &&
            !(errno == EPERM && u->n_additional_gids == 0))
                return vs_error_syscall(err, "process.user.additionalGids: cannot set groups");
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return vs_error_syscall(err, "process.user.gid: cannot switch to gid %u", u->gid);
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return vs_error_syscall(err, "process.user.uid: cannot switch to uid %u", u->uid);
        if (u->umask.set)
                umask((mode_t) u->umask.value);
        return 0;
}

static const char *env_path(const struct vs_oci_process *process)
{
        for (char **e = process->env; e && *e; e++)
                if (strncmp(*e, "PATH=", 5) == 0)
                        return *e + 5;
        return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

static bool is_executable_file(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int vs_process_find_executable(const struct vs_oci_process *process, char **ret, struct vs_error *err)
{
        const char *name = process->args[0];
        if (strchr(name, '/')) {
                if (!is_executable_file(name))
                        return vs_error_errno(err, errno ? errno : ENOENT, "exec: \"%s\"", name);
                *ret = strdup(name);
                return *ret ? 0 : vs_error_errno(err, ENOMEM, "exec");
        }
        const char *path = env_path(process);
        while (*path) {
                const char *colon = strchrnul(path, ':');
                char candidate[PATH_MAX];
                /* An empty PATH entry means the current directory. */
                int dirlen = colon == path ? 1 : (int) (colon - path);
                int n = snprintf(candidate, sizeof(candidate), "%.*s/%s", dirlen, colon == path ? "." : path, name);
                if (n > 0 && (size_t) n < sizeof(candidate) && is_executable_file(candidate)) {
                        *ret = strdup(candidate);
                        return *ret ? 0 : vs_error_errno(err, ENOMEM, "exec");
                }
                path = *colon ? colon + 1 : colon;
        }
        return vs_error_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}
