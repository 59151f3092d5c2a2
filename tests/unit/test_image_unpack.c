/* Unit tests for src/image/unpack.c: layers built here with libarchive's
 * writer (plain, gzip, zstd) are unpacked and the tree checked from outside:
 * contents, owners, modes (setuid after chown), xattrs, links, nodes, times,
 * whiteouts, the diff ID against an independent sha256 of the uncompressed
 * tar; and hostile layers that must fail naming the entry, or stay inside
 * the layer directory. Runs as root. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/sha.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/unpack.h"
#include "util/cleanup.h"
#include "util/files.h"

struct fixture {
        char tmp[64];
        int tmpfd;
        int layerfd; /* tmp/layer, where each test unpacks */
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        snprintf(f->tmp, sizeof(f->tmp), "/tmp/vessel-unpack-XXXXXX");
        if (!mkdtemp(f->tmp))
                return -1;
        f->tmpfd = open(f->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (f->tmpfd < 0 || mkdirat(f->tmpfd, "layer", 0755) < 0)
                return -1;
        f->layerfd = openat(f->tmpfd, "layer", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (f->layerfd < 0)
                return -1;
        umask(022);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        vs_safe_close(f->layerfd);
        vs_safe_close(f->tmpfd);
        int r = vs_remove_tree_at(AT_FDCWD, f->tmp, &err);
        if (r < 0)
                print_message("# teardown: %s\n", err.msg);
        free(f);
        return r;
}

static const char *at_tmp_path(struct fixture *f, const char *name)
{
        static char bufs[2][PATH_MAX];
        static unsigned next;
        char *b = bufs[next++ % 2];
        snprintf(b, PATH_MAX, "%s/%s", f->tmp, name);
        return b;
}

static void assert_contains(const char *haystack, const char *needle)
{
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* ---- building layers ---- */

struct buf {
        char *data;
        size_t len, cap;
};

static la_ssize_t buf_write_cb(struct archive *a, void *data, const void *p, size_t n)
{
        struct buf *b = data;
        if (b->len + n > b->cap) {
                b->cap = (b->len + n) * 2;
                b->data = realloc(b->data, b->cap);
                assert_non_null(b->data);
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
        return (la_ssize_t) n;
}

struct spec {
        const char *path;
        unsigned type; /* AE_IFREG when 0 */
        mode_t perm;
        uid_t uid;
        gid_t gid;
        time_t mtime;
        long mtime_nsec;
        const char *data;
        const char *link;     /* symlink target */
        const char *hardlink; /* hardlink target */
        unsigned major, minor;
        const char *xattr_name;
        const void *xattr_value;
        size_t xattr_size;
};

/* An uncompressed pax tar of the entries (NULL-path terminated). */
static struct buf make_tar(const struct spec *specs)
{
        struct buf b = {0};
        struct archive *a = archive_write_new();
        assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
        assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
        assert_int_equal(archive_write_open(a, &b, NULL, buf_write_cb, NULL), ARCHIVE_OK);
        for (const struct spec *s = specs; s->path; s++) {
                struct archive_entry *e = archive_entry_new();
                archive_entry_set_pathname(e, s->path);
                archive_entry_set_filetype(e, s->type ? s->type : AE_IFREG);
                archive_entry_set_perm(e, s->perm ? s->perm : 0644);
                archive_entry_set_uid(e, s->uid);
                archive_entry_set_gid(e, s->gid);
                archive_entry_set_mtime(e, s->mtime ? s->mtime : 1000000000, s->mtime_nsec);
                if (s->link)
                        archive_entry_set_symlink(e, s->link);
                if (s->hardlink)
                        archive_entry_set_hardlink(e, s->hardlink);
                if (s->major || s->minor)
                        archive_entry_set_rdev(e, makedev(s->major, s->minor));
                if (s->xattr_name)
                        archive_entry_xattr_add_entry(e, s->xattr_name, s->xattr_value, s->xattr_size);
                size_t len = s->data ? strlen(s->data) : 0;
                archive_entry_set_size(e, (la_int64_t) len);
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (len)
                        assert_int_equal(archive_write_data(a, s->data, len), (la_ssize_t) len);
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        return b;
}

enum compression {
        PLAIN,
        GZIP,
        ZSTD
};

/* The same bytes compressed (a "raw" archive through a filter). */
static struct buf compress_buf(const struct buf *in, enum compression c)
{
        struct buf b = {0};
        if (c == PLAIN) {
                b.data = malloc(in->len + 1);
                memcpy(b.data, in->data, in->len);
                b.len = in->len;
                return b;
        }
        struct archive *a = archive_write_new();
        assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
        assert_int_equal(c == GZIP ? archive_write_add_filter_gzip(a) : archive_write_add_filter_zstd(a), ARCHIVE_OK);
        assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
        assert_int_equal(archive_write_open(a, &b, NULL, buf_write_cb, NULL), ARCHIVE_OK);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, "layer.tar");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t) in->len);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, in->data, in->len), (la_ssize_t) in->len);
        archive_entry_free(e);
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        return b;
}

static int memfd_of(const void *data, size_t len)
{
        int fd = memfd_create("layer", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t) len);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        return fd;
}

static int unpack_buf(int layerfd, const void *data, size_t len, const struct vs_unpack_options *opts,
                      char diff_id[VS_DIGEST_MAX], struct vs_error *err)
{
        _cleanup_close_ int fd = memfd_of(data, len);
        return vs_layer_unpack(fd, layerfd, opts, diff_id, err);
}

/* Unpack entries (as a tar compressed with c); returns the result. */
static int unpack_specs(struct fixture *f, const struct spec *specs, enum compression c,
                        const struct vs_unpack_options *opts, struct vs_error *err)
{
        struct buf tar = make_tar(specs);
        struct buf blob = compress_buf(&tar, c);
        int r = unpack_buf(f->layerfd, blob.data, blob.len, opts, NULL, err);
        free(tar.data);
        free(blob.data);
        return r;
}

static void sha256_hex(const void *data, size_t len, char out[VS_DIGEST_MAX])
{
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256(data, len, md);
        int n = snprintf(out, VS_DIGEST_MAX, "sha256:");
        for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
                n += snprintf(out + n, VS_DIGEST_MAX - (size_t) n, "%02x", md[i]);
}

static void assert_file(int dirfd, const char *path, const char *content)
{
        char *data = NULL;
        struct vs_error err = VS_ERROR_INIT;
        if (vs_read_file_at(dirfd, path, 0, &data, NULL, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(data, content);
        free(data);
}

static void assert_absent(int dirfd, const char *path)
{
        struct stat st;
        if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
                fail_msg("%s exists", path);
}

static struct stat lstat_at(int dirfd, const char *path)
{
        struct stat st;
        if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
                fail_msg("cannot stat %s: %s", path, strerror(errno));
        return st;
}

/* ---- a tree with everything a layer holds ---- */

/* A version 2 file capability: cap_net_raw (13) permitted, effective. */
static const unsigned char cap_net_raw[20] = {0x01, 0x00, 0x00, 0x02, 0x00, 0x20};

static const struct spec full_tree[] = {
        {.path = "./", .type = AE_IFDIR, .perm = 0751, .mtime = 1200000000},
        {.path = "etc/", .type = AE_IFDIR, .perm = 0755, .mtime = 1300000000},
        {.path = "etc/passwd",
         .perm = 0644,
         .data = "root:x:0:0::/root:/bin/sh\n",
         .mtime = 1400000000,
         .mtime_nsec = 123456789},
        {.path = "etc/shadow", .perm = 0640, .uid = 0, .gid = 42, .data = "secret\n"},
        {.path = "bin/", .type = AE_IFDIR, .perm = 0555, .mtime = 1500000000},
        {.path = "bin/su", .perm = 04755, .uid = 1000, .gid = 1000, .data = "setuid\n"},
        {.path = "bin/wall", .perm = 02755, .uid = 0, .gid = 5, .data = "setgid\n"},
        {.path = "bin/ping",
         .perm = 0755,
         .uid = 1001,
         .data = "ping\n",
         .xattr_name = "security.capability",
         .xattr_value = cap_net_raw,
         .xattr_size = sizeof(cap_net_raw)},
        {.path = "bin/sh", .type = AE_IFLNK, .link = "busybox", .uid = 7, .gid = 8, .mtime = 1600000000},
        {.path = "bin/busybox",
         .perm = 0755,
         .data = "busybox\n",
         .xattr_name = "user.vessel",
         .xattr_value = "v1",
         .xattr_size = 2},
        {.path = "bin/ls", .hardlink = "bin/busybox"},
        {.path = "dev/", .type = AE_IFDIR, .perm = 0755},
        {.path = "dev/null", .type = AE_IFCHR, .perm = 0666, .major = 1, .minor = 3},
        {.path = "dev/loop0", .type = AE_IFBLK, .perm = 0660, .gid = 6, .major = 7, .minor = 0},
        {.path = "dev/initctl", .type = AE_IFIFO, .perm = 0600},
        {.path = "var/lib/deep/file", .data = "parents made\n"},
        {.path = "sticky/", .type = AE_IFDIR, .perm = 01777},
        {NULL},
};

static void check_full_tree_below_root(int dirfd);

static void check_full_tree(int dirfd)
{
        struct stat st = lstat_at(dirfd, ".");
        assert_int_equal(st.st_mode & 07777, 0751);
        assert_int_equal(st.st_mtim.tv_sec, 1200000000);
        assert_int_equal(lstat_at(dirfd, "etc/passwd").st_mtim.tv_nsec, 123456789);
        check_full_tree_below_root(dirfd);
}

static void check_full_tree_below_root(int dirfd)
{
        assert_file(dirfd, "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
        struct stat st = lstat_at(dirfd, "etc/passwd");
        assert_int_equal(st.st_mtim.tv_sec, 1400000000);
        st = lstat_at(dirfd, "etc/shadow");
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(st.st_gid, 42);
        /* Directory times are set after their contents were written. */
        assert_int_equal(lstat_at(dirfd, "etc").st_mtim.tv_sec, 1300000000);
        st = lstat_at(dirfd, "bin");
        assert_int_equal(st.st_mode & 07777, 0555);
        assert_int_equal(st.st_mtim.tv_sec, 1500000000);
        /* setuid survives the chown that comes before it. */
        st = lstat_at(dirfd, "bin/su");
        assert_int_equal(st.st_mode & 07777, 04755);
        assert_int_equal(st.st_uid, 1000);
        assert_int_equal(st.st_gid, 1000);
        assert_int_equal(lstat_at(dirfd, "bin/wall").st_mode & 07777, 02755);
        /* security.capability survives the chown too. */
        unsigned char cap[64];
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "/proc/self/fd/%d/bin/ping", dirfd);
        ssize_t n = getxattr(path, "security.capability", cap, sizeof(cap));
        assert_int_equal(n, sizeof(cap_net_raw));
        assert_memory_equal(cap, cap_net_raw, sizeof(cap_net_raw));
        assert_int_equal(lstat_at(dirfd, "bin/ping").st_uid, 1001);
        snprintf(path, sizeof(path), "/proc/self/fd/%d/bin/busybox", dirfd);
        char val[16] = {0};
        assert_int_equal(getxattr(path, "user.vessel", val, sizeof(val)), 2);
        assert_string_equal(val, "v1");
        /* Symlink: target, owner, time of the link itself. */
        char target[64] = {0};
        assert_int_equal(readlinkat(dirfd, "bin/sh", target, sizeof(target)), 7);
        assert_string_equal(target, "busybox");
        st = lstat_at(dirfd, "bin/sh");
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(st.st_uid, 7);
        assert_int_equal(st.st_gid, 8);
        assert_int_equal(st.st_mtim.tv_sec, 1600000000);
        /* Hardlink: one inode. */
        struct stat a = lstat_at(dirfd, "bin/busybox"), b = lstat_at(dirfd, "bin/ls");
        assert_int_equal(a.st_ino, b.st_ino);
        assert_int_equal(a.st_nlink, 2);
        st = lstat_at(dirfd, "dev/null");
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(1, 3));
        assert_int_equal(st.st_mode & 07777, 0666);
        st = lstat_at(dirfd, "dev/loop0");
        assert_true(S_ISBLK(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(7, 0));
        assert_int_equal(st.st_gid, 6);
        assert_true(S_ISFIFO(lstat_at(dirfd, "dev/initctl").st_mode));
        assert_file(dirfd, "var/lib/deep/file", "parents made\n");
        assert_int_equal(lstat_at(dirfd, "var/lib").st_mode & 07777, 0755);
        assert_int_equal(lstat_at(dirfd, "sticky").st_mode & 07777, 01777);
}

static void check_compression(void **state, enum compression c)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct buf tar = make_tar(full_tree);
        struct buf blob = compress_buf(&tar, c);
        if (c != PLAIN)
                assert_true(blob.len != tar.len || memcmp(blob.data, tar.data, tar.len) != 0);
        char diff_id[VS_DIGEST_MAX] = "", expected[VS_DIGEST_MAX];
        int r = unpack_buf(f->layerfd, blob.data, blob.len, NULL, diff_id, &err);
        if (r < 0)
                fail_msg("%s", err.msg);
        sha256_hex(tar.data, tar.len, expected);
        assert_string_equal(diff_id, expected);
        check_full_tree(f->layerfd);
        free(tar.data);
        free(blob.data);
}

static void test_plain(void **state)
{
        check_compression(state, PLAIN);
}

static void test_gzip(void **state)
{
        check_compression(state, GZIP);
}

static void test_zstd(void **state)
{
        check_compression(state, ZSTD);
}

/* A tar with trailing zeros (a tar's last record) and a file of several
 * chunks: the diff ID covers every uncompressed byte. */
static void test_diff_id_large(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        size_t big = (5u << 20) + 12345;
        char *data = malloc(big + 1);
        for (size_t i = 0; i < big; i++)
                data[i] = (char) ('a' + (i * 7919) % 26);
        data[big] = '\0';
        const struct spec specs[] = {{.path = "big", .data = data}, {NULL}};
        struct buf tar = make_tar(specs);
        tar.data = realloc(tar.data, tar.len + 10240);
        memset(tar.data + tar.len, 0, 10240);
        tar.len += 10240;
        struct buf blob = compress_buf(&tar, GZIP);
        char diff_id[VS_DIGEST_MAX], expected[VS_DIGEST_MAX];
        if (unpack_buf(f->layerfd, blob.data, blob.len, NULL, diff_id, &err) < 0)
                fail_msg("%s", err.msg);
        sha256_hex(tar.data, tar.len, expected);
        assert_string_equal(diff_id, expected);
        assert_file(f->layerfd, "big", data);
        free(data);
        free(tar.data);
        free(blob.data);
}

static void test_whiteouts(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        const struct spec specs[] = {
                {.path = "gone", .data = "earlier\n"},
                {.path = "dir/", .type = AE_IFDIR},
                {.path = "dir/.wh..wh..opq"},
                {.path = "dir/kept", .data = "kept\n"},
                {.path = ".wh.gone"},
                {.path = "sub/.wh.missing"},
                {.path = ".wh..wh.plnk/"},
                {.path = ".wh..wh.aufs"},
                {NULL},
        };
        struct vs_unpack_options opts = {.origin = "sha256:wh", .no_devices = true};
        if (unpack_specs(f, specs, GZIP, &opts, &err) < 0)
                fail_msg("%s", err.msg);
        struct stat st = lstat_at(f->layerfd, "gone");
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(0, 0));
        st = lstat_at(f->layerfd, "sub/missing");
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(0, 0));
        char path[PATH_MAX], val[8] = {0};
        snprintf(path, sizeof(path), "%s/layer/dir", f->tmp);
        assert_int_equal(getxattr(path, "trusted.overlay.opaque", val, sizeof(val)), 1);
        assert_string_equal(val, "y");
        assert_file(f->layerfd, "dir/kept", "kept\n");
        assert_absent(f->layerfd, "dir/.wh..wh..opq");
        assert_absent(f->layerfd, ".wh..wh.plnk");
        assert_absent(f->layerfd, ".wh..wh.aufs");
        assert_absent(f->layerfd, ".wh.gone");
}

/* Later entries replace earlier ones, as tar does; a directory over a
 * directory keeps what it holds. Forged overlay xattrs are dropped. */
static void test_replace(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        const struct spec specs[] = {
                {.path = "a/", .type = AE_IFDIR},
                {.path = "a/inner", .data = "inner\n"},
                {.path = "a", .data = "file over dir\n"},
                {.path = "b", .data = "file\n"},
                {.path = "b/", .type = AE_IFDIR, .perm = 0700},
                {.path = "c", .data = "file\n"},
                {.path = "c", .type = AE_IFLNK, .link = "a"},
                {.path = "d/", .type = AE_IFDIR},
                {.path = "d/keep", .data = "keep\n"},
                {.path = "d/", .type = AE_IFDIR, .perm = 0710},
                {.path = "e", .data = "first\n"},
                {.path = "e", .data = "second\n"},
                /* A directory replaced by a symlink between two entries below it. */
                {.path = "elsewhere/y/", .type = AE_IFDIR},
                {.path = "x/y/one", .data = "1"},
                {.path = "x", .type = AE_IFLNK, .link = "elsewhere"},
                {.path = "x/y/two", .data = "2"},
                {.path = "f",
                 .data = "forged\n",
                 .xattr_name = "trusted.overlay.redirect",
                 .xattr_value = "/x",
                 .xattr_size = 2},
                {NULL},
        };
        if (unpack_specs(f, specs, PLAIN, NULL, &err) < 0)
                fail_msg("%s", err.msg);
        assert_file(f->layerfd, "a", "file over dir\n");
        assert_true(S_ISDIR(lstat_at(f->layerfd, "b").st_mode));
        assert_int_equal(lstat_at(f->layerfd, "b").st_mode & 07777, 0700);
        assert_true(S_ISLNK(lstat_at(f->layerfd, "c").st_mode));
        assert_file(f->layerfd, "d/keep", "keep\n");
        assert_int_equal(lstat_at(f->layerfd, "d").st_mode & 07777, 0710);
        assert_file(f->layerfd, "e", "second\n");
        assert_file(f->layerfd, "elsewhere/y/two", "2");
        assert_absent(f->layerfd, "elsewhere/y/one");
        char path[PATH_MAX], val[8];
        snprintf(path, sizeof(path), "%s/layer/f", f->tmp);
        assert_int_equal(getxattr(path, "trusted.overlay.redirect", val, sizeof(val)), -1);
}

static void test_ignore_owner(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        const struct spec specs[] = {
                {.path = "owned", .perm = 04750, .uid = 1234, .gid = 1234, .data = "x"},
                {NULL},
        };
        struct vs_unpack_options opts = {.ignore_owner = true};
        if (unpack_specs(f, specs, PLAIN, &opts, &err) < 0)
                fail_msg("%s", err.msg);
        struct stat st = lstat_at(f->layerfd, "owned");
        assert_int_equal(st.st_uid, getuid());
        assert_int_equal(st.st_gid, getgid());
        assert_int_equal(st.st_mode & 07777, 04750);
}

/* ---- vs_layer_diff: a tree written as a layer and unpacked again ---- */

/* Every entry below dir but the root: path, type and mode, owner, mtime
 * (whole seconds: a layer keeps no more, as docker's), size, link target,
 * link count; sorted. */
static char *describe_tree(const char *dir)
{
        char cmd[PATH_MAX + 128];
        snprintf(cmd, sizeof(cmd), "cd '%s' && find . -mindepth 1 -printf '%%p %%M %%U %%G %%Ts %%s %%l %%n\\n' | sort",
                 dir);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        struct buf b = {0};
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
                buf_write_cb(NULL, &b, chunk, n);
        assert_int_equal(pclose(p), 0);
        buf_write_cb(NULL, &b, "", 1);
        return b.data;
}

static void test_diff_round_trip(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        if (unpack_specs(f, full_tree, PLAIN, NULL, &err) < 0)
                fail_msg("%s", err.msg);
        /* What overlay leaves in an upper dir: a whiteout, an opaque dir. */
        assert_int_equal(mknodat(f->layerfd, "deleted", S_IFCHR, makedev(0, 0)), 0);
        assert_int_equal(mkdirat(f->layerfd, "opaque", 0700), 0);
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/layer/opaque", f->tmp);
        assert_int_equal(setxattr(path, "trusted.overlay.opaque", "y", 1, 0), 0);
        assert_int_equal(setxattr(path, "trusted.overlay.origin", "zz", 2, 0), 0);

        for (int gzip = 0; gzip < 2; gzip++) {
                _cleanup_close_ int out = memfd_create("diff", MFD_CLOEXEC);
                char diff_id[VS_DIGEST_MAX], digest[VS_DIGEST_MAX], again[VS_DIGEST_MAX];
                if (vs_layer_diff(f->layerfd, out, gzip, diff_id, digest, &err) < 0)
                        fail_msg("%s", err.msg);
                assert_true(gzip ? strcmp(diff_id, digest) != 0 : strcmp(diff_id, digest) == 0);
                char copy[32];
                snprintf(copy, sizeof(copy), "copy%d", gzip);
                assert_int_equal(mkdirat(f->tmpfd, copy, 0755), 0);
                _cleanup_close_ int copyfd = openat(f->tmpfd, copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert_int_equal(lseek(out, 0, SEEK_SET), 0);
                if (vs_layer_unpack(out, copyfd, NULL, again, &err) < 0)
                        fail_msg("%s", err.msg);
                assert_string_equal(again, diff_id);
                char *want = describe_tree(at_tmp_path(f, "layer")), *got = describe_tree(at_tmp_path(f, copy));
                assert_string_equal(got, want);
                free(want);
                free(got);
                check_full_tree_below_root(copyfd);
                snprintf(path, sizeof(path), "%s/%s/opaque", f->tmp, copy);
                char val[8] = {0};
                assert_int_equal(getxattr(path, "trusted.overlay.opaque", val, sizeof(val)), 1);
                assert_int_equal(getxattr(path, "trusted.overlay.origin", val, sizeof(val)), -1);
        }
}

/* 1,000 levels: parents made without recursion, walked without holding an
 * fd per level. */
static void test_deep_paths(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char deep[PATH_MAX];
        size_t len = 0;
        for (int i = 0; i < 1000; i++)
                len += (size_t) snprintf(deep + len, sizeof(deep) - len, "d/");
        snprintf(deep + len, sizeof(deep) - len, "f");
        const struct spec specs[] = {{.path = deep, .data = "deep\n"}, {NULL}};
        if (unpack_specs(f, specs, PLAIN, NULL, &err) < 0)
                fail_msg("%s", err.msg);
        assert_file(f->layerfd, deep, "deep\n");
        _cleanup_close_ int out = memfd_create("diff", MFD_CLOEXEC);
        char diff_id[VS_DIGEST_MAX], digest[VS_DIGEST_MAX];
        if (vs_layer_diff(f->layerfd, out, true, diff_id, digest, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(mkdirat(f->tmpfd, "copy", 0755), 0);
        _cleanup_close_ int copyfd = openat(f->tmpfd, "copy", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(lseek(out, 0, SEEK_SET), 0);
        if (vs_layer_unpack(out, copyfd, NULL, NULL, &err) < 0)
                fail_msg("%s", err.msg);
        assert_file(copyfd, deep, "deep\n");
}

/* ---- hostile layers ---- */

static void expect_failure(struct fixture *f, const struct spec *specs, const struct vs_unpack_options *opts,
                           const char *entry)
{
        struct vs_error err = VS_ERROR_INIT;
        int r = unpack_specs(f, specs, GZIP, opts, &err);
        if (r == 0)
                fail_msg("unpacking succeeded, expected a failure on %s", entry);
        assert_int_equal(r, -err.code);
        assert_contains(err.msg, "layer sha256:bad");
        char needle[PATH_MAX];
        snprintf(needle, sizeof(needle), "entry %s:", entry);
        assert_contains(err.msg, needle);
}

static const struct vs_unpack_options bad_opts = {.origin = "sha256:bad"};

static void test_absolute_path(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        const struct spec specs[] = {{.path = "/abs/file", .data = "in the layer\n"}, {NULL}};
        if (unpack_specs(f, specs, PLAIN, NULL, &err) < 0)
                fail_msg("%s", err.msg);
        assert_file(f->layerfd, "abs/file", "in the layer\n");
        assert_absent(AT_FDCWD, "/abs");
}

static void test_dotdot_escape(void **state)
{
        struct fixture *f = *state;
        const struct spec specs[] = {{.path = "ok", .data = "x"}, {.path = "../escape", .data = "out\n"}, {NULL}};
        expect_failure(f, specs, &bad_opts, "../escape");
        assert_absent(f->tmpfd, "escape");
        const struct spec deeper[] = {{.path = "a/b/../../../escape2", .data = "out\n"}, {NULL}};
        expect_failure(f, deeper, &bad_opts, "a/b/../../../escape2");
        assert_absent(f->tmpfd, "escape2");
        /* ".." that stays inside is only a path. */
        struct vs_error err = VS_ERROR_INIT;
        const struct spec inside[] = {{.path = "a/../inside", .data = "in\n"}, {NULL}};
        if (unpack_specs(f, inside, PLAIN, NULL, &err) < 0)
                fail_msg("%s", err.msg);
        assert_file(f->layerfd, "inside", "in\n");
}

/* "link -> /" then "link/etc/x": written under the layer's own etc, never
 * the host's; the same with a link to the test's own directory on the host
 * and with a relative link climbing up. */
static void test_symlink_write_through(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char hostname[128], through[160], host_abs[PATH_MAX];
        snprintf(hostname, sizeof(hostname), "vessel-unpack-test-%d", (int) getpid());
        snprintf(through, sizeof(through), "link/etc/%s", hostname);
        snprintf(host_abs, sizeof(host_abs), "/etc/%s", hostname);
        const struct spec specs[] = {
                {.path = f->tmp, .type = AE_IFDIR}, /* the layer's own "/tmp/vessel-unpack-X" */
                {.path = "link", .type = AE_IFLNK, .link = "/"},
                {.path = "etc/", .type = AE_IFDIR},
                {.path = through, .data = "contained\n"},
                {.path = "tmplink", .type = AE_IFLNK, .link = f->tmp},
                {.path = "tmplink/victim", .data = "contained\n"},
                {.path = "up", .type = AE_IFLNK, .link = "../../../../.."},
                {.path = "up/victim2", .data = "contained\n"},
                {NULL},
        };
        int r = unpack_specs(f, specs, GZIP, NULL, &err);
        assert_absent(AT_FDCWD, host_abs);
        assert_absent(f->tmpfd, "victim");
        assert_absent(AT_FDCWD, "/victim2");
        if (r < 0)
                fail_msg("%s", err.msg);
        char inside[PATH_MAX];
        snprintf(inside, sizeof(inside), "etc/%s", hostname);
        assert_file(f->layerfd, inside, "contained\n");
        snprintf(inside, sizeof(inside), "%s/victim", f->tmp + 1);
        assert_file(f->layerfd, inside, "contained\n");
        assert_file(f->layerfd, "victim2", "contained\n");
}

static void test_hardlink_outside(void **state)
{
        struct fixture *f = *state;
        struct stat before;
        assert_int_equal(stat("/etc/passwd", &before), 0);
        const struct spec abs[] = {{.path = "pw", .hardlink = "/etc/passwd"}, {NULL}};
        expect_failure(f, abs, &bad_opts, "pw");
        const struct spec up[] = {{.path = "x", .hardlink = "../x"}, {NULL}};
        expect_failure(f, up, &bad_opts, "x");
        const struct spec missing[] = {{.path = "y", .hardlink = "nothing/here"}, {NULL}};
        expect_failure(f, missing, &bad_opts, "y");
        const struct spec via_link[] = {
                {.path = "l", .type = AE_IFLNK, .link = "/etc"},
                {.path = "z", .hardlink = "l/passwd"},
                {NULL},
        };
        expect_failure(f, via_link, &bad_opts, "z");
        struct stat after;
        assert_int_equal(stat("/etc/passwd", &after), 0);
        assert_int_equal(after.st_nlink, before.st_nlink);
        assert_absent(f->layerfd, "pw");
        assert_absent(f->layerfd, "z");
}

static void test_no_devices(void **state)
{
        struct fixture *f = *state;
        struct vs_unpack_options opts = {.origin = "sha256:bad", .no_devices = true};
        const struct spec chr[] = {{.path = "dev/mem", .type = AE_IFCHR, .major = 1, .minor = 1}, {NULL}};
        expect_failure(f, chr, &opts, "dev/mem");
        assert_absent(f->layerfd, "dev/mem");
        const struct spec blk[] = {{.path = "sda", .type = AE_IFBLK, .major = 8, .minor = 0}, {NULL}};
        expect_failure(f, blk, &opts, "sda");
        /* FIFOs and whiteouts are no devices. */
        struct vs_error err = VS_ERROR_INIT;
        const struct spec ok[] = {{.path = "fifo", .type = AE_IFIFO}, {.path = ".wh.x"}, {NULL}};
        if (unpack_specs(f, ok, PLAIN, &opts, &err) < 0)
                fail_msg("%s", err.msg);
}

static void test_truncated(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char *data = calloc(1, 200001);
        memset(data, 'q', 200000);
        const struct spec specs[] = {{.path = "first", .data = "1"}, {.path = "big", .data = data}, {NULL}};
        struct buf tar = make_tar(specs);
        /* Cut in the middle of "big": the tar reader runs dry. */
        int r = unpack_buf(f->layerfd, tar.data, tar.len / 2, &bad_opts, NULL, &err);
        assert_true(r < 0);
        assert_contains(err.msg, "layer sha256:bad");
        assert_contains(err.msg, "big");
        vs_error_ignore(&err);
        /* A gzip stream cut short. */
        struct buf gz = compress_buf(&tar, GZIP);
        r = unpack_buf(f->layerfd, gz.data, gz.len - 20, &bad_opts, NULL, &err);
        assert_true(r < 0);
        assert_contains(err.msg, "layer sha256:bad");
        free(data);
        free(tar.data);
        free(gz.data);
}

static void test_not_an_archive(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        const char text[] = "this is not a tar archive, only some text that goes on for a while\n";
        char block[4096];
        for (size_t i = 0; i < sizeof(block); i++)
                block[i] = text[i % (sizeof(text) - 1)];
        int r = unpack_buf(f->layerfd, block, sizeof(block), &bad_opts, NULL, &err);
        assert_true(r < 0);
        assert_int_equal(r, -err.code);
        assert_contains(err.msg, "layer sha256:bad");
        vs_error_ignore(&err);
        /* gzip magic and garbage after it. */
        unsigned char gz[64] = {0x1f, 0x8b, 0x08, 0x00};
        memset(gz + 10, 0xab, sizeof(gz) - 10);
        r = unpack_buf(f->layerfd, gz, sizeof(gz), &bad_opts, NULL, &err);
        assert_true(r < 0);
        assert_contains(err.msg, "layer sha256:bad");
}

int main(void)
{
        if (geteuid() != 0) {
                printf("1..0 # SKIP needs root\n");
                return 0;
        }
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_plain),
                T(test_gzip),
                T(test_zstd),
                T(test_diff_id_large),
                T(test_whiteouts),
                T(test_replace),
                T(test_diff_round_trip),
                T(test_deep_paths),
                T(test_ignore_owner),
                T(test_absolute_path),
                T(test_dotdot_escape),
                T(test_symlink_write_through),
                T(test_hardlink_outside),
                T(test_no_devices),
                T(test_truncated),
                T(test_not_an_archive),
        };
#undef T
        return cmocka_run_group_tests(tests, NULL, NULL);
}
