#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "linux/seccomp_filter.h"
#include "util/cleanup.h"
#include "util/files.h"
#include "vessel-config.h"

static const char *const status_names[] = {"creating", "created", "running", "paused", "stopped"};

const char *vs_status_name(enum vs_status status)
{
        return status_names[status];
}

int vs_state_check_id(const char *id, struct vs_error *err)
{
        if (!id || !id[0])
                return vs_error_set(err, EINVAL, "container id must not be empty");
        if (strlen(id) > 1024)
                return vs_error_set(err, EINVAL, "container id is longer than 1024 bytes");
        if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strchr(id, '/'))
                return vs_error_set(err, EINVAL, "invalid container id \"%s\": must not contain '/' or be . or ..", id);
        if (strncmp(id, VS_SECCOMP_CACHE_PREFIX, strlen(VS_SECCOMP_CACHE_PREFIX)) == 0)
                return vs_error_set(err, EINVAL,
                                    "invalid container id \"%s\": " VS_SECCOMP_CACHE_PREFIX
                                    "* names the runtime's seccomp cache",
                                    id);
        for (const char *p = id; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f)
                        return vs_error_set(err, EINVAL, "invalid container id: contains a space or control character");
        return 0;
}

static int mkdir_parents(const char *path)
{
        char buf[4096];
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(buf, 0711) < 0 && errno != EEXIST)
                        return -1;
                *p = '/';
        }
        return mkdir(buf, 0711) < 0 && errno != EEXIST ? -1 : 0;
}

int vs_state_open_root(const char *root, bool create, struct vs_error *err)
{
        int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT || !create) {
                if (fd < 0)
                        return vs_error_syscall(err, "cannot open runtime root %s", root);
                return fd;
        }
        if (mkdir_parents(root) < 0)
                return vs_error_syscall(err, "cannot create runtime root %s", root);
        fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open runtime root %s", root);
        return fd;
}

static int lock_dir(int fd, const char *id, struct vs_error *err)
{
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return vs_error_syscall(err, "cannot lock container %s", id);
        return 0;
}

int vs_state_create_dir(int rootfd, const char *id, struct vs_error *err)
{
        if (mkdirat(rootfd, id, 0711) < 0) {
                if (errno == EEXIST)
                        return vs_error_set(err, EEXIST, "container %s already exists", id);
                return vs_error_syscall(err, "cannot create the state directory of %s", id);
        }
        _cleanup_close_ int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open the state directory of %s", id);
        int r = lock_dir(fd, id, err);
        return r < 0 ? r : TAKE_FD(fd);
}

int vs_state_lock(int rootfd, const char *id, struct vs_error *err)
{
        _cleanup_close_ int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return vs_error_set(err, ENOENT, "container %s does not exist", id);
                return vs_error_syscall(err, "cannot open the state of container %s", id);
        }
        int r = lock_dir(fd, id, err);
        return r < 0 ? r : TAKE_FD(fd);
}

static json_t *state_json(const struct vs_state *s, bool internal)
{
        json_t *o = json_object();
        json_object_set_new(o, "ociVersion", json_string(VESSEL_OCI_VERSION));
        json_object_set_new(o, "id", json_string(s->id));
        json_object_set_new(o, "pid", json_integer(s->status == VS_STATUS_STOPPED && !internal ? 0 : s->pid));
        if (!internal)
                json_object_set_new(o, "status", json_string(vs_status_name(s->status)));
        json_object_set_new(o, "bundle", json_string(s->bundle ? s->bundle : ""));
        json_object_set_new(o, "rootfs", json_string(s->rootfs ? s->rootfs : ""));
        json_object_set_new(o, "created", json_string(s->created ? s->created : ""));
        json_object_set_new(o, "owner", json_string(""));
        json_t *ann = s->annotations_json ? json_loads(s->annotations_json, 0, NULL) : NULL;
        if (ann && json_object_size(ann) > 0)
                json_object_set_new(o, "annotations", ann);
        else
                json_decref(ann);
        if (internal) {
                json_object_set_new(o, "vessel.pidStartTime", json_integer((json_int_t) s->pid_start_time));
                json_t *dirs = json_array();
                for (char **d = s->cgroup_dirs; d && *d; d++)
                        json_array_append_new(dirs, json_string(*d));
                json_object_set_new(o, "vessel.cgroupDirs", dirs);
                json_object_set_new(o, "vessel.systemdCgroup", json_boolean(s->systemd_cgroup));
                json_object_set_new(o, "vessel.hooks", json_boolean(s->has_hooks));
                json_object_set_new(o, "vessel.ownerUid", json_integer(s->owner));
        }
        return o;
}

char *vs_state_to_json(const struct vs_state *state, bool pretty)
{
        json_t *o = state_json(state, false);
        char *s = json_dumps(o, pretty ? JSON_INDENT(2) : JSON_COMPACT);
        json_decref(o);
        return s;
}

int vs_state_write(int dirfd, const struct vs_state *state, struct vs_error *err)
{
        json_t *o = state_json(state, true);
        _cleanup_free_ char *text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (!text)
                return vs_error_errno(err, ENOMEM, "cannot encode state.json");
        return vs_write_file_replace(dirfd, "state.json", text, strlen(text), 0600, err);
}

uint64_t vs_proc_start_time(pid_t pid)
{
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        /* comm may hold spaces and ')': fields restart after the last ')'. */
        char *p = strrchr(buf, ')');
        if (!p || p[1] != ' ')
                return 0;
        char state = p[2];
        if (state == 'Z' || state == 'X')
                return 0; /* a zombie has exited: the container is stopped */
        p += 2;
        for (int field = 3; field < 22 && p; field++) {
                p = strchr(p, ' ');
                if (p)
                        p++;
        }
        return p ? strtoull(p, NULL, 10) : 0;
}

enum vs_status vs_state_status(int dirfd, pid_t pid, uint64_t start_time, char **cgroup_dirs)
{
        if (pid <= 0 || start_time == 0 || vs_proc_start_time(pid) != start_time)
                return VS_STATUS_STOPPED;
        if (faccessat(dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return VS_STATUS_CREATED;
        if (vs_cgroup_frozen(cgroup_dirs))
                return VS_STATUS_PAUSED;
        return VS_STATUS_RUNNING;
}

static char *dup_field(json_t *o, const char *key)
{
        const char *s = json_string_value(json_object_get(o, key));
        return s ? strdup(s) : NULL;
}

int vs_state_load(int rootfd, const char *id, struct vs_state *state, struct vs_error *err)
{
        _cleanup_close_ int dfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0) {
                if (errno == ENOENT)
                        return vs_error_set(err, ENOENT, "container %s does not exist", id);
                return vs_error_syscall(err, "cannot open the state of container %s", id);
        }
        _cleanup_free_ char *text = NULL;
        int r = vs_read_file_at(dfd, "state.json", 1 << 20, &text, NULL, err);
        if (r < 0)
                return vs_error_wrap(err, "container %s", id);
        json_error_t jerr;
        json_t *o = json_loads(text, 0, &jerr);
        if (!json_is_object(o)) {
                json_decref(o);
                return vs_error_set(err, EINVAL, "container %s: state.json is corrupt", id);
        }
        struct vs_state s = {0};
        s.id = strdup(id);
        s.bundle = dup_field(o, "bundle");
        s.rootfs = dup_field(o, "rootfs");
        s.created = dup_field(o, "created");
        json_t *dirs = json_object_get(o, "vessel.cgroupDirs");
        s.cgroup_dirs = calloc(json_array_size(dirs) + 1, sizeof(char *));
        for (size_t i = 0; s.cgroup_dirs && i < json_array_size(dirs); i++)
                s.cgroup_dirs[i] = strdup(json_string_value(json_array_get(dirs, i)) ?: "");
        s.pid = (pid_t) json_integer_value(json_object_get(o, "pid"));
        s.pid_start_time = (uint64_t) json_integer_value(json_object_get(o, "vessel.pidStartTime"));
        s.systemd_cgroup = json_is_true(json_object_get(o, "vessel.systemdCgroup"));
        s.has_hooks = json_is_true(json_object_get(o, "vessel.hooks"));
        s.owner = (uid_t) json_integer_value(json_object_get(o, "vessel.ownerUid"));
        json_t *ann = json_object_get(o, "annotations");
        s.annotations_json = ann ? json_dumps(ann, JSON_COMPACT) : NULL;
        json_decref(o);
        s.status = vs_state_status(dfd, s.pid, s.pid_start_time, s.cgroup_dirs);
        *state = s;
        return 0;
}

void vs_state_clear(struct vs_state *s)
{
        free(s->id);
        free(s->bundle);
        free(s->rootfs);
        free(s->created);
        vs_strv_free(s->cgroup_dirs);
        free(s->annotations_json);
        *s = (struct vs_state){0};
}

int vs_state_remove(int rootfd, const char *id, struct vs_error *err)
{
        return vs_remove_tree_at(rootfd, id, err);
}

/* Decimal with no newline (go-runc's Atoi is strict), written under a
 * temporary name and renamed: a caller polling the file never reads it half
 * written (conmon and the shim read it as soon as exec returns). */
int vs_write_pid_file(const char *path, pid_t pid, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return vs_error_errno(err, ENOMEM, "--pid-file");
        char *slash = strrchr(copy, '/');
        const char *base = slash ? slash + 1 : copy;
        const char *dir = slash == copy ? "/" : slash ? copy : ".";
        if (slash && slash != copy)
                *slash = '\0';
        if (!*base)
                return vs_error_set(err, EINVAL, "--pid-file %s: not a file name", path);
        _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return vs_error_syscall(err, "--pid-file %s", path);
        char text[32];
        int n = snprintf(text, sizeof(text), "%d", (int) pid);
        int r = vs_write_file_replace(dfd, base, text, (size_t) n, 0644, err);
        return r < 0 ? vs_error_wrap(err, "--pid-file") : 0;
}

int vs_state_open(const char *root, const char *id, int *ret_rootfd, int *ret_lockfd, struct vs_state *st,
                  struct vs_error *err)
{
        if (vs_state_check_id(id, err) < 0)
                return -err->code;
        _cleanup_close_ int rootfd = vs_state_open_root(root, false, err);
        if (rootfd < 0)
                return err->code == ENOENT ? vs_error_set(err, ENOENT, "container %s does not exist", id) : rootfd;
        _cleanup_close_ int lockfd = -1;
        if (ret_lockfd && (lockfd = vs_state_lock(rootfd, id, err)) < 0)
                return lockfd;
        int r = vs_state_load(rootfd, id, st, err);
        if (r < 0)
                return r;
        if (ret_lockfd)
                *ret_lockfd = TAKE_FD(lockfd);
        if (ret_rootfd)
                *ret_rootfd = TAKE_FD(rootfd);
        return 0;
}

int vs_runtime_compile_seccomp(const char *root, struct vs_oci_seccomp *seccomp, struct vs_error *err)
{
        /* The create makes the root anyway; made now, the first container on
         * a machine fills the cache rather than only the second. */
        bool cache = mkdir_parents(root) == 0;
        struct vs_seccomp_program *program = NULL;
        int r = vs_seccomp_compile(seccomp, cache ? root : NULL, &program, err);
        if (r < 0)
                return r;
        free(seccomp->compiled);
        seccomp->compiled = program;
        return 0;
}
