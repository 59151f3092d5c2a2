/* vessel-procfs: the FUSE file system. A small fixed tree:
 *   /proc/{meminfo,cpuinfo,stat,uptime,loadavg,diskstats,swaps}
 *   /sys/devices/system/cpu/online
 * A file is rendered whole when it is read at offset 0 (so one `cat` sees
 * one snapshot, and `top`, which seeks back to 0, sees a fresh one); reads
 * at other offsets are served from that text. Every open uses direct I/O:
 * the files have no size, and the page cache would serve stale text. */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "util/log.h"

/* The size files claim. read(2) is served directly (direct I/O) and ends
 * where the text ends, but splice(2) and sendfile(2), which busybox's cat
 * uses, go through the page cache and stop at the inode's size: a size of 0
 * would read as empty. The kernel lowers the size to the text's end on the
 * first short read. */
#define VIEW_SIZE (1 << 20)

struct handle {
        enum view view;
        char *text;
        size_t len;
};

static const char *const dirs[] = {
        "/", "/proc", "/sys", "/sys/devices", "/sys/devices/system", "/sys/devices/system/cpu"};

static struct daemon *daemon_of_context(void)
{
        return fuse_get_context()->private_data;
}

static int find_view(const char *path)
{
        for (int v = 0; v < VIEW_COUNT; v++)
                if (strcmp(path, view_path(v)) == 0)
                        return v;
        return -1;
}

static bool is_dir(const char *path)
{
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
                if (strcmp(path, dirs[i]) == 0)
                        return true;
        return false;
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
        cfg->direct_io = 1;
        cfg->kernel_cache = 0;
        /* The tree never changes: the kernel may keep its entries, sparing
         * a round trip to this daemon for every name of a path looked up, as
         * each container's eight bind mounts do. The attributes may not be
         * kept: a short read shrinks the size the kernel holds, and the next
         * reader, whose view may be longer, would be cut there. */
        cfg->entry_timeout = 3600;
        cfg->attr_timeout = 0;
        return fuse_get_context()->private_data;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
        memset(st, 0, sizeof(*st));
        st->st_uid = 0;
        st->st_gid = 0;
        st->st_atime = st->st_mtime = st->st_ctime = time(NULL);
        if (is_dir(path)) {
                st->st_mode = S_IFDIR | 0555;
                st->st_nlink = 2;
                return 0;
        }
        if (find_view(path) < 0)
                return -ENOENT;
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_size = VIEW_SIZE;
        vs_log_debug("getattr %s", path);
        return 0;
}

/* The names directly below `dir`, from the fixed lists. */
static void fill_children(const char *dir, void *buf, fuse_fill_dir_t filler)
{
        size_t dl = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
        const char *all[VIEW_COUNT + sizeof(dirs) / sizeof(dirs[0])];
        size_t n = 0;
        for (size_t i = 1; i < sizeof(dirs) / sizeof(dirs[0]); i++)
                all[n++] = dirs[i];
        for (int v = 0; v < VIEW_COUNT; v++)
                all[n++] = view_path(v);
        for (size_t i = 0; i < n; i++) {
                const char *p = all[i];
                if (strncmp(p, dir, dl) != 0 || p[dl] != '/' || strchr(p + dl + 1, '/'))
                        continue;
                filler(buf, p + dl + 1, NULL, 0, 0);
        }
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags)
{
        if (!is_dir(path))
                return -ENOTDIR;
        filler(buf, ".", NULL, 0, 0);
        filler(buf, "..", NULL, 0, 0);
        fill_children(path, buf, filler);
        return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
        int v = find_view(path);
        if (v < 0)
                return is_dir(path) ? -EISDIR : -ENOENT;
        if ((fi->flags & O_ACCMODE) != O_RDONLY)
                return -EACCES;
        struct handle *h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->view = (enum view) v;
        fi->fh = (uint64_t) (uintptr_t) h;
        fi->direct_io = 1;
        return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
        struct handle *h = (struct handle *) (uintptr_t) fi->fh;
        if (off == 0 || !h->text) {
                free(h->text);
                h->text = NULL;
                struct vs_error err = VS_ERROR_INIT;
                int r = view_render(daemon_of_context(), h->view, fuse_get_context()->pid, &h->text, &h->len, &err);
                if (r < 0) {
                        vs_log_error("%s: %s", path, err.msg);
                        return r;
                }
        }
        if ((size_t) off >= h->len)
                return 0;
        size_t n = h->len - (size_t) off < size ? h->len - (size_t) off : size;
        memcpy(buf, h->text + off, n);
        return (int) n;
}

static int fs_release(const char *path, struct fuse_file_info *fi)
{
        struct handle *h = (struct handle *) (uintptr_t) fi->fh;
        if (h)
                free(h->text);
        free(h);
        return 0;
}

static const struct fuse_operations operations = {
        .init = fs_init,
        .getattr = fs_getattr,
        .readdir = fs_readdir,
        .open = fs_open,
        .read = fs_read,
        .release = fs_release,
};

const struct fuse_operations *fs_operations(void)
{
        return &operations;
}
