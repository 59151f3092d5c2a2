/* vessel: mounting a volume with driver options (type, device, o) on its
 * _data, as docker's local driver does with mount(8)'s words, and sizing a
 * volume for prune. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/volumes.h"
#include "oci/mount_options.h"
#include "util/cleanup.h"
#include "util/db.h"

static const char *option(char *const *options, const char *key)
{
        size_t len = strlen(key);
        for (char *const *p = options; p && *p; p++)
                if (strncmp(*p, key, len) == 0 && (*p)[len] == '=')
                        return *p + len + 1;
        return NULL;
}

/* A mount point, not just a directory (a bind of the same filesystem too). */
static bool is_mount_root(const char *path)
{
        struct statx stx;
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
                return false;
        return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* `o` split into mount(2) flags and the filesystem's data string. */
static int parse_o(const char *o, unsigned long *flags, char **data, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(o ? o : "");
        _cleanup_free_ char *text = calloc(1, strlen(o ? o : "") + 1);
        if (!copy || !text)
                return vs_error_set(err, ENOMEM, "out of memory");
        char *save = NULL;
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                struct vs_oci_mount_option_info info;
                if (vs_oci_mount_option_lookup(w, &info) && info.kind == VS_OCI_MOUNT_OPT_FLAG) {
                        if (info.clear)
                                *flags &= ~info.flags;
                        else
                                *flags |= info.flags;
                } else if (!vs_oci_mount_option_lookup(w, &info)) {
                        if (text[0])
                                strcat(text, ",");
                        strcat(text, w);
                } else {
                        return vs_error_set(err, EINVAL, "option o: \"%s\" is not supported here", w);
                }
        }
        *data = TAKE_PTR(text);
        return 0;
}

int vs_volume_mount(const char *root, const struct vs_volume *v, struct vs_error *err)
{
        const char *type = option(v->options, "type"), *device = option(v->options, "device");
        if (!type)
                return 0;
        _cleanup_free_ char *target = vs_volume_data_path(root, v->name);
        if (!target)
                return vs_error_set(err, ENOMEM, "out of memory");
        if (is_mount_root(target))
                return 0;
        unsigned long flags = 0;
        _cleanup_free_ char *data = NULL;
        int r = parse_o(option(v->options, "o"), &flags, &data, err);
        if (r < 0)
                return vs_error_wrap(err, "volume %s", v->name);
        if (flags & MS_BIND) {
                /* A bind takes its flags only from a second, remounting call. */
                if (mount(device, target, NULL, flags & (MS_BIND | MS_REC), NULL) < 0)
                        return vs_error_syscall(err, "volume %s: cannot bind %s on %s", v->name, device, target);
                unsigned long rest = flags & ~(MS_BIND | MS_REC);
                if (rest && mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | rest, NULL) < 0) {
                        r = vs_error_syscall(err, "volume %s: cannot remount %s", v->name, target);
                        umount2(target, MNT_DETACH);
                        return r;
                }
                return 0;
        }
        if (mount(device, target, strcmp(type, "none") == 0 ? NULL : type, flags, data[0] ? data : NULL) < 0)
                return vs_error_syscall(err, "volume %s: cannot mount %s (type %s) on %s", v->name, device, type,
                                        target);
        return 0;
}

void vs_volume_unmount_unused(sqlite3 *db, const char *root)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_db_prepare(db,
                          "SELECT name FROM volumes WHERE options != '{}' AND name NOT IN"
                          " (SELECT volume FROM container_volumes WHERE volume IS NOT NULL)",
                          &st, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return;
        }
        int r;
        while ((r = vs_db_step(db, st, &ignored)) == 1) {
                _cleanup_free_ char *target = vs_volume_data_path(root, (const char *) sqlite3_column_text(st, 0));
                while (target && is_mount_root(target) && umount2(target, MNT_DETACH) == 0)
                        ;
        }
        if (r < 0)
                vs_error_ignore(&ignored);
}

static int64_t tree_size(int fd, int depth)
{
        DIR *d = depth < 256 ? fdopendir(fd) : NULL;
        if (!d) {
                close(fd);
                return 0;
        }
        int64_t total = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                struct stat st;
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
                    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISREG(st.st_mode))
                        total += st.st_size;
                else if (S_ISDIR(st.st_mode)) {
                        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                total += tree_size(sub, depth + 1);
                }
        }
        closedir(d);
        return total;
}

int64_t vs_volume_size(const char *root, const char *name)
{
        _cleanup_free_ char *data = vs_volume_data_path(root, name);
        int fd = data ? open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
        return fd < 0 ? 0 : tree_size(fd, 0);
}
