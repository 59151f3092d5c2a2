#include "cgroup/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/files.h"

/* mountinfo: "36 25 0:31 / /sys/fs/cgroup/cpu rw,... - cgroup cgroup rw,cpu" */
static int parse_mountinfo_line(char *line, char **mnt, char **fstype, char **super_opts)
{
        char *save = NULL, *field[16];
        int n = 0;
        for (char *t = strtok_r(line, " \n", &save); t && n < 16; t = strtok_r(NULL, " \n", &save))
                field[n++] = t;
        int dash;
        for (dash = 6; dash < n && strcmp(field[dash], "-") != 0; dash++)
                ;
        if (n < 5 || dash + 2 >= n) /* needs the fstype and source after "-" */
                return -1;
        *mnt = field[4];
        *fstype = field[dash + 1];
        *super_opts = dash + 3 < n ? field[dash + 3] : "";
        return 0;
}

static char *v1_controllers(const char *super_opts)
{
        char buf[512] = "", copy[512], *save = NULL;
        snprintf(copy, sizeof(copy), "%s", super_opts);
        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                if (strcmp(o, "rw") == 0 || strcmp(o, "ro") == 0 || (strchr(o, '=') && strncmp(o, "name=", 5) != 0))
                        continue;
                if (strncmp(o, "release_agent", 13) == 0 || strcmp(o, "noprefix") == 0 || strcmp(o, "xattr") == 0 ||
                    strcmp(o, "clone_children") == 0 || strcmp(o, "nsdelegate") == 0)
                        continue;
                size_t l = strlen(buf);
                snprintf(buf + l, sizeof(buf) - l, "%s%s", l ? "," : "", o);
        }
        return strdup(buf);
}

/* This process's cgroup in a hierarchy, from the text of /proc/self/cgroup:
 * "4:memory:/x" (v1) and "0::/y" (v2). */
static char *own_path(const char *proc_cgroup, const char *controllers, bool v2)
{
        const char *line = proc_cgroup;
        while (line && *line) {
                const char *end = strchrnul(line, '\n');
                const char *c1 = memchr(line, ':', (size_t) (end - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (end - c1 - 1)) : NULL;
                if (c2) {
                        size_t clen = (size_t) (c2 - c1 - 1);
                        bool match =
                                v2 ? clen == 0 : clen == strlen(controllers) && strncmp(c1 + 1, controllers, clen) == 0;
                        if (match)
                                return strndup(c2 + 1, (size_t) (end - c2 - 1));
                }
                line = *end ? end + 1 : end;
        }
        return strdup("/");
}

static int detect(const char *proc_cgroup, struct vs_cgroup_hosts *hosts, struct vs_error *err)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return vs_error_syscall(err, "cannot read /proc/self/mountinfo");
        struct vs_cgroup_hosts out = {0};
        char line[4096];
        while (fgets(line, sizeof(line), f)) {
                char *mnt, *fstype, *opts;
                if (parse_mountinfo_line(line, &mnt, &fstype, &opts) < 0)
                        continue;
                bool v2 = strcmp(fstype, "cgroup2") == 0;
                if (!v2 && strcmp(fstype, "cgroup") != 0)
                        continue;
                struct vs_cgroup_hierarchy *n = realloc(out.h, (out.n + 1) * sizeof(*n));
                if (!n) {
                        vs_cgroup_hosts_clear(&out);
                        return vs_error_errno(err, ENOMEM, "cannot list cgroup hierarchies");
                }
                out.h = n;
                struct vs_cgroup_hierarchy *h = &out.h[out.n++];
                h->mount_point = strdup(mnt);
                h->v2 = v2;
                if (v2) {
                        char path[PATH_MAX];
                        _cleanup_free_ char *list = NULL;
                        snprintf(path, sizeof(path), "%s/cgroup.controllers", mnt);
                        struct vs_error ignored = VS_ERROR_INIT;
                        if (vs_read_file(path, &list, NULL, &ignored) < 0)
                                vs_error_ignore(&ignored);
                        if (list)
                                list[strcspn(list, "\n")] = '\0';
                        h->controllers = strdup(list ? list : "");
                } else {
                        h->controllers = v1_controllers(opts);
                }
                h->own_path = own_path(proc_cgroup, h->controllers, v2);
        }
        *hosts = out;
        return 0;
}

static int hosts_copy(const struct vs_cgroup_hosts *from, struct vs_cgroup_hosts *to)
{
        *to = (struct vs_cgroup_hosts){.h = calloc(from->n ? from->n : 1, sizeof(*to->h))};
        if (!to->h)
                return -ENOMEM;
        for (size_t i = 0; i < from->n; i++, to->n++) {
                struct vs_cgroup_hierarchy *h = &to->h[i];
                const struct vs_cgroup_hierarchy *f = &from->h[i];
                h->v2 = f->v2;
                h->mount_point = f->mount_point ? strdup(f->mount_point) : NULL;
                h->controllers = f->controllers ? strdup(f->controllers) : NULL;
                h->own_path = f->own_path ? strdup(f->own_path) : NULL;
                if ((f->mount_point && !h->mount_point) || (f->controllers && !h->controllers) ||
                    (f->own_path && !h->own_path)) {
                        to->n++;
                        vs_cgroup_hosts_clear(to);
                        return -ENOMEM;
                }
        }
        return 0;
}

/* The last answer, for as long as the process stays in the same mount
 * namespace and cgroups: `vessel ps` asks once per container, and
 * mountinfo grows with every container's mounts. */
static struct {
        bool valid;
        dev_t ns_dev;
        ino_t ns_ino;
        char *proc_cgroup;
        struct vs_cgroup_hosts hosts;
} cache;

int vs_cgroup_hosts_detect(struct vs_cgroup_hosts *hosts, struct vs_error *err)
{
        _cleanup_free_ char *proc_cgroup = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file("/proc/self/cgroup", &proc_cgroup, NULL, &ignored) < 0)
                vs_error_ignore(&ignored);
        struct stat ns;
        bool keyed = proc_cgroup && stat("/proc/self/ns/mnt", &ns) == 0;
        if (keyed && cache.valid && cache.ns_dev == ns.st_dev && cache.ns_ino == ns.st_ino &&
            strcmp(cache.proc_cgroup, proc_cgroup) == 0)
                return hosts_copy(&cache.hosts, hosts) < 0
                               ? vs_error_errno(err, ENOMEM, "cannot list cgroup hierarchies")
                               : 0;
        int r = detect(proc_cgroup, hosts, err);
        if (r < 0 || !keyed)
                return r;
        vs_cgroup_hosts_clear(&cache.hosts);
        free(cache.proc_cgroup);
        cache.valid = hosts_copy(hosts, &cache.hosts) == 0;
        cache.proc_cgroup = cache.valid ? TAKE_PTR(proc_cgroup) : NULL;
        cache.valid = cache.valid && cache.proc_cgroup;
        cache.ns_dev = ns.st_dev;
        cache.ns_ino = ns.st_ino;
        return 0;
}

void vs_cgroup_hosts_clear(struct vs_cgroup_hosts *hosts)
{
        for (size_t i = 0; i < hosts->n; i++) {
                free(hosts->h[i].mount_point);
                free(hosts->h[i].controllers);
                free(hosts->h[i].own_path);
        }
        free(hosts->h);
        *hosts = (struct vs_cgroup_hosts){0};
}

static bool has_dotdot(const char *path)
{
        const char *p = path;
        while ((p = strstr(p, ".."))) {
                bool start = p == path || p[-1] == '/';
                bool end = p[2] == '\0' || p[2] == '/';
                if (start && end)
                        return true;
                p += 2;
        }
        return false;
}

int vs_cgroup_resolve(const struct vs_cgroup_hosts *hosts, const char *cgroups_path, const char *id, char ***ret_dirs,
                      struct vs_error *err)
{
        if (cgroups_path && has_dotdot(cgroups_path))
                return vs_error_set(err, EINVAL, "linux.cgroupsPath: must not contain \"..\", got \"%s\"",
                                    cgroups_path);
        if (cgroups_path && strchr(cgroups_path, ':') && cgroups_path[0] != '/')
                return vs_error_set(err, EINVAL,
                                    "linux.cgroupsPath: \"%s\" is a systemd slice:prefix:name path, which needs "
                                    "--systemd-cgroup",
                                    cgroups_path);
        _cleanup_strv_ char **dirs = calloc(hosts->n + 1, sizeof(char *));
        if (!dirs)
                return vs_error_errno(err, ENOMEM, "cannot resolve cgroups");
        size_t k = 0;
        for (size_t i = 0; i < hosts->n; i++) {
                const struct vs_cgroup_hierarchy *h = &hosts->h[i];
                if (h->v2 ? h->controllers[0] == '\0' && hosts->n > 1 : h->controllers[0] == '\0')
                        continue; /* an empty hierarchy limits nothing */
                char *d = NULL;
                int n;
                if (cgroups_path && cgroups_path[0] == '/')
                        n = asprintf(&d, "%s%s", h->mount_point, cgroups_path);
                else
                        n = asprintf(&d, "%s%s/%s", h->mount_point, strcmp(h->own_path, "/") ? h->own_path : "",
                                     cgroups_path && cgroups_path[0] ? cgroups_path : id);
                if (n < 0)
                        return vs_error_errno(err, ENOMEM, "cannot resolve cgroups");
                dirs[k++] = d;
        }
        *ret_dirs = TAKE_PTR(dirs);
        return 0;
}

/* A new v1 cpuset starts with no cpus and no mems, and no task may join it
 * until they are set: inherit the parent's, as runc does. */
static int cpuset_inherit(const char *dir)
{
        static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
        /* On cgroup2 an empty cpuset.cpus means "the parent's": nothing to copy
         * (and the v2 root has no cpuset.cpus to copy from). */
        struct statfs sfs;
        if (statfs(dir, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
                return 0;
        for (size_t i = 0; i < VS_ARRAY_SIZE(files); i++) {
                char path[PATH_MAX + 32], parent[PATH_MAX + 32];
                snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
                _cleanup_free_ char *cur = NULL, *up = NULL;
                struct vs_error e = VS_ERROR_INIT;
                if (vs_read_file(path, &cur, NULL, &e) < 0) {
                        vs_error_ignore(&e);
                        return 0; /* not a cpuset hierarchy */
                }
                if (cur[0] != '\n' && cur[0] != '\0')
                        continue;
                snprintf(parent, sizeof(parent), "%s", dir);
                *strrchr(parent, '/') = '\0';
                snprintf(parent + strlen(parent), sizeof(parent) - strlen(parent), "/%s", files[i]);
                if (vs_read_file(parent, &up, NULL, &e) < 0 || vs_write_existing(path, up, &e) < 0) {
                        vs_error_ignore(&e);
                        errno = EIO;
                        return -1;
                }
        }
        return 0;
}

static int mkdir_p(const char *dir)
{
        char buf[PATH_MAX];
        snprintf(buf, sizeof(buf), "%s", dir);
        for (char *p = buf + strlen("/sys/fs/cgroup/");; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                char saved = *p;
                *p = '\0';
                if (mkdir(buf, 0755) == 0) {
                        if (cpuset_inherit(buf) < 0)
                                return -1;
                } else if (errno != EEXIST) {
                        int e = errno;
                        if (access(buf, F_OK) != 0) {
                                errno = e; /* mkdir's reason, not access's */
                                return -1;
                        }
                }
                *p = saved;
                if (!saved)
                        return 0;
        }
}

int vs_cgroup_create(char **dirs, struct vs_error *err)
{
        for (char **d = dirs; d && *d; d++) {
                /* A parent another runtime removed (rmdir of an empty
                 * parent on its way out) between our mkdir of it and of the
                 * child: make the path again, a few times. */
                int r, tries = 0;
                while ((r = mkdir_p(*d)) < 0 && errno == ENOENT && ++tries < 5)
                        ;
                if (r < 0)
                        return vs_error_syscall(err, "cannot create cgroup %s", *d);
        }
        return 0;
}

int vs_cgroup_enter(char **dirs, pid_t pid, struct vs_error *err)
{
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int) pid);
        for (char **d = dirs; d && *d; d++) {
                _cleanup_free_ char *procs = NULL;
                if (asprintf(&procs, "%s/cgroup.procs", *d) < 0)
                        return vs_error_errno(err, ENOMEM, "cannot join cgroup");
                int r = vs_write_existing(procs, buf, err);
                if (r < 0)
                        return vs_error_wrap(err, "cannot move the container into its cgroup");
        }
        return 0;
}

/* Signal every process listed in dir and below; returns how many were signalled. */
static int signal_tree(int dfd, int signo)
{
        int seen = 0;
        _cleanup_free_ char *procs = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file_at(dfd, "cgroup.procs", 0, &procs, NULL, &ignored) == 0) {
                for (char *p = procs, *end; *p; p = end) {
                        long pid = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        if (pid > 0 && kill((pid_t) pid, signo) == 0)
                                seen++;
                }
        }
        vs_error_ignore(&ignored);
        int dup_fd = dup(dfd);
        _cleanup_closedir_ DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        for (struct dirent *de; d && (de = readdir(d));) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_close_ int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sub >= 0)
                        seen += signal_tree(sub, signo);
        }
        return seen;
}

int vs_cgroup_signal(char **dirs, int signo)
{
        /* Every hierarchy holds the same processes: the first that has any will do. */
        for (char **d = dirs; d && *d; d++) {
                _cleanup_close_ int dfd = open(*d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                int sent = dfd >= 0 ? signal_tree(dfd, signo) : 0;
                if (sent)
                        return sent;
        }
        return 0;
}

static int rmdir_tree(int parent, const char *name)
{
        _cleanup_close_ int dfd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                int dup_fd = dup(dfd);
                _cleanup_closedir_ DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
                for (struct dirent *de; d && (de = readdir(d));)
                        if (de->d_type == DT_DIR && de->d_name[0] != '.')
                                (void) rmdir_tree(dfd, de->d_name);
        }
        return unlinkat(parent, name, AT_REMOVEDIR);
}

int vs_cgroup_destroy(char **dirs, struct vs_error *err)
{
        for (char **d = dirs; d && *d; d++) {
                _cleanup_close_ int dfd = open(*d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        continue; /* already gone */
                /* A cgroup with tasks cannot be removed: kill them (all of
                 * them, nested cgroups too) and wait for the kernel to empty it. */
                for (int tries = 0; tries < 500; tries++) {
                        if (rmdir_tree(AT_FDCWD, *d) == 0 || errno == ENOENT)
                                break;
                        if (errno != EBUSY)
                                return vs_error_syscall(err, "cannot remove cgroup %s", *d);
                        signal_tree(dfd, SIGKILL);
                        nanosleep(&(struct timespec){0, 2 * 1000 * 1000}, NULL);
                }
                if (access(*d, F_OK) == 0)
                        return vs_error_set(err, EBUSY, "cannot remove cgroup %s: still busy", *d);
        }
        return 0;
}
