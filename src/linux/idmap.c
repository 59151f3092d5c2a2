#include "linux/idmap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

int vs_idmap_write(pid_t pid, const struct vs_oci_idmap *uids, size_t n_uids, const struct vs_oci_idmap *gids,
                   size_t n_gids, bool deny_setgroups, struct vs_error *err)
{
        if (deny_setgroups) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/setgroups", (int) pid);
                /* CVE-2014-8989: an unprivileged mapper must deny setgroups, or
                 * the process could drop groups that deny it access. */
                int r = vs_write_existing(path, "deny", err);
                if (r < 0)
                        return r;
        }
        int r = write_map(pid, "uid_map", uids, n_uids, err);
        if (r < 0)
                return r;
        return write_map(pid, "gid_map", gids, n_gids, err);
}
