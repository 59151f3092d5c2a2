/* vessel cp: files between a container and the host, or a tar stream, with
 * docker's rules for the destination:
 *   SRC a file:  DEST missing -> made as DEST (its parent must exist; "DEST/"
 *                must be an existing directory); DEST a file -> replaced;
 *                DEST a directory -> DEST/basename(SRC).
 *   SRC a dir:   DEST missing -> made as DEST; DEST a file -> error;
 *                DEST a directory -> DEST/basename(SRC), or with "SRC/."
 *                the contents of SRC go into DEST.
 * A running container is reached through /proc/PID/root (its volumes and
 * bind mounts are there), a stopped one through its overlay. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container_fs.h"
#include "format.h"
#include "fs_tree.h"
#include "util/cleanup.h"
#include "util/files.h"

#define CP_USAGE "cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tvessel cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH"

struct cp_args {
        bool archive, follow, quiet;
};

/* One side of the copy: a path under a root (the host's "/" or a container's). */
struct cp_end {
        char *ctr;                     /* the container as the user named it, NULL for the host */
        char *path;                    /* absolute under the root; "-" for a tar stream */
        bool trailing_slash, contents; /* "DIR/" and "DIR/." */
        int rootfd;
};

/* docker's splitCpArg: "NAME:PATH" names a container unless the text is an
 * absolute or ./ path (a local file with a colon is given as ./a:b). */
static int split_arg(const char *arg, struct cp_end *e)
{
        const char *colon = strchr(arg, ':');
        e->rootfd = -1;
        if (arg[0] == '/' || arg[0] == '.' || !colon || strcmp(arg, "-") == 0) {
                if (strcmp(arg, "-") == 0 || arg[0] == '/') {
                        e->path = strdup(arg);
                } else {
                        char cwd[PATH_MAX];
                        if (!getcwd(cwd, sizeof(cwd)) || asprintf(&e->path, "%s/%s", cwd, arg) < 0)
                                e->path = NULL;
                }
                return e->path ? 0 : -ENOMEM;
        }
        e->ctr = strndup(arg, (size_t) (colon - arg));
        if (asprintf(&e->path, "%s%s", colon[1] == '/' ? "" : "/", colon + 1) < 0)
                e->path = NULL;
        return e->ctr && e->path ? 0 : -ENOMEM;
}

/* Note and strip "/." and "/" at the end; "/" stays "/". */
static void trim_path(struct cp_end *e)
{
        size_t n = strlen(e->path);
        if (n >= 2 && strcmp(e->path + n - 2, "/.") == 0) {
                e->contents = e->trailing_slash = true;
                e->path[n -= 1] = '\0';
        }
        if (n > 1 && e->path[n - 1] == '/')
                e->trailing_slash = true;
        while (n > 1 && e->path[n - 1] == '/')
                e->path[--n] = '\0';
}

static const char *base_name(const char *path)
{
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

/* The parent of an absolute path ("/" for "/x"), malloc'd. */
static char *parent_of(const char *path)
{
        const char *slash = strrchr(path, '/');
        return slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
}

/* stat of path under the end's root (symlinks followed unless nofollow): 0, -ENOENT, or an error. */
static int end_stat(const struct cp_end *e, const char *path, bool nofollow, struct stat *st, struct vs_error *err)
{
        struct vs_error e2 = VS_ERROR_INIT;
        _cleanup_close_ int fd = vs_open_in_root(e->rootfd, path, O_PATH | (nofollow ? O_NOFOLLOW : 0), 0, &e2);
        if (fd < 0 && (e2.code == ENOENT || e2.code == ENOTDIR)) {
                vs_error_ignore(&e2);
                return -ENOENT;
        }
        if (fd < 0) {
                *err = e2;
                return fd;
        }
        return fstat(fd, st) < 0 ? vs_error_syscall(err, "cannot stat %s", path) : 0;
}

static int not_found(const struct cp_end *e, const char *path, struct vs_error *err)
{
        if (e->ctr)
                return vs_error_set(err, ENOENT, "Could not find the file %s in container %s", path, e->ctr);
        return vs_error_set(err, ENOENT, "lstat %s: no such file or directory", path);
}

/* Where the entries go and the top entry's name, by docker's rules. */
static int plan_dest(const struct cp_end *src, const struct stat *sst, const struct cp_end *dst, char **dir,
                     const char **name, struct vs_error *err)
{
        struct stat dst_st;
        int r = end_stat(dst, dst->path, false, &dst_st, err);
        if (r < 0 && r != -ENOENT)
                return r;
        bool src_dir = S_ISDIR(sst->st_mode);
        if (r == 0 && S_ISDIR(dst_st.st_mode)) {
                *dir = strdup(dst->path);
                *name = src->contents ? "" : base_name(src->path);
                return *dir ? 0 : vs_error_set(err, ENOMEM, "out of memory");
        }
        if (r == 0 && src_dir)
                return vs_error_set(err, EISDIR, "cannot copy a directory to the file %s", dst->path);
        if (r == -ENOENT && dst->trailing_slash && !src_dir)
                return vs_error_set(err, ENOENT, "destination directory %s does not exist", dst->path);
        *dir = parent_of(dst->path);
        *name = base_name(dst->path);
        if (!*dir)
                return vs_error_set(err, ENOMEM, "out of memory");
        struct stat pst;
        r = end_stat(dst, *dir, false, &pst, err);
        if (r == 0 && !S_ISDIR(pst.st_mode))
                r = vs_error_set(err, ENOTDIR, "%s: not a directory", *dir);
        if (r == -ENOENT)
                r = dst->ctr ? not_found(dst, *dir, err)
                             : vs_error_set(err, ENOENT, "invalid output path: directory \"%s\" does not exist", *dir);
        return r;
}

static int copy_tree(const struct cp_args *a, struct cp_end *src, struct cp_end *dst, int64_t *bytes,
                     struct vs_error *err)
{
        struct stat sst;
        /* a trailing slash or "/." asks for the directory a symlink points to */
        int r = end_stat(src, src->path, !a->follow && !src->trailing_slash, &sst, err);
        if (r == -ENOENT)
                return not_found(src, src->path, err);
        if (r < 0)
                return r;
        if (src->trailing_slash && !S_ISDIR(sst.st_mode))
                return vs_error_set(err, ENOTDIR, "%s: not a directory", src->path);
        if (strcmp(src->path, "/") == 0)
                src->contents = true;
        bool follow = a->follow || src->trailing_slash;
        if (strcmp(dst->path, "-") == 0) {
                struct tree_sink sink = {.rootfd = -1};
                r = tree_tar_open(STDOUT_FILENO, &sink.tar, err);
                if (r == 0)
                        r = tree_walk(src->rootfd, src->path, src->contents ? "" : base_name(src->path), follow, &sink,
                                      err);
                if (sink.tar && (r == 0 ? tree_tar_close(sink.tar, err) : (archive_write_free(sink.tar), 0)) < 0)
                        r = -err->code;
                *bytes = sink.bytes;
                return r;
        }
        _cleanup_free_ char *dir = NULL;
        const char *name = NULL;
        r = plan_dest(src, &sst, dst, &dir, &name, err);
        /* into a container, files belong to its root unless -a keeps the owners */
        struct tree_sink sink = {.rootfd = dst->rootfd, .dir = dir, .keep_owner = a->archive};
        if (r == 0)
                r = tree_walk(src->rootfd, src->path, name, follow, &sink, err);
        *bytes = sink.bytes;
        return r;
}

/* "- CONTAINER:DIR": a tar from stdin extracted into an existing directory. */
static int copy_stream(struct cp_end *dst, int64_t *bytes, struct vs_error *err)
{
        struct stat st;
        int r = end_stat(dst, dst->path, false, &st, err);
        if (r == -ENOENT)
                return not_found(dst, dst->path, err);
        if (r == 0 && !S_ISDIR(st.st_mode))
                r = vs_error_set(err, ENOTDIR, "destination \"%s\" must be a directory", dst->path);
        struct tree_sink sink = {.rootfd = dst->rootfd, .dir = dst->path, .keep_owner = true};
        if (r == 0)
                r = tree_extract_stream(STDIN_FILENO, &sink, err);
        *bytes = sink.bytes;
        return r;
}

static int open_end(const struct globals *g, struct vs_store *s, struct cp_end *e, struct vs_error *err)
{
        if (!e->ctr) {
                e->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                return e->rootfd < 0 ? vs_error_syscall(err, "cannot open /") : 0;
        }
        struct vs_container c = {0};
        int r = ctr_lookup(g, s, e->ctr, &c, err);
        if (r == 0)
                r = e->rootfd = ctr_root_open(g, s, &c, true, err);
        vs_container_free(&c);
        return r < 0 ? r : 0;
}

static int do_cp(const struct globals *g, const struct cp_args *a, struct cp_end *src, struct cp_end *dst,
                 int64_t *bytes, struct vs_error *err)
{
        _cleanup_store_ struct vs_store *s = NULL;
        int r = engine_open(g, &s, err);
        if (r == 0 && strcmp(src->path, "-") != 0)
                r = open_end(g, s, src, err);
        if (r == 0 && strcmp(dst->path, "-") != 0)
                r = open_end(g, s, dst, err);
        if (r < 0)
                return r;
        if (strcmp(src->path, "-") == 0)
                return copy_stream(dst, bytes, err);
        return copy_tree(a, src, dst, bytes, err);
}

static int parse_cp(int argc, char **argv, struct cp_args *a)
{
        static const struct option longopts[] = {
                {"archive", no_argument, NULL, 'a'},
                {"follow-link", no_argument, NULL, 'L'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        while ((c = next_option(argc, argv, "aLqh", longopts)) != -1) {
                switch (c) {
                case 'a':
                        a->archive = true;
                        break;
                case 'L':
                        a->follow = true;
                        break;
                case 'q':
                        a->quiet = true;
                        break;
                case 'h':
                        print_help(CP_USAGE,
                                   "Copy files/folders between a container and the local filesystem\n\n"
                                   "Use '-' as the source to read a tar archive from stdin\n"
                                   "and extract it to a directory destination in a container.\n"
                                   "Use '-' as the destination to stream a tar archive of a\n"
                                   "container source to stdout.",
                                   "  -a, --archive       Archive mode (copy all uid/gid information)\n"
                                   "  -L, --follow-link   Always follow symbol link in SRC_PATH\n"
                                   "  -q, --quiet         Suppress progress output during copy. Progress output is "
                                   "automatically suppressed if no terminal is attached\n");
                        return 1;
                default:
                        return -1;
                }
        }
        return want_args(argc, argv, 2, 2, "cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-") ? 0 : -1;
}

int cmd_cp(const struct globals *g, int argc, char **argv)
{
        struct cp_args a = {0};
        int p = parse_cp(argc, argv, &a);
        if (p != 0)
                return p > 0 ? 0 : 125;
        struct cp_end src = {0}, dst = {0};
        int r = split_arg(argv[optind], &src);
        if (r == 0)
                r = split_arg(argv[optind + 1], &dst);
        struct vs_error err = VS_ERROR_INIT;
        if (r < 0)
                vs_error_set(&err, ENOMEM, "out of memory");
        else if (src.ctr && dst.ctr)
                r = vs_error_set(&err, EINVAL, "copying between containers is not supported");
        else if (!src.ctr && !dst.ctr)
                r = vs_error_set(&err, EINVAL, "must specify at least one container source");
        int64_t bytes = 0;
        if (r == 0) {
                trim_path(&src);
                if (strcmp(dst.path, "-") != 0)
                        trim_path(&dst);
                r = do_cp(g, &a, &src, &dst, &bytes, &err);
        }
        if (r == 0 && !a.quiet && strcmp(dst.path, "-") != 0 && isatty(STDERR_FILENO)) {
                char size[32];
                human_size(bytes, size, sizeof(size));
                fprintf(stderr, "Successfully copied %s to %s%s%s\n", size, dst.ctr ? dst.ctr : "", dst.ctr ? ":" : "",
                        argv[optind + 1] + (dst.ctr ? strlen(dst.ctr) + 1 : 0));
        }
        vs_safe_close(src.rootfd);
        vs_safe_close(dst.rootfd);
        free(src.ctr);
        free(src.path);
        free(dst.ctr);
        free(dst.path);
        return r < 0 ? fail(&err) : 0;
}
