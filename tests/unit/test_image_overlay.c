/* Unit tests for src/image/overlay.c and layer_diff.c: layers unpacked by
 * vs_layer_unpack from tars made here are stacked by vs_overlay_mount (new
 * mount API) and vs_overlay_mount_legacy (mount(2), forced), and the merged
 * view is checked: the top layer wins, whiteouts delete, opaque directories
 * hide what is below; 40- and 200-layer chains with long paths; read-only
 * mounts. Then a container's changes (the upper dir) are turned back into a
 * layer by vs_layer_diff and stacked again. Runs as root. */
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/overlay.h"
#include "image/unpack.h"
#include "util/cleanup.h"
#include "util/files.h"

typedef int (*mount_fn)(const char *const *, size_t, const char *, const char *, const char *, const char *,
                        struct vs_error *);

struct fixture {
        char tmp[64];
        int tmpfd;
        char mounts[8][PATH_MAX]; /* unmounted by the teardown */
        size_t nmounts;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        snprintf(f->tmp, sizeof(f->tmp), "/tmp/vessel-overlay-XXXXXX");
        if (!mkdtemp(f->tmp))
                return -1;
        f->tmpfd = open(f->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (f->tmpfd < 0)
                return -1;
        umask(022);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        for (size_t i = f->nmounts; i-- > 0;)
                if (umount2(f->mounts[i], MNT_DETACH) < 0 && errno != EINVAL)
                        print_message("# teardown: umount %s: %s\n", f->mounts[i], strerror(errno));
        vs_safe_close(f->tmpfd);
        int r = vs_remove_tree_at(AT_FDCWD, f->tmp, &err);
        if (r < 0)
                print_message("# teardown: %s\n", err.msg);
        free(f);
        return r;
}

static void assert_contains(const char *haystack, const char *needle)
{
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* tmp/name as an absolute path (static buffers rotate: several per call). */
static const char *at_tmp(struct fixture *f, const char *name)
{
        static char bufs[8][PATH_MAX];
        static unsigned next;
        char *b = bufs[next++ % 8];
        snprintf(b, PATH_MAX, "%s/%s", f->tmp, name);
        return b;
}

static void make_dir(struct fixture *f, const char *name)
{
        if (mkdirat(f->tmpfd, name, 0755) < 0)
                fail_msg("cannot mkdir %s: %s", name, strerror(errno));
}

static void put_file(int dirfd, const char *path, const char *content)
{
        int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                fail_msg("cannot create %s: %s", path, strerror(errno));
        size_t len = strlen(content);
        assert_int_equal(write(fd, content, len), (ssize_t) len);
        close(fd);
}

static void assert_file(const char *dir, const char *path, const char *content)
{
        char full[PATH_MAX], *data = NULL;
        struct vs_error err = VS_ERROR_INIT;
        snprintf(full, sizeof(full), "%s/%s", dir, path);
        if (vs_read_file(full, &data, NULL, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(data, content);
        free(data);
}

static void assert_absent(const char *dir, const char *path)
{
        char full[PATH_MAX];
        struct stat st;
        snprintf(full, sizeof(full), "%s/%s", dir, path);
        if (lstat(full, &st) == 0 || errno != ENOENT)
                fail_msg("%s exists", full);
}

/* The names in a directory, sorted and joined by spaces. */
static void list_names(const char *dir, char *out, size_t size)
{
        struct dirent **list;
        int n = scandir(dir, &list, NULL, alphasort);
        if (n < 0)
                fail_msg("cannot list %s: %s", dir, strerror(errno));
        out[0] = '\0';
        for (int i = 0; i < n; i++) {
                if (strcmp(list[i]->d_name, ".") != 0 && strcmp(list[i]->d_name, "..") != 0) {
                        if (out[0])
                                strncat(out, " ", size - strlen(out) - 1);
                        strncat(out, list[i]->d_name, size - strlen(out) - 1);
                }
                free(list[i]);
        }
        free(list);
}

static void do_mount(struct fixture *f, mount_fn fn, const char *const *lowers, size_t n, const char *upper,
                     const char *work, const char *target)
{
        struct vs_error err = VS_ERROR_INIT;
        if (fn(lowers, n, upper, work, target, NULL, &err) < 0)
                fail_msg("%s", err.msg);
        assert_true(f->nmounts < VS_ARRAY_SIZE(f->mounts));
        snprintf(f->mounts[f->nmounts++], PATH_MAX, "%s", target);
}

static void do_umount(struct fixture *f, const char *target)
{
        assert_int_equal(umount2(target, MNT_DETACH), 0);
        f->nmounts--;
}

/* ---- layers from tars ---- */

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

/* A gzip tar of "path=content" regular files and "path/" directories. */
static struct buf make_layer_tar(const char *const *entries)
{
        struct buf b = {0};
        struct archive *a = archive_write_new();
        assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
        assert_int_equal(archive_write_open(a, &b, NULL, buf_write_cb, NULL), ARCHIVE_OK);
        for (const char *const *s = entries; *s; s++) {
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s", *s);
                char *eq = strchr(path, '=');
                const char *content = eq ? eq + 1 : "";
                if (eq)
                        *eq = '\0';
                bool dir = path[strlen(path) - 1] == '/';
                struct archive_entry *e = archive_entry_new();
                archive_entry_set_pathname(e, path);
                archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
                archive_entry_set_perm(e, dir ? 0755 : 0644);
                archive_entry_set_size(e, dir ? 0 : (la_int64_t) strlen(content));
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (!dir && content[0])
                        assert_int_equal(archive_write_data(a, content, strlen(content)), (la_ssize_t) strlen(content));
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        return b;
}

static void unpack_layer_fd(struct fixture *f, const char *name, int fd)
{
        make_dir(f, name);
        _cleanup_close_ int dirfd = openat(f->tmpfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct vs_error err = VS_ERROR_INIT;
        struct vs_unpack_options opts = {.origin = name, .no_devices = true};
        if (vs_layer_unpack(fd, dirfd, &opts, NULL, &err) < 0)
                fail_msg("%s", err.msg);
}

static void unpack_layer(struct fixture *f, const char *name, const char *const *entries)
{
        struct buf tar = make_layer_tar(entries);
        _cleanup_close_ int fd = memfd_create("layer", MFD_CLOEXEC);
        assert_int_equal(write(fd, tar.data, tar.len), (ssize_t) tar.len);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        unpack_layer_fd(f, name, fd);
        free(tar.data);
}

static const char *const base_layer[] = {
        "a/", "a/file1=base", "a/file2=base2", "keep=k", "gone=g", "opq/", "opq/old=old", "opq/sub/deep=deep", NULL,
};
static const char *const middle_layer[] = {
        "a/file1=middle", ".wh.gone", "opq/", "opq/.wh..wh..opq", "opq/new=new", NULL,
};
static const char *const top_layer[] = {"top=top", "a/file3=top3", "a/.wh.file2", NULL};

static void make_three_layers(struct fixture *f)
{
        unpack_layer(f, "l1", base_layer);
        unpack_layer(f, "l2", middle_layer);
        unpack_layer(f, "l3", top_layer);
}

static void check_three_layers(const char *merged)
{
        char names[1024];
        assert_file(merged, "a/file1", "middle"); /* l2 over l1: lowerdirs[0] is the top */
        assert_absent(merged, "a/file2");         /* whited out by l3 */
        assert_file(merged, "a/file3", "top3");
        assert_file(merged, "keep", "k");
        assert_absent(merged, "gone"); /* whited out by l2 */
        assert_file(merged, "top", "top");
        list_names(merged, names, sizeof(names));
        assert_string_equal(names, "a keep opq top");
        char opq[PATH_MAX];
        snprintf(opq, sizeof(opq), "%s/opq", merged);
        list_names(opq, names, sizeof(names)); /* opaque in l2: l1's content hidden */
        assert_string_equal(names, "new");
}

static void check_stack(void **state, mount_fn fn)
{
        struct fixture *f = *state;
        make_three_layers(f);
        make_dir(f, "upper");
        make_dir(f, "work");
        make_dir(f, "merged");
        const char *lowers[] = {at_tmp(f, "l3"), at_tmp(f, "l2"), at_tmp(f, "l1")};
        const char *merged = at_tmp(f, "merged");
        char merged_path[256];
        snprintf(merged_path, sizeof(merged_path), "%s", merged);
        do_mount(f, fn, lowers, 3, at_tmp(f, "upper"), at_tmp(f, "work"), merged_path);
        check_three_layers(merged_path);
        /* Writable: the change lands in the upper dir only. */
        put_file(AT_FDCWD, at_tmp(f, "merged/written"), "w");
        assert_file(at_tmp(f, "upper"), "written", "w");
        assert_absent(at_tmp(f, "l3"), "written");
        do_umount(f, merged_path);
}

static void test_stack_new_api(void **state)
{
        check_stack(state, vs_overlay_mount);
}

static void test_stack_legacy(void **state)
{
        check_stack(state, vs_overlay_mount_legacy);
}

/* Read-only: no upper dir, writes refused; one layer alone too. */
static void test_read_only(void **state)
{
        struct fixture *f = *state;
        make_three_layers(f);
        make_dir(f, "merged");
        char merged[256];
        snprintf(merged, sizeof(merged), "%s", at_tmp(f, "merged"));
        const char *lowers[] = {at_tmp(f, "l3"), at_tmp(f, "l2"), at_tmp(f, "l1")};
        mount_fn fns[] = {vs_overlay_mount, vs_overlay_mount_legacy};
        for (size_t i = 0; i < 2; i++) {
                do_mount(f, fns[i], lowers, 3, NULL, NULL, merged);
                check_three_layers(merged);
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/new", merged);
                assert_int_equal(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), -1);
                assert_int_equal(errno, EROFS);
                do_umount(f, merged);
                /* A single layer. */
                do_mount(f, fns[i], lowers + 2, 1, NULL, NULL, merged);
                assert_file(merged, "a/file1", "base");
                assert_int_equal(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), -1);
                assert_int_equal(errno, EROFS);
                do_umount(f, merged);
        }
}

/* n layers under long names; layer i holds "f<i>" and "shared" = i. The
 * top (lowerdirs[0]) is layer n-1. */
static void check_chain(void **state, size_t n, size_t name_len, mount_fn fn)
{
        struct fixture *f = *state;
        make_dir(f, "layers");
        const char **lowers = calloc(n, sizeof(char *));
        char filler[256];
        memset(filler, 'x', sizeof(filler));
        filler[name_len - 10] = '\0';
        for (size_t i = 0; i < n; i++) {
                char name[512], file[32], content[32];
                snprintf(name, sizeof(name), "layers/%04zu-%s", i, filler);
                make_dir(f, name);
                _cleanup_close_ int dfd = openat(f->tmpfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                snprintf(file, sizeof(file), "f%zu", i);
                snprintf(content, sizeof(content), "%zu", i);
                put_file(dfd, file, content);
                put_file(dfd, "shared", content);
                lowers[n - 1 - i] = strdup(at_tmp(f, name));
        }
        size_t total = 0;
        for (size_t i = 0; i < n; i++)
                total += strlen(lowers[i]) + 1;
        assert_true(total > 4096); /* more than mount(2) takes in one string of absolute paths */
        make_dir(f, "upper");
        make_dir(f, "work");
        make_dir(f, "merged");
        char merged[256];
        snprintf(merged, sizeof(merged), "%s", at_tmp(f, "merged"));
        do_mount(f, fn, lowers, n, at_tmp(f, "upper"), at_tmp(f, "work"), merged);
        char expect[32];
        snprintf(expect, sizeof(expect), "%zu", n - 1);
        assert_file(merged, "shared", expect);
        for (size_t i = 0; i < n; i++) {
                char file[32], content[32];
                snprintf(file, sizeof(file), "f%zu", i);
                snprintf(content, sizeof(content), "%zu", i);
                assert_file(merged, file, content);
        }
        do_umount(f, merged);
        for (size_t i = 0; i < n; i++)
                free((char *) lowers[i]);
        free(lowers);
}

static void test_chain_200_new_api(void **state)
{
        check_chain(state, 200, 100, vs_overlay_mount);
}

/* Legacy, 35 layers: absolute paths overflow a page, relative ones fit. */
static void test_chain_35_legacy(void **state)
{
        check_chain(state, 35, 100, vs_overlay_mount_legacy);
}

/* Legacy, 200 layers: even relative paths overflow; fds are used. */
static void test_chain_200_legacy(void **state)
{
        check_chain(state, 200, 100, vs_overlay_mount_legacy);
}

static void test_errors(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        make_dir(f, "merged");
        const char *missing[] = {at_tmp(f, "nope1"), at_tmp(f, "nope2")};
        int r = vs_overlay_mount(missing, 2, NULL, NULL, at_tmp(f, "merged"), NULL, &err);
        assert_true(r < 0);
        assert_int_equal(r, -err.code);
        assert_contains(err.msg, "nope1");
        vs_error_ignore(&err);
        r = vs_overlay_mount(missing, 0, NULL, NULL, at_tmp(f, "merged"), NULL, &err);
        assert_int_equal(r, -EINVAL);
        vs_error_ignore(&err);
        make_dir(f, "l1");
        make_dir(f, "l2");
        const char *lowers[] = {at_tmp(f, "l1"), at_tmp(f, "l2")};
        r = vs_overlay_mount(lowers, 2, at_tmp(f, "l1"), NULL, at_tmp(f, "merged"), NULL, &err);
        assert_int_equal(r, -EINVAL);
        assert_contains(err.msg, "work dir");
}

/* ---- the container's changes as a layer ---- */

static void sha256_hex(const void *data, size_t len, char out[VS_DIGEST_MAX])
{
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256(data, len, md);
        int n = snprintf(out, VS_DIGEST_MAX, "sha256:");
        for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
                n += snprintf(out + n, VS_DIGEST_MAX - (size_t) n, "%02x", md[i]);
}

static struct buf read_all_fd(int fd)
{
        struct buf b = {0};
        char chunk[65536];
        ssize_t n;
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        while ((n = read(fd, chunk, sizeof(chunk))) > 0)
                buf_write_cb(NULL, &b, chunk, (size_t) n);
        return b;
}

static struct buf gunzip(const struct buf *in)
{
        struct buf out = {0};
        struct archive *a = archive_read_new();
        archive_read_support_filter_gzip(a);
        archive_read_support_format_raw(a);
        assert_int_equal(archive_read_open_memory(a, in->data, in->len), ARCHIVE_OK);
        struct archive_entry *e;
        assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
        char chunk[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0)
                buf_write_cb(NULL, &out, chunk, (size_t) n);
        assert_int_equal(n, 0);
        archive_read_free(a);
        return out;
}

/* The names of a tar's entries, joined by spaces. */
static void tar_names(const struct buf *tar, char *out, size_t size)
{
        struct archive *a = archive_read_new();
        archive_read_support_format_tar(a);
        assert_int_equal(archive_read_open_memory(a, tar->data, tar->len), ARCHIVE_OK);
        struct archive_entry *e;
        out[0] = '\0';
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
                if (out[0])
                        strncat(out, " ", size - strlen(out) - 1);
                strncat(out, archive_entry_pathname(e), size - strlen(out) - 1);
        }
        archive_read_free(a);
}

static void check_commit(void **state, bool gzip)
{
        struct fixture *f = *state;
        make_three_layers(f);
        make_dir(f, "upper");
        make_dir(f, "work");
        make_dir(f, "merged");
        char merged[256];
        snprintf(merged, sizeof(merged), "%s", at_tmp(f, "merged"));
        const char *lowers[] = {at_tmp(f, "l3"), at_tmp(f, "l2"), at_tmp(f, "l1")};
        do_mount(f, vs_overlay_mount, lowers, 3, at_tmp(f, "upper"), at_tmp(f, "work"), merged);
        /* A container's changes: a deletion (whiteout), a directory removed and
         * made again (opaque), a new file, a changed one with an xattr. */
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/keep", merged);
        assert_int_equal(unlink(path), 0);
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int mfd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (vs_remove_tree_at(mfd, "a", &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(mkdirat(mfd, "a", 0750), 0);
        put_file(mfd, "a/only", "only");
        put_file(mfd, "top", "changed");
        snprintf(path, sizeof(path), "%s/top", merged);
        assert_int_equal(setxattr(path, "user.note", "hi", 2, 0), 0);
        do_umount(f, merged);

        _cleanup_close_ int upperfd = open(at_tmp(f, "upper"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int out = memfd_create("diff", MFD_CLOEXEC);
        char diff_id[VS_DIGEST_MAX], digest[VS_DIGEST_MAX], expect[VS_DIGEST_MAX];
        if (vs_layer_diff(upperfd, out, gzip, diff_id, digest, &err) < 0)
                fail_msg("%s", err.msg);
        struct buf blob = read_all_fd(out);
        sha256_hex(blob.data, blob.len, expect);
        assert_string_equal(digest, expect);
        struct buf tar = gzip ? gunzip(&blob) : blob;
        if (gzip)
                assert_true(tar.len > blob.len || memcmp(tar.data, blob.data, tar.len) != 0);
        sha256_hex(tar.data, tar.len, expect);
        assert_string_equal(diff_id, expect);
        char names[1024];
        tar_names(&tar, names, sizeof(names));
        assert_string_equal(names, "a/ a/.wh..wh..opq a/only .wh.keep top");

        /* The diff as a fourth layer. */
        assert_int_equal(lseek(out, 0, SEEK_SET), 0);
        unpack_layer_fd(f, "l4", out);
        snprintf(path, sizeof(path), "%s/l4/top", f->tmp);
        char note[8] = {0};
        assert_int_equal(getxattr(path, "user.note", note, sizeof(note)), 2);
        assert_string_equal(note, "hi");
        const char *four[] = {at_tmp(f, "l4"), at_tmp(f, "l3"), at_tmp(f, "l2"), at_tmp(f, "l1")};
        do_mount(f, vs_overlay_mount, four, 4, NULL, NULL, merged);
        list_names(merged, names, sizeof(names));
        assert_string_equal(names, "a opq top");
        snprintf(path, sizeof(path), "%s/a", merged);
        list_names(path, names, sizeof(names));
        assert_string_equal(names, "only");
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0750);
        assert_file(merged, "top", "changed");
        do_umount(f, merged);
        if (gzip)
                free(tar.data);
        free(blob.data);
}

static void test_commit_gzip(void **state)
{
        check_commit(state, true);
}

static void test_commit_plain(void **state)
{
        check_commit(state, false);
}

int main(void)
{
        if (geteuid() != 0) {
                printf("1..0 # SKIP needs root\n");
                return 0;
        }
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_stack_new_api),   T(test_stack_legacy),     T(test_read_only), T(test_chain_200_new_api),
                T(test_chain_35_legacy), T(test_chain_200_legacy), T(test_errors),    T(test_commit_gzip),
                T(test_commit_plain),
        };
#undef T
        return cmocka_run_group_tests(tests, NULL, NULL);
}
