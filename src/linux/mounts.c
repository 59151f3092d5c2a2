#include "linux/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "oci/mount_options.h"
#include "util/cleanup.h"
#include "util/files.h"

typedef char fd_path_t[32];

static const char *fd_path(fd_path_t buf, int fd)
{
        snprintf(buf, sizeof(fd_path_t), "/proc/self/fd/%d", fd);
        return buf;
}

static int plan_add_data(struct vs_mount_plan *plan, const char *opt, struct vs_error *err)
{
        size_t l = strlen(plan->data);
        int n = snprintf(plan->data + l, sizeof(plan->data) - l, "%s%s", l ? "," : "", opt);
        if (n < 0 || (size_t) n >= sizeof(plan->data) - l)
                return vs_error_set(err, E2BIG, "options: too long");
        return 0;
}

int vs_mount_plan_parse(const struct vs_oci_mount *m, struct vs_mount_plan *plan, struct vs_error *err)
{
        *plan = (struct vs_mount_plan){0};
        if (m->type && strcmp(m->type, "bind") == 0)
                plan->bind = true;
        for (size_t i = 0; i < m->n_options; i++) {
                struct vs_oci_mount_option_info info;
                vs_oci_mount_option_lookup(m->options[i], &info);
                switch (info.kind) {
                case VS_OCI_MOUNT_OPT_FLAG:
                        if (info.flags & MS_BIND) {
                                plan->bind = true;
                                plan->recursive_bind |= (info.flags & MS_REC) != 0;
                        } else if (info.clear) {
                                plan->flags &= ~info.flags;
                        } else {
                                plan->flags |= info.flags;
                        }
                        break;
                case VS_OCI_MOUNT_OPT_PROPAGATION:
                        plan->propagation = info.flags;
                        break;
                case VS_OCI_MOUNT_OPT_RECURSIVE:
                        plan->attr_set = (plan->attr_set & ~info.attr_clr) | info.attr_set;
                        plan->attr_clr |= info.attr_clr;
                        break;
                case VS_OCI_MOUNT_OPT_EXTENSION:
                        plan->tmpcopyup |= info.extension == VS_OCI_MOUNT_EXT_TMPCOPYUP;
                        plan->idmap |= info.extension != VS_OCI_MOUNT_EXT_TMPCOPYUP;
                        break;
                case VS_OCI_MOUNT_OPT_DATA:
                        if (plan_add_data(plan, m->options[i], err) < 0)
                                return -E2BIG;
                        break;
                }
        }
        return 0;
}

/* The destination must exist inside the root: a directory, or an empty
 * file when a non-directory is bind-mounted there. */
static int open_destination(const struct vs_mount_context *ctx, const struct vs_oci_mount *m,
                            const struct vs_mount_plan *plan, struct vs_error *err)
{
        bool file = false;
        struct stat st;
        if (plan->bind && m->source && stat(m->source, &st) == 0 && !S_ISDIR(st.st_mode))
                file = true;
        return vs_mkdir_in_root(ctx->rootfd, m->destination, file, err);
}

/* A bind ignores most flags on creation: remount to apply them. */
static int remount_bind(const char *target, unsigned long flags, struct vs_error *err)
{
        unsigned long wanted = flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (wanted == 0)
                return 0;
        struct statvfs sv;
        unsigned long keep = 0;
        /* Locked flags of the source (nodev, nosuid... in a user namespace) must be repeated. */
        if (statvfs(target, &sv) == 0) {
                if (sv.f_flag & ST_NOSUID)
                        keep |= MS_NOSUID;
                if (sv.f_flag & ST_NODEV)
                        keep |= MS_NODEV;
                if (sv.f_flag & ST_NOEXEC)
                        keep |= MS_NOEXEC;
        }
        if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | wanted | keep, NULL) < 0)
                return vs_error_syscall(err, "cannot remount with the mount's flags");
        return 0;
}

static int do_bind(const struct vs_oci_mount *m, const struct vs_mount_plan *plan, const char *target,
                   struct vs_error *err)
{
        if (!m->source)
                return vs_error_set(err, EINVAL, "source: a bind mount needs a source");
        if (mount(m->source, target, NULL, MS_BIND | (plan->recursive_bind ? MS_REC : 0), NULL) < 0)
                return vs_error_syscall(err, "cannot bind %s", m->source);
        return 1; /* the flags are applied by a remount of the new mount */
}

static int mount_cgroup_v1_tree(const struct vs_mount_context *ctx, const char *destination, const char *target,
                                const struct vs_mount_plan *plan, struct vs_error *err);

static int do_fs_mount(const struct vs_mount_context *ctx, const struct vs_oci_mount *m,
                       const struct vs_mount_plan *plan, const char *target, struct vs_error *err)
{
        const char *type = m->type;
        const char *source = m->source ? m->source : type;
        if (strcmp(type, "cgroup") == 0)
                return mount_cgroup_v1_tree(ctx, m->destination, target, plan, err);
        if (mount(source, target, type, plan->flags, plan->data[0] ? plan->data : NULL) == 0)
                return 0;
        int e = errno;
        /* In a user namespace sysfs and mqueue cannot be made without their
         * own net / ipc namespace: give the host's, as runc does. */
        if (e == EPERM && (strcmp(type, "sysfs") == 0 || strcmp(type, "mqueue") == 0)) {
                const char *host = strcmp(type, "sysfs") == 0 ? "/sys" : "/dev/mqueue";
                if (mount(host, target, NULL, MS_BIND | MS_REC, NULL) == 0)
                        return 1; /* a bind: remounted with the flags afterwards */
        }
        return vs_error_errno(err, e, "cannot mount %s", type);
}

static int set_recursive_attrs(int fd, const struct vs_mount_plan *plan, struct vs_error *err)
{
        if (!plan->attr_set && !plan->attr_clr)
                return 0;
        struct mount_attr attr = {.attr_set = plan->attr_set, .attr_clr = plan->attr_clr};
        if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return vs_error_syscall(err, "cannot set recursive mount attributes");
        return 0;
}

/* After a mount on an fd, that fd still names the directory underneath:
 * reopen the destination by name (inside the root) to reach the new mount,
 * and apply what needs a second call through it. */
static int mount_finish(const struct vs_mount_context *ctx, const struct vs_oci_mount *m,
                        const struct vs_mount_plan *plan, bool remount, struct vs_error *err)
{
        if (!remount && !plan->propagation && !plan->attr_set && !plan->attr_clr)
                return 0;
        _cleanup_close_ int mnt = vs_open_in_root(ctx->rootfd, m->destination, O_PATH, 0, err);
        if (mnt < 0)
                return mnt;
        fd_path_t target;
        fd_path(target, mnt);
        if (remount && remount_bind(target, plan->flags, err) < 0)
                return -err->code;
        if (plan->propagation && mount(NULL, target, NULL, plan->propagation, NULL) < 0)
                return vs_error_syscall(err, "cannot set propagation");
        return set_recursive_attrs(mnt, plan, err);
}

static int mount_one(const struct vs_mount_context *ctx, const struct vs_oci_mount *m, struct vs_error *err)
{
        struct vs_mount_plan plan;
        int r = vs_mount_plan_parse(m, &plan, err);
        if (r < 0)
                return r;
        if (!plan.bind && !m->type)
                return vs_error_set(err, EINVAL, "type: missing (and the options ask for no bind)");
        _cleanup_close_ int dest = open_destination(ctx, m, &plan, err);
        if (dest < 0)
                return dest;
        /* Mount on the fd opened inside the root, never on a re-resolved
         * path: a symlink swapped in meanwhile cannot redirect the mount out
         * of the container (CVE-2021-30465). */
        fd_path_t target;
        fd_path(target, dest);
        r = plan.bind ? do_bind(m, &plan, target, err) : do_fs_mount(ctx, m, &plan, target, err);
        if (r < 0)
                return r;
        return mount_finish(ctx, m, &plan, r == 1, err);
}

int vs_mounts_apply(const struct vs_mount_context *ctx, const struct vs_oci_config *config, struct vs_error *err)
{
        for (size_t i = 0; i < config->n_mounts; i++) {
                int r = mount_one(ctx, &config->mounts[i], err);
                if (r < 0)
                        return vs_error_wrap(err, "mounts[%zu] (%s)", i, config->mounts[i].destination);
        }
        return 0;
}

int vs_mount_remount_ro(const char *path, struct vs_error *err)
{
        struct statvfs sv;
        unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
        if (statvfs(path, &sv) == 0) {
                flags |= (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
                         (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
        }
        if (mount(NULL, path, NULL, flags, NULL) < 0)
                return vs_error_syscall(err, "cannot remount %s read-only", path);
        return 0;
}

/* A "cgroup" mount: on a pure v2 host, cgroup2. Otherwise (v1 or hybrid) a
 * tmpfs with one directory per hierarchy: with a cgroup namespace, the
 * hierarchy mounted afresh (rooted at the container's cgroup by the
 * namespace); without one, a bind of the container's own directory. */
static int mount_hierarchy(const struct vs_mount_context *ctx, int tmpfs_fd, const char *hdir, const char *name,
                           const char *type, const char *opts, const struct vs_mount_plan *plan, struct vs_error *err)
{
        if (mkdirat(tmpfs_fd, name, 0755) < 0 && errno != EEXIST)
                return vs_error_syscall(err, "cannot create cgroup directory %s", name);
        _cleanup_close_ int sub = openat(tmpfs_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
                return vs_error_syscall(err, "cannot open cgroup directory %s", name);
        fd_path_t t;
        fd_path(t, sub);
        unsigned long flags = (plan->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
        if (ctx->new_cgroup_ns) {
                if (mount("cgroup", t, type, flags, opts) < 0)
                        return vs_error_syscall(err, "cannot mount the %s cgroup hierarchy", name);
                return 0;
        }
        if (!hdir)
                return 0;
        if (mount(hdir, t, NULL, MS_BIND, NULL) < 0)
                return vs_error_syscall(err, "cannot bind the cgroup %s", hdir);
        _cleanup_close_ int mnt = openat(tmpfs_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (mnt < 0)
                return vs_error_syscall(err, "cannot open cgroup directory %s", name);
        return remount_bind(fd_path(t, mnt), flags, err);
}

static const char *container_dir_in(char **dirs, const char *mount_point)
{
        size_t l = strlen(mount_point);
        for (char **d = dirs; d && *d; d++)
                if (strncmp(*d, mount_point, l) == 0 && (*d)[l] == '/')
                        return *d;
        return NULL;
}

/* A user namespace cannot mount v1 hierarchies: give the host's tree, read-only
 * all the way down (runc does the same for rootless containers). */
static int bind_host_cgroups(const struct vs_mount_context *ctx, const char *destination, const char *target,
                             struct vs_error *err)
{
        if (mount("/sys/fs/cgroup", target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return vs_error_syscall(err, "cannot bind the host's /sys/fs/cgroup");
        _cleanup_close_ int mnt = vs_open_in_root(ctx->rootfd, destination, O_PATH, 0, err);
        if (mnt < 0)
                return mnt;
        struct vs_mount_plan ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                               MOUNT_ATTR_NOEXEC};
        return set_recursive_attrs(mnt, &ro, err);
}

static int mount_cgroup_v1_tree(const struct vs_mount_context *ctx, const char *destination, const char *target,
                                const struct vs_mount_plan *plan, struct vs_error *err)
{
        struct vs_cgroup_hosts hosts = {0};
        int r = vs_cgroup_hosts_detect(&hosts, err);
        if (r < 0)
                return r;
        bool pure_v2 = hosts.n == 1 && hosts.h[0].v2;
        if (pure_v2 || hosts.n == 0) {
                vs_cgroup_hosts_clear(&hosts);
                if (mount("cgroup2", target, "cgroup2", plan->flags, NULL) < 0)
                        return vs_error_syscall(err, "cannot mount cgroup2");
                return 0;
        }
        if (ctx->in_user_ns) {
                vs_cgroup_hosts_clear(&hosts);
                return bind_host_cgroups(ctx, destination, target, err);
        }
        if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0) {
                vs_cgroup_hosts_clear(&hosts);
                return vs_error_syscall(err, "cannot mount a tmpfs for the cgroup hierarchies");
        }
        /* Reopen by name inside the root: the fd the tmpfs was mounted on
         * still shows the directory underneath. */
        _cleanup_close_ int tfd = vs_open_in_root(ctx->rootfd, destination, O_PATH | O_DIRECTORY, 0, err);
        if (tfd < 0) {
                vs_cgroup_hosts_clear(&hosts);
                return tfd;
        }
        for (size_t i = 0; r == 0 && i < hosts.n; i++) {
                const struct vs_cgroup_hierarchy *h = &hosts.h[i];
                const char *name = strrchr(h->mount_point, '/') + 1;
                const char *dir = container_dir_in(ctx->cgroup_dirs, h->mount_point);
                if (h->v2)
                        r = mount_hierarchy(ctx, tfd, dir, name, "cgroup2", NULL, plan, err);
                else
                        r = mount_hierarchy(ctx, tfd, dir, name, "cgroup", h->controllers, plan, err);
        }
        vs_cgroup_hosts_clear(&hosts);
        fd_path_t tmpfs_path;
        if (r == 0 && (plan->flags & MS_RDONLY))
                r = vs_mount_remount_ro(fd_path(tmpfs_path, tfd), err);
        return r;
}
