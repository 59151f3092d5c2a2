#include "linux/idmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/files.h"

static int format_map(const struct vs_oci_idmap *m, size_t n, char *buf, size_t sz)
{
        size_t off = 0;
        for (size_t i = 0; i < n; i++) {
                int w = snprintf(buf + off, sz - off, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
                if (w < 0 || (size_t) w >= sz - off)
                        return -ENAMETOOLONG;
                off += (size_t) w;
        }
        return (int) off;
}

static int write_map(pid_t pid, const char *file, const struct vs_oci_idmap *m, size_t n, struct vs_error *err)
{
        char path[64], buf[4096];
        if (n == 0)
                return 0;
        int len = format_map(m, n, buf, sizeof(buf));
        if (len < 0)
                return vs_error_set(err, EINVAL, "%s: too many mappings", file);
        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
        int r = vs_write_existing_at(-1, path, buf, (size_t) len, err);
        if (r < 0)
                return vs_error_wrap(err, "cannot write the user namespace's %s", file);
        return 0;
}

/* Without CAP_SETUID over the parent namespace, the kernel lets a process
 * map only its own id, once: anything more goes through the setuid helpers
 * of shadow's uidmap package, which check /etc/subuid and /etc/subgid. */
static bool own_id_only(const struct vs_oci_idmap *m, size_t n, unsigned own)
{
        return n == 1 && m[0].size == 1 && m[0].host_id == own;
}

static int run_helper(const char *helper, const char *field, pid_t pid, const struct vs_oci_idmap *m, size_t n,
                      struct vs_error *err)
{
        if (n > 100)
                return vs_error_set(err, E2BIG, "%s: too many mappings for %s", field, helper);
        char *argv[3 + 3 * 100 + 1], nums[3 * 100 + 1][16];
        size_t k = 0;
        argv[k++] = (char *) helper;
        snprintf(nums[0], sizeof(nums[0]), "%d", (int) pid);
        argv[k++] = nums[0];
        for (size_t i = 0; i < n; i++) {
                snprintf(nums[1 + 3 * i], 16, "%u", m[i].container_id);
                snprintf(nums[2 + 3 * i], 16, "%u", m[i].host_id);
                snprintf(nums[3 + 3 * i], 16, "%u", m[i].size);
                argv[k++] = nums[1 + 3 * i];
                argv[k++] = nums[2 + 3 * i];
                argv[k++] = nums[3 + 3 * i];
        }
        argv[k] = NULL;
        pid_t child = fork();
        if (child < 0)
                return vs_error_syscall(err, "%s: cannot fork %s", field, helper);
        if (child == 0) {
                execvp(helper, argv);
                _exit(127);
        }
        int status;
        while (waitpid(child, &status, 0) < 0)
                if (errno != EINTR)
                        return vs_error_syscall(err, "%s: cannot wait for %s", field, helper);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return vs_error_set(err, EPERM, "%s: mapping ids other than your own needs %s (Debian package uidmap)",
                                    field, helper);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return vs_error_set(err, EPERM, "%s: %s refused the mapping (see /etc/subuid and /etc/subgid)", field,
                                    helper);
        return 0;
}

int vs_idmap_write(pid_t pid, const struct vs_oci_idmap *uids, size_t n_uids, const struct vs_oci_idmap *gids,
                   size_t n_gids, bool deny_setgroups, struct vs_error *err)
{
        bool privileged = geteuid() == 0;
        bool gid_direct = privileged || own_id_only(gids, n_gids, (unsigned) getegid());
        if (deny_setgroups && gid_direct) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/setgroups", (int) pid);
                /* CVE-2014-8989: an unprivileged mapper must deny setgroups, or
                 * the process could drop groups that deny it access. */
                int r = vs_write_existing(path, "deny", err);
                if (r < 0)
                        return r;
        }
        int r = privileged || own_id_only(uids, n_uids, (unsigned) geteuid())
                        ? write_map(pid, "uid_map", uids, n_uids, err)
                        : run_helper("newuidmap", "linux.uidMappings", pid, uids, n_uids, err);
        if (r < 0)
                return r;
        return gid_direct ? write_map(pid, "gid_map", gids, n_gids, err)
                          : run_helper("newgidmap", "linux.gidMappings", pid, gids, n_gids, err);
}
