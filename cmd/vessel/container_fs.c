/* vessel export and diff, and the container lookups cp and commit share. */
#include "container_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/volumes.h"
#include "fs_tree.h"
#include "util/files.h"

int ctr_lookup(const struct globals *g, struct vs_store *s, const char *text, struct vs_container *ret,
               struct vs_error *err)
{
        int r = vs_container_find(s->db, text, ret, err);
        if (r == 0)
                container_refresh(g, s, ret);
        return r;
}

/* One volume or bind mount onto its path in the root (resolved in it: a
 * symlink in the container cannot send the mount out of it). A path the
 * container never had is skipped: the runtime makes it at start. */
static int bind_use(struct vs_store *s, int rootfd, const struct vs_volume_use *u, struct vs_error *err)
{
        struct vs_volume v = {0};
        int r = u->volume ? vs_volume_find(s->db, u->volume, &v, err) : 0;
        if (r == 0 && u->volume)
                r = vs_volume_mount(s->root, &v, err); /* driver options: mounted if it is not */
        vs_volume_free(&v);
        if (r < 0)
                return r;
        _cleanup_free_ char *source = u->volume ? vs_volume_data_path(s->root, u->volume) : strdup(u->source);
        if (!source)
                return vs_error_set(err, ENOMEM, "out of memory");
        struct vs_error missing = VS_ERROR_INIT;
        _cleanup_close_ int at = vs_open_in_root(rootfd, u->destination, O_PATH, 0, &missing);
        if (at == -ENOENT) {
                vs_error_ignore(&missing);
                return 0;
        }
        if (at < 0) {
                *err = missing;
                return at;
        }
        char target[64];
        snprintf(target, sizeof(target), "/proc/self/fd/%d", at);
        if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return vs_error_syscall(err, "cannot bind %s on %s", source, u->destination);
        if (!u->readonly)
                return 0;
        _cleanup_close_ int top = vs_open_in_root(rootfd, u->destination, O_PATH, 0, err);
        if (top < 0)
                return top;
        snprintf(target, sizeof(target), "/proc/self/fd/%d", top);
        if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
                return vs_error_syscall(err, "cannot make %s read-only", u->destination);
        return 0;
}

static int by_depth(const void *a, const void *b)
{
        const struct vs_volume_use *x = a, *y = b;
        size_t lx = strlen(x->destination), ly = strlen(y->destination);
        return lx < ly ? -1 : lx > ly;
}

/* A stopped container's volumes and bind mounts on its root at merged/, as
 * docker's cp sees them: in a mount namespace of this process's own, so
 * that nothing stays mounted on the host once the command exits. A parent
 * path before the paths under it. */
static int mount_volumes(struct vs_store *s, const struct vs_container *c, const char *merged, struct vs_error *err)
{
        struct vs_volume_use *u = NULL;
        size_t n = 0;
        int r = vs_volume_uses(s->db, c->id, &u, &n, err);
        if (r == 0 && n > 0) {
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        r = vs_error_syscall(err, "cannot make a mount namespace for the volumes of %s", c->name);
                qsort(u, n, sizeof(*u), by_depth);
        }
        _cleanup_close_ int rootfd = r == 0 && n > 0 ? open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
        if (r == 0 && n > 0 && rootfd < 0)
                r = vs_error_syscall(err, "cannot open %s", merged);
        for (size_t i = 0; r == 0 && i < n; i++)
                r = bind_use(s, rootfd, &u[i], err);
        vs_volume_uses_free(u, n);
        return r;
}

int ctr_root_open(const struct globals *g, struct vs_store *s, const struct vs_container *c, bool live,
                  struct vs_error *err)
{
        char path[PATH_MAX];
        if (live && strcmp(c->state, "running") == 0 && c->pid > 0) {
                snprintf(path, sizeof(path), "/proc/%d/root", c->pid);
                int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0)
                        return fd;
                /* it has just exited: its overlay still holds the files */
        }
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        int r = rootfs_mount(s, c, &p, err);
        if (r == 0 && live)
                r = mount_volumes(s, c, p.merged, err);
        if (r < 0)
                return r;
        int fd = open(p.merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? vs_error_syscall(err, "cannot open the root of container %s", c->name) : fd;
}

/* --- export ------------------------------------------------------------- */

static int export_to(const struct globals *g, const char *name, int out, struct vs_error *err)
{
        _cleanup_store_ struct vs_store *s = NULL;
        struct vs_container c = {0};
        int r = engine_open(g, &s, err);
        if (r == 0)
                r = ctr_lookup(g, s, name, &c, err);
        /* the overlay, not /proc/PID/root: volumes and the kernel's
         * filesystems are not the container's, as in docker export */
        _cleanup_close_ int rootfd = r == 0 ? ctr_root_open(g, s, &c, false, err) : -1;
        struct tree_sink sink = {.rootfd = -1};
        if (r == 0 && rootfd < 0)
                r = rootfd;
        if (r == 0)
                r = tree_tar_open(out, &sink.tar, err);
        if (r == 0)
                r = tree_walk(rootfd, "/", "", false, &sink, err);
        if (sink.tar && (r == 0 ? tree_tar_close(sink.tar, err) : (archive_write_free(sink.tar), 0)) < 0)
                r = -err->code;
        vs_container_free(&c);
        return r;
}

int cmd_export(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"output", required_argument, NULL, 'o'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *output = NULL;
        int c;
        while ((c = next_option(argc, argv, "o:h", longopts)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'h':
                        print_help("export [OPTIONS] CONTAINER", "Export a container's filesystem as a tar archive",
                                   "  -o, --output string   Write to a file, instead of STDOUT\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 1, 1, "export [OPTIONS] CONTAINER"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        if (!output && isatty(STDOUT_FILENO))
                return fail_usage("cowardly refusing to save to a terminal. Use the -o flag or redirect");
        int out = STDOUT_FILENO;
        if (output && (out = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
                vs_error_syscall(&err, "failed to export container: cannot create %s", output);
                return fail(&err);
        }
        int r = export_to(g, argv[optind], out, &err);
        if (output && close(out) < 0 && r == 0)
                r = vs_error_syscall(&err, "cannot write %s", output);
        if (r < 0 && output)
                unlink(output); /* no half-written archive left behind */
        return r < 0 ? fail(&err) : 0;
}

/* --- diff --------------------------------------------------------------- */

struct differ {
        int upperfd;
        int *lowerfds; /* the image's layers, top first */
        size_t n_lowers;
        char **lines;
        size_t n_lines;
        struct vs_error *err;
};

static bool is_whiteout(const struct stat *st)
{
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* Is path in the image (the first layer that has it is not a whiteout)? */
static bool in_lower(const struct differ *d, const char *path, struct stat *ret)
{
        for (size_t i = 0; i < d->n_lowers; i++) {
                struct vs_error ignored = VS_ERROR_INIT;
                _cleanup_close_ int fd = vs_open_in_root(d->lowerfds[i], path, O_PATH | O_NOFOLLOW, 0, &ignored);
                vs_error_ignore(&ignored);
                if (fd < 0)
                        continue;
                return fstat(fd, ret) == 0 && !is_whiteout(ret);
        }
        return false;
}

/* The mount points the engine makes for its per-container files: not the
 * user's changes (docker keeps them in a hidden "init" layer). */
static bool engine_placeholder(const char *path, const struct stat *st)
{
        static const char *const files[] = {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/.dockerenv"};
        for (size_t i = 0; i < VS_ARRAY_SIZE(files); i++)
                if (strcmp(path, files[i]) == 0 && S_ISREG(st->st_mode) && st->st_size == 0)
                        return true;
        return false;
}

static int add_line(struct differ *d, size_t at, char kind, const char *path)
{
        char **grown = realloc(d->lines, (d->n_lines + 1) * sizeof(char *));
        char *line = NULL;
        if (!grown || asprintf(&line, "%c %s", kind, path) < 0) {
                if (grown)
                        d->lines = grown;
                return vs_error_set(d->err, ENOMEM, "out of memory");
        }
        d->lines = grown;
        memmove(&d->lines[at + 1], &d->lines[at], (d->n_lines - at) * sizeof(char *));
        d->lines[at] = line;
        d->n_lines++;
        return 0;
}

static int diff_dir(struct differ *d, const char *dir);

static int diff_entry(struct differ *d, int dfd, const char *dir, const char *name)
{
        char path[PATH_MAX];
        if ((size_t) snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", name) >= sizeof(path))
                return vs_error_set(d->err, ENAMETOOLONG, "%s/%s: name too long", dir, name);
        struct stat st, lower;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : vs_error_syscall(d->err, "cannot stat %s", path);
        if (is_whiteout(&st))
                return add_line(d, d->n_lines, 'D', path);
        bool old = in_lower(d, path, &lower);
        if (!old && engine_placeholder(path, &st))
                return 0;
        size_t at = d->n_lines;
        if (!S_ISDIR(st.st_mode))
                return add_line(d, at, old ? 'C' : 'A', path);
        int r = diff_dir(d, path);
        /* a directory of the image shows as changed when something below it
         * did, or its own mode or owner did */
        bool changed = d->n_lines > at ||
                       (old && (lower.st_mode != st.st_mode || lower.st_uid != st.st_uid || lower.st_gid != st.st_gid));
        if (r == 0 && (!old || changed))
                r = add_line(d, at, old ? 'C' : 'A', path);
        return r;
}

static int diff_dir(struct differ *d, const char *dir)
{
        struct vs_error e = VS_ERROR_INIT;
        _cleanup_close_ int fd = vs_open_in_root(d->upperfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, &e);
        if (fd < 0) {
                *d->err = e;
                return fd;
        }
        struct dirent **names = NULL;
        int n = scandirat(fd, ".", &names, NULL, alphasort);
        if (n < 0)
                return vs_error_syscall(d->err, "cannot list %s", dir);
        int r = 0;
        for (int i = 0; i < n; i++) {
                if (r == 0 && strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0)
                        r = diff_entry(d, fd, dir, names[i]->d_name);
                free(names[i]);
        }
        free(names);
        return r;
}

static int open_lowers(struct vs_store *s, const struct vs_container *c, struct differ *d, struct vs_error *err)
{
        struct vs_image img = {0};
        int r = vs_store_image_lookup(s, c->image_id, &img, err);
        if (r < 0)
                return vs_error_wrap(err, "the image of container %s", c->name);
        d->lowerfds = calloc(img.n_layers + 1, sizeof(int));
        r = d->lowerfds ? 0 : vs_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; r == 0 && i < img.n_layers; i++) {
                _cleanup_free_ char *path = vs_store_layer_path(s, img.layers[img.n_layers - 1 - i].chain_id);
                int fd = path ? open(path, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
                if (fd < 0)
                        r = vs_error_syscall(err, "cannot open layer %s", path ? path : "(none)");
                else
                        d->lowerfds[d->n_lowers++] = fd;
        }
        vs_image_free(&img);
        return r;
}

static int diff_container(const struct globals *g, const char *name, struct vs_error *err)
{
        _cleanup_store_ struct vs_store *s = NULL;
        struct vs_container c = {0};
        struct differ d = {.upperfd = -1, .err = err};
        int r = engine_open(g, &s, err);
        if (r == 0)
                r = ctr_lookup(g, s, name, &c, err);
        if (r == 0)
                r = open_lowers(s, &c, &d, err);
        if (r == 0) {
                struct ctr_paths p;
                ctr_paths(g, c.id, &p);
                d.upperfd = open(p.upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
                r = d.upperfd < 0 ? vs_error_syscall(err, "cannot open the upper dir of %s", c.name) : 0;
        }
        if (r == 0)
                r = diff_dir(&d, "/");
        for (size_t i = 0; i < d.n_lines; i++) {
                if (r == 0)
                        printf("%s\n", d.lines[i]);
                free(d.lines[i]);
        }
        free(d.lines);
        for (size_t i = 0; i < d.n_lowers; i++)
                close(d.lowerfds[i]);
        free(d.lowerfds);
        vs_safe_close(d.upperfd);
        vs_container_free(&c);
        return r;
}

int cmd_diff(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0}};
        int c;
        while ((c = next_option(argc, argv, "h", longopts)) != -1) {
                if (c != 'h')
                        return 125;
                print_help("diff CONTAINER", "Inspect changes to files or directories on a container's filesystem",
                           NULL);
                return 0;
        }
        if (!want_args(argc, argv, 1, 1, "diff CONTAINER"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        return diff_container(g, argv[optind], &err) < 0 ? fail(&err) : 0;
}
