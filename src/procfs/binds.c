/* vessel: vessel-procfs's binds in other mount namespaces (see binds.h). */
#include "procfs/binds.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util/cleanup.h"
#include "util/files.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else {
                        *w++ = *r;
                }
        }
        *w = '\0';
}

size_t vs_procfs_binds_parse(char *text, const char *fsname, struct vs_procfs_bind *out, size_t max)
{
        size_t n = 0;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
                char *dash = strstr(line, " - ");
                unsigned maj, min;
                char root[PATH_MAX], target[PATH_MAX], fstype[64], source[PATH_MAX];
                if (!dash || sscanf(line, "%*d %*d %u:%u %4095s %4095s", &maj, &min, root, target) != 4 ||
                    sscanf(dash + 3, "%63s %4095s", fstype, source) != 2)
                        continue;
                unescape(source);
                if (strcmp(fstype, "fuse.vessel-procfs") != 0 || strcmp(source, fsname) != 0)
                        continue;
                unescape(root);
                unescape(target);
                if (strcmp(root, "/") == 0)
                        continue; /* the daemon's own mount, seen from a namespace cloned from the host's */
                if (strlen(root) >= sizeof(out[n].root))
                        continue; /* not one of this file system's names */
                memcpy(out[n].root, root, strlen(root) + 1);
                snprintf(out[n].target, sizeof(out[n].target), "%s", target);
                out[n].dev = makedev(maj, min);
                n++;
        }
        return n;
}

/* The mount namespaces seen so far, by inode. */
struct seen {
        ino_t ino[4096];
        size_t n;
};

static bool seen_add(struct seen *s, ino_t ino)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->ino[i] == ino)
                        return false;
        if (s->n < VS_ARRAY_SIZE(s->ino))
                s->ino[s->n++] = ino;
        return true;
}

/* One process's namespace, when not seen yet: its binds through fn. */
static int visit(pid_t pid, const char *fsname, struct seen *seen, vs_procfs_binds_fn fn, void *data)
{
        char path[64];
        struct stat ns;
        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int) pid);
        if (stat(path, &ns) < 0 || !seen_add(seen, ns.st_ino))
                return 0;
        snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int) pid);
        _cleanup_free_ char *info = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file(path, &info, NULL, &ignored) < 0) {
                vs_error_ignore(&ignored); /* the process is gone */
                return 0;
        }
        struct vs_procfs_bind b[VS_PROCFS_BINDS_MAX];
        size_t n = vs_procfs_binds_parse(info, fsname, b, VS_PROCFS_BINDS_MAX);
        if (n == 0)
                return 0;
        int r = fn(pid, b, n, data);
        return r < 0 ? r : 1;
}

int vs_procfs_binds_walk(const char *fsname, vs_procfs_binds_fn fn, void *data, struct vs_error *err)
{
        struct stat own;
        if (stat("/proc/self/ns/mnt", &own) < 0)
                return vs_error_syscall(err, "cannot inspect /proc/self/ns/mnt");
        _cleanup_closedir_ DIR *proc = opendir("/proc");
        if (!proc)
                return vs_error_syscall(err, "cannot list /proc");
        _cleanup_free_ struct seen *seen = calloc(1, sizeof(*seen));
        if (!seen)
                return vs_error_set(err, ENOMEM, "out of memory");
        seen_add(seen, own.st_ino);
        int found = 0;
        for (struct dirent *de; (de = readdir(proc));) {
                pid_t pid = (pid_t) atoi(de->d_name);
                int r = pid > 0 ? visit(pid, fsname, seen, fn, data) : 0;
                if (r < 0)
                        return vs_error_errno(err, -r, "cannot bind vessel-procfs files in the namespace of %d",
                                              (int) pid);
                found += r;
        }
        return found;
}
