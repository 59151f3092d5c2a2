/* Unit tests for src/util/files.c: whole-file reads and writes, tree removal,
 * and above all opening a path under a root without leaving it, with
 * openat2(RESOLVE_IN_ROOT) and with the fallback walk forced. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/cleanup.h"
#include "util/files.h"

/* Every test works in its own mkdtemp dir, removed by the teardown. */
struct fixture {
        char tmp[64];
        int tmpfd;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        snprintf(f->tmp, sizeof(f->tmp), "/tmp/vessel-files-XXXXXX");
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

static void put_file(int dirfd, const char *path, const char *content)
{
        int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                fail_msg("cannot create %s: %s", path, strerror(errno));
        size_t len = strlen(content);
        assert_int_equal(write(fd, content, len), (ssize_t) len);
        close(fd);
}

static void put_dir(int dirfd, const char *path)
{
        if (mkdirat(dirfd, path, 0755) < 0)
                fail_msg("cannot mkdir %s: %s", path, strerror(errno));
}

static void put_link(int dirfd, const char *target, const char *path)
{
        if (symlinkat(target, dirfd, path) < 0)
                fail_msg("cannot symlink %s: %s", path, strerror(errno));
}

static char *repeat(char c, size_t n)
{
        char *s = malloc(n + 1);
        assert_non_null(s);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

/* For tests that are expected to fail: a failed assertion longjmps past
 * cleanup attributes, so they use stack buffers, not the heap. */
static char *fill(char *buf, char c, size_t n)
{
        memset(buf, c, n);
        buf[n] = '\0';
        return buf;
}

/* ---- vs_read_file / vs_read_file_at ---- */

static void test_read_file(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        put_file(f->tmpfd, "small", "hello\n");
        char path[128];
        snprintf(path, sizeof(path), "%s/small", f->tmp);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        assert_int_equal(vs_read_file(path, &buf, &len, &err), 0);
        assert_int_equal(len, 6);
        assert_string_equal(buf, "hello\n");

        /* Empty file: an empty, terminated buffer. */
        put_file(f->tmpfd, "empty", "");
        _cleanup_free_ char *e = NULL;
        assert_int_equal(vs_read_file_at(f->tmpfd, "empty", 0, &e, &len, &err), 0);
        assert_int_equal(len, 0);
        assert_string_equal(e, "");

        /* Bigger than the first 4 KiB buffer: grown, read whole. */
        _cleanup_free_ char *big = repeat('z', 100000);
        put_file(f->tmpfd, "big", big);
        _cleanup_free_ char *got = NULL;
        assert_int_equal(vs_read_file_at(f->tmpfd, "big", 0, &got, NULL, &err), 0);
        assert_string_equal(got, big);
}

static void test_read_file_missing(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char path[128];
        snprintf(path, sizeof(path), "%s/not-there", f->tmp);
        char *buf = (char *) (uintptr_t) 0x1;
        size_t len = 77;
        assert_int_equal(vs_read_file(path, &buf, &len, &err), -ENOENT);
        assert_int_equal(err.code, ENOENT);
        assert_contains(err.msg, path);
        assert_contains(err.msg, "no such file or directory"); /* Go's lowercase, as runc */
        /* Outputs untouched on failure. */
        assert_ptr_equal(buf, (char *) (uintptr_t) 0x1);
        assert_int_equal(len, 77);
        vs_error_ignore(&err);
        assert_int_equal(vs_read_file_at(f->tmpfd, "nope", 0, &buf, NULL, &err), -ENOENT);
        assert_contains(err.msg, "nope");
}

static void expect_efbig(int dirfd, const char *name, size_t max)
{
        struct vs_error err = VS_ERROR_INIT;
        char *buf = NULL;
        int r = vs_read_file_at(dirfd, name, max, &buf, NULL, &err);
        if (r == 0) {
                size_t got = strlen(buf);
                free(buf);
                fail_msg("%s read whole (%zu bytes) with max %zu", name, got, max);
        }
        assert_int_equal(r, -EFBIG);
        assert_int_equal(err.code, EFBIG);
        assert_contains(err.msg, name);
        assert_null(buf);
}

static void test_read_file_limit(void **state)
{
        struct fixture *f = *state;
        _cleanup_free_ char *s = repeat('q', 10000);
        put_file(f->tmpfd, "ten-thousand", s);
        expect_efbig(f->tmpfd, "ten-thousand", 5000);
        expect_efbig(f->tmpfd, "ten-thousand", 8192);
        expect_efbig(f->tmpfd, "ten-thousand", 9999);

        struct vs_error err = VS_ERROR_INIT;
        _cleanup_free_ char *buf = NULL;
        assert_int_equal(vs_read_file_at(f->tmpfd, "ten-thousand", 20000, &buf, NULL, &err), 0);
        assert_int_equal(strlen(buf), 10000);
}

/* A limit below the first buffer's size is enforced (a regression once:
 * a 100-byte file was read whole with max 10). */
static void test_read_file_small_limit(void **state)
{
        struct fixture *f = *state;
        put_file(f->tmpfd, "hundred",
                 "0123456789012345678901234567890123456789012345678901234567890123456789"
                 "012345678901234567890123456789");
        expect_efbig(f->tmpfd, "hundred", 10);
}

/* A file of exactly `max` bytes is read (a regression once: it was refused
 * as "larger than max bytes" before the read that would have seen EOF). */
static void test_read_file_exact_limit(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char s[8193];
        put_file(f->tmpfd, "exact", fill(s, 'e', 8192));
        char *buf = NULL;
        size_t len = 0;
        int r = vs_read_file_at(f->tmpfd, "exact", 8192, &buf, &len, &err);
        free(buf);
        if (r < 0)
                fail_msg("a file of exactly max (8192) bytes was refused: %s", err.msg);
        assert_int_equal(len, 8192);
}

/* ---- vs_write_existing ---- */

static void test_write_existing(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char path[128];
        snprintf(path, sizeof(path), "%s/knob", f->tmp);
        put_file(f->tmpfd, "knob", "");
        assert_int_equal(vs_write_existing(path, "max\n", &err), 0);
        _cleanup_free_ char *buf = NULL;
        assert_int_equal(vs_read_file(path, &buf, NULL, &err), 0);
        assert_string_equal(buf, "max\n");

        assert_int_equal(vs_write_existing_at(f->tmpfd, "knob", "12", 2, &err), 0);
        free(buf);
        buf = NULL;
        assert_int_equal(vs_read_file(path, &buf, NULL, &err), 0);
        assert_memory_equal(buf, "12", 2);
}

static void test_write_existing_missing(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char path[128];
        snprintf(path, sizeof(path), "%s/absent", f->tmp);
        assert_int_equal(vs_write_existing(path, "1", &err), -ENOENT);
        assert_int_equal(err.code, ENOENT);
        assert_contains(err.msg, path);
        /* No O_CREAT: nothing was made. */
        assert_int_equal(faccessat(f->tmpfd, "absent", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(errno, ENOENT);
        assert_int_equal(vs_write_existing_at(f->tmpfd, "absent2", "1", 1, &err), -ENOENT);
        assert_int_equal(faccessat(f->tmpfd, "absent2", F_OK, AT_SYMLINK_NOFOLLOW), -1);
}

/* ---- vs_write_file_atomic ---- */

static size_t count_entries(int dirfd)
{
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        DIR *d = fdopendir(fd);
        assert_non_null(d);
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d));)
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

typedef int (*write_fn)(int dirfd, const char *name, const char *data, size_t len, mode_t mode, struct vs_error *err);

/* vs_write_file_atomic and vs_write_file_replace (the same without fsync)
 * behave alike: content, mode, a new inode on replace, no temp file left. */
static void check_write_replace(int tmpfd, write_fn write_file)
{
        struct vs_error err = VS_ERROR_INIT;
        put_dir(tmpfd, "d");
        _cleanup_close_ int dfd = openat(tmpfd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);

        const char *first = "a longer first content\n";
        assert_int_equal(write_file(dfd, "state.json", first, strlen(first), 0640, &err), 0);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        assert_int_equal(vs_read_file_at(dfd, "state.json", 0, &buf, &len, &err), 0);
        assert_string_equal(buf, first);
        struct stat st1, st2;
        assert_int_equal(fstatat(dfd, "state.json", &st1, 0), 0);
        assert_true(S_ISREG(st1.st_mode));
        assert_int_equal(st1.st_mode & 07777, 0640);
        assert_int_equal(count_entries(dfd), 1);

        /* Replacing: new content whole (no tail of the old), a new inode, no temp left. */
        assert_int_equal(write_file(dfd, "state.json", "short", 5, 0600, &err), 0);
        free(buf);
        buf = NULL;
        assert_int_equal(vs_read_file_at(dfd, "state.json", 0, &buf, &len, &err), 0);
        assert_int_equal(len, 5);
        assert_string_equal(buf, "short");
        assert_int_equal(fstatat(dfd, "state.json", &st2, 0), 0);
        assert_int_equal(st2.st_mode & 07777, 0600);
        assert_true(st1.st_ino != st2.st_ino);
        assert_int_equal(count_entries(dfd), 1);

        /* Binary data with NULs is written as given. */
        assert_int_equal(write_file(dfd, "bin", "a\0b", 3, 0644, &err), 0);
        assert_int_equal(fstatat(dfd, "bin", &st2, 0), 0);
        assert_int_equal(st2.st_size, 3);
        assert_int_equal(count_entries(dfd), 2);

        /* A symlink standing at the name is replaced, never written through. */
        put_file(tmpfd, "victim", "untouched");
        put_link(tmpfd, "../victim", "d/link");
        assert_int_equal(write_file(dfd, "link", "new", 3, 0600, &err), 0);
        assert_int_equal(fstatat(dfd, "link", &st2, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st2.st_mode));
        free(buf);
        buf = NULL;
        assert_int_equal(vs_read_file_at(tmpfd, "victim", 0, &buf, NULL, &err), 0);
        assert_string_equal(buf, "untouched");

        /* The target is a directory: rename fails, no temp file is left. */
        put_dir(tmpfd, "d/sub");
        put_file(tmpfd, "d/sub/x", "x");
        int r = write_file(dfd, "sub", "data", 4, 0600, &err);
        assert_true(r < 0);
        assert_int_equal(err.code, -r);
        assert_contains(err.msg, "sub");
        assert_int_equal(count_entries(dfd), 4);
}

static void test_write_file_atomic(void **state)
{
        struct fixture *f = *state;
        check_write_replace(f->tmpfd, vs_write_file_atomic);
}

static void test_write_file_replace(void **state)
{
        struct fixture *f = *state;
        check_write_replace(f->tmpfd, vs_write_file_replace);
}

/* ---- vs_remove_tree_at ---- */

static void test_remove_tree(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        put_dir(f->tmpfd, "outside");
        put_file(f->tmpfd, "outside/keep", "precious");
        put_dir(f->tmpfd, "outside/keepdir");
        put_dir(f->tmpfd, "t");
        put_dir(f->tmpfd, "t/a");
        put_dir(f->tmpfd, "t/a/b");
        put_dir(f->tmpfd, "t/a/b/c");
        put_dir(f->tmpfd, "t/empty");
        put_file(f->tmpfd, "t/a/b/c/file", "x");
        put_file(f->tmpfd, "t/a/file", "y");
        put_link(f->tmpfd, "../../outside", "t/a/to_outside_dir");
        put_link(f->tmpfd, f->tmp, "t/a/b/abs_to_tmp");
        put_link(f->tmpfd, "../outside/keep", "t/to_outside_file");
        put_link(f->tmpfd, "nowhere", "t/dangling");
        assert_int_equal(mkfifoat(f->tmpfd, "t/a/fifo", 0600), 0);

        assert_int_equal(vs_remove_tree_at(f->tmpfd, "t", &err), 0);
        assert_int_equal(faccessat(f->tmpfd, "t", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(errno, ENOENT);
        /* The symlinks were removed, not followed. */
        struct stat st;
        assert_int_equal(fstatat(f->tmpfd, "outside/keep", &st, 0), 0);
        assert_int_equal(fstatat(f->tmpfd, "outside/keepdir", &st, 0), 0);
        assert_true(S_ISDIR(st.st_mode));
        _cleanup_free_ char *buf = NULL;
        assert_int_equal(vs_read_file_at(f->tmpfd, "outside/keep", 0, &buf, NULL, &err), 0);
        assert_string_equal(buf, "precious");

        /* Missing is success. */
        assert_int_equal(vs_remove_tree_at(f->tmpfd, "t", &err), 0);
}

/* A symlink given as the tree itself is not followed either. */
static void test_remove_tree_top_symlink(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        put_dir(f->tmpfd, "outside");
        put_file(f->tmpfd, "outside/keep", "precious");
        put_link(f->tmpfd, "outside", "link");
        (void) vs_remove_tree_at(f->tmpfd, "link", &err);
        vs_error_ignore(&err);
        struct stat st;
        assert_int_equal(fstatat(f->tmpfd, "outside/keep", &st, 0), 0);
}

/* ---- opening under a root: a hostile tree ----
 *
 *   TMP/host/secret, TMP/host/etc/passwd    what an escape would reach
 *   TMP/host/root                           the root
 */

#define ROOT "host/root/"

static void make_hostile_tree(int t)
{
        put_dir(t, "host");
        put_file(t, "host/secret", "host secret");
        put_dir(t, "host/etc");
        put_file(t, "host/etc/passwd", "host passwd");
        put_dir(t, "host/escaped");
        put_file(t, "host/escaped/flag", "host flag");

        put_dir(t, "host/root");
        put_dir(t, ROOT "etc");
        put_file(t, ROOT "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
        put_file(t, ROOT "topfile", "top");
        put_dir(t, ROOT "dir");
        put_dir(t, ROOT "dir/sub");
        put_file(t, ROOT "dir/sub/file", "file");
        put_dir(t, ROOT "escaped");
        put_file(t, ROOT "escaped/flag", "root flag");

        put_link(t, "/etc/passwd", ROOT "abs_passwd");           /* absolute, last component */
        put_link(t, "/etc", ROOT "abs_etc");                     /* absolute, middle component */
        put_link(t, "dir", ROOT "mid");                          /* relative, middle component */
        put_link(t, "/dir/sub", ROOT "dir/abs_sub");             /* absolute, from a subdirectory */
        put_link(t, "../../../../../..", ROOT "dir/up");         /* climbs far above the root */
        put_link(t, "../../../../../../etc", ROOT "dir/up_etc"); /* climbs, then descends */
        put_link(t, "../../../../../escaped", ROOT "dir/sub/esc");
        put_link(t, "..", ROOT "dotdot"); /* ".." as a whole target, at the root */
        put_link(t, "loop2", ROOT "loop1");
        put_link(t, "loop1", ROOT "loop2");
        put_link(t, "self", ROOT "self");
        put_link(t, "grow/x", ROOT "grow"); /* a loop that lengthens the path */
        put_link(t, "/nonexistent", ROOT "dangling");
        put_link(t, "nothere", ROOT "dangling_rel");
        put_link(t, "dir/sub/file", ROOT "lastlink");
        put_link(t, "abs_passwd", ROOT "chain1"); /* a chain: chain1 -> abs_passwd -> /etc/passwd */
}

struct open_case {
        const char *path;
        int flags;
        const char *expect; /* the object under TMP it must open, NULL when it must fail */
        int error;          /* the errno when it must fail */
};

#define NOFOLLOW_PATH (O_PATH | O_NOFOLLOW)

static const struct open_case hostile_cases[] = {
        /* plain paths */
        {"/etc/passwd", O_RDONLY, ROOT "etc/passwd", 0},
        {"etc/passwd", O_RDONLY, ROOT "etc/passwd", 0},
        {"/dir/sub/file", O_RDONLY, ROOT "dir/sub/file", 0},
        {"/dir/./sub/../sub/file", O_RDONLY, ROOT "dir/sub/file", 0},
        {"//dir///sub//file", O_RDONLY, ROOT "dir/sub/file", 0},
        {"/", O_RDONLY | O_DIRECTORY, "host/root", 0},
        {"/dir/sub/", O_RDONLY | O_DIRECTORY, ROOT "dir/sub", 0},
        {"/nope", O_RDONLY, NULL, ENOENT},
        {"/nope/x", O_RDONLY, NULL, ENOENT},
        {"/etc/passwd/x", O_RDONLY, NULL, ENOTDIR},
        /* absolute symlinks resolve inside the root */
        {"/abs_passwd", O_RDONLY, ROOT "etc/passwd", 0},
        {"/abs_etc/passwd", O_RDONLY, ROOT "etc/passwd", 0},
        {"/abs_etc/../dir/sub/file", O_RDONLY, ROOT "dir/sub/file", 0},
        {"/dir/abs_sub/file", O_RDONLY, ROOT "dir/sub/file", 0},
        {"/chain1", O_RDONLY, ROOT "etc/passwd", 0},
        /* ".." never climbs above the root */
        {"../../../../etc/passwd", O_RDONLY, ROOT "etc/passwd", 0},
        {"/../../../../../../../../secret", O_RDONLY, NULL, ENOENT},
        {"/dir/../../../etc/passwd", O_RDONLY, ROOT "etc/passwd", 0},
        {"/dir/up/etc/passwd", O_RDONLY, ROOT "etc/passwd", 0},
        {"/dir/up_etc/passwd", O_RDONLY, ROOT "etc/passwd", 0},
        {"/dir/sub/esc/flag", O_RDONLY, ROOT "escaped/flag", 0},
        {"/dotdot/etc/passwd", O_RDONLY, ROOT "etc/passwd", 0},
        /* ".." as the last component, or a symlink ending in "..", at the root */
        {"/..", O_RDONLY | O_DIRECTORY, "host/root", 0},
        {"/dir/../..", O_RDONLY | O_DIRECTORY, "host/root", 0},
        {"/dir/up", O_RDONLY | O_DIRECTORY, "host/root", 0},
        {"/dotdot", O_RDONLY | O_DIRECTORY, "host/root", 0},
        /* symlink loops */
        {"/loop1", O_RDONLY, NULL, ELOOP},
        {"/loop1/x", O_RDONLY, NULL, ELOOP},
        {"/self", O_RDONLY, NULL, ELOOP},
        {"/grow/y", O_RDONLY, NULL, ELOOP},
        /* a symlink in a middle component */
        {"/mid/sub/file", O_RDONLY, ROOT "dir/sub/file", 0},
        {"/mid/../etc/passwd", O_RDONLY, ROOT "etc/passwd", 0},
        /* dangling symlinks */
        {"/dangling", O_RDONLY, NULL, ENOENT},
        {"/dangling/x", O_RDONLY, NULL, ENOENT},
        {"/dangling_rel", O_RDONLY, NULL, ENOENT},
        {"/dangling", NOFOLLOW_PATH, ROOT "dangling", 0},
        /* a symlink as the last component, with and without O_NOFOLLOW */
        {"/lastlink", O_RDONLY, ROOT "dir/sub/file", 0},
        {"/lastlink", O_PATH, ROOT "dir/sub/file", 0},
        {"/lastlink", NOFOLLOW_PATH, ROOT "lastlink", 0},
        {"/lastlink", O_RDONLY | O_NOFOLLOW, NULL, ELOOP},
        {"/abs_passwd", NOFOLLOW_PATH, ROOT "abs_passwd", 0},
        {"/abs_passwd", O_RDONLY | O_NOFOLLOW, NULL, ELOOP},
        {"/dir/up", NOFOLLOW_PATH, ROOT "dir/up", 0},
        /* a relative path of one component (as relative multi-component ones work) */
        {"topfile", O_RDONLY, ROOT "topfile", 0},
        {"abs_passwd", O_RDONLY, ROOT "etc/passwd", 0},
        {"dir", O_RDONLY | O_DIRECTORY, ROOT "dir", 0},
        {"dotdot", O_RDONLY | O_DIRECTORY, "host/root", 0},
};

typedef int (*open_fn)(int rootfd, const char *path, int flags, mode_t mode, struct vs_error *err);

static const char *flags_name(int flags)
{
        if ((flags & NOFOLLOW_PATH) == NOFOLLOW_PATH)
                return "O_PATH|O_NOFOLLOW";
        if (flags & O_PATH)
                return "O_PATH";
        if (flags & O_NOFOLLOW)
                return "O_RDONLY|O_NOFOLLOW";
        if (flags & O_DIRECTORY)
                return "O_DIRECTORY";
        return "O_RDONLY";
}

/* Runs one case; returns false (after printing why) when it went wrong. */
static bool check_case(int t, int rootfd, open_fn fn, const char *fn_name, const struct open_case *c)
{
        struct vs_error err = VS_ERROR_INIT;
        int fd = fn(rootfd, c->path, c->flags, 0, &err);
        if (c->expect) {
                struct stat want, got;
                if (fstatat(t, c->expect, &want, AT_SYMLINK_NOFOLLOW) < 0)
                        fail_msg("fixture %s missing", c->expect);
                if (fd < 0) {
                        print_message("# %s(\"%s\", %s): failed (%s), expected %s\n", fn_name, c->path,
                                      flags_name(c->flags), err.msg, c->expect);
                        return false;
                }
                bool ok = fstat(fd, &got) == 0 && got.st_dev == want.st_dev && got.st_ino == want.st_ino;
                int fdflags = fcntl(fd, F_GETFD);
                close(fd);
                if (!ok) {
                        struct stat esc;
                        const char *what = fstatat(t, "host", &esc, 0) == 0 && esc.st_ino == got.st_ino
                                                   ? " (the root's parent: ESCAPED)"
                                                   : "";
                        print_message("# %s(\"%s\", %s): opened inode %lu%s, expected %s (inode %lu)\n", fn_name,
                                      c->path, flags_name(c->flags), (unsigned long) got.st_ino, what, c->expect,
                                      (unsigned long) want.st_ino);
                        return false;
                }
                if (!(fdflags & FD_CLOEXEC)) {
                        print_message("# %s(\"%s\"): fd without O_CLOEXEC\n", fn_name, c->path);
                        return false;
                }
                return true;
        }
        if (fd >= 0) {
                struct stat got;
                (void) fstat(fd, &got);
                close(fd);
                print_message("# %s(\"%.80s\", %s): opened inode %lu, expected %s\n", fn_name, c->path,
                              flags_name(c->flags), (unsigned long) got.st_ino, strerror(c->error));
                return false;
        }
        if (fd != -c->error || err.code != c->error) {
                print_message("# %s(\"%s\", %s): returned %d (code %d, \"%s\"), expected -%d (%s)\n", fn_name, c->path,
                              flags_name(c->flags), fd, err.code, err.msg, c->error, strerror(c->error));
                return false;
        }
        if (strlen(c->path) < 200 && !strstr(err.msg, c->path)) {
                print_message("# %s(\"%s\"): message \"%s\" does not name the path\n", fn_name, c->path, err.msg);
                return false;
        }
        return true;
}

static void run_cases(int t, open_fn fn, const char *fn_name, const struct open_case *cases, size_t n)
{
        int rootfd = openat(t, "host/root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(rootfd >= 0);
        size_t failed = 0;
        for (size_t i = 0; i < n; i++)
                if (!check_case(t, rootfd, fn, fn_name, &cases[i]))
                        failed++;
        close(rootfd); /* before fail_msg, which skips cleanups */
        if (failed)
                fail_msg("%s: %zu of %zu cases went wrong (listed above)", fn_name, failed, n);
}

static void test_open_in_root_hostile(void **state)
{
        struct fixture *f = *state;
        make_hostile_tree(f->tmpfd);
        /* Say when this kernel lacks openat2, since both runs then test the fallback. */
        struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
        int probe = (int) syscall(SYS_openat2, f->tmpfd, ".", &how, sizeof(how));
        if (probe < 0)
                print_message("# openat2 unavailable (%s): vs_open_in_root runs the fallback too\n", strerror(errno));
        else
                close(probe);
        run_cases(f->tmpfd, vs_open_in_root, "vs_open_in_root", hostile_cases, VS_ARRAY_SIZE(hostile_cases));
}

/* The fallback against the hostile tree. Regressions it caught once:
 *  - a path of one relative component ("topfile", "dir") opened the root;
 *  - ".." as the last component at the root ("/..", "/dir/../..", and a
 *    symlink whose target ends in "..", "/dir/up", "/dotdot") opened the
 *    root's parent: an escape. */
static void test_open_in_root_fallback_hostile(void **state)
{
        struct fixture *f = *state;
        make_hostile_tree(f->tmpfd);
        run_cases(f->tmpfd, vs_open_in_root_fallback, "vs_open_in_root_fallback", hostile_cases,
                  VS_ARRAY_SIZE(hostile_cases));
}

/* Both implementations agree case by case (inode or errno), whatever the expectations. */
static void test_open_in_root_agree(void **state)
{
        struct fixture *f = *state;
        make_hostile_tree(f->tmpfd);
        int rootfd = openat(f->tmpfd, "host/root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(rootfd >= 0);
        size_t differ = 0;
        for (size_t i = 0; i < VS_ARRAY_SIZE(hostile_cases); i++) {
                const struct open_case *c = &hostile_cases[i];
                struct vs_error e1 = VS_ERROR_INIT, e2 = VS_ERROR_INIT;
                int a = vs_open_in_root(rootfd, c->path, c->flags, 0, &e1);
                int b = vs_open_in_root_fallback(rootfd, c->path, c->flags, 0, &e2);
                struct stat sa = {0}, sb = {0};
                bool same;
                if (a >= 0 && b >= 0)
                        same = fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
                               sa.st_ino == sb.st_ino;
                else
                        same = a == b;
                if (!same) {
                        print_message("# \"%s\" %s: openat2 %d (%s) / fallback %d (%s)\n", c->path,
                                      flags_name(c->flags), a, a < 0 ? e1.msg : "ok", b, b < 0 ? e2.msg : "ok");
                        differ++;
                }
                vs_safe_close(a);
                vs_safe_close(b);
        }
        close(rootfd);
        if (differ)
                fail_msg("%zu cases differ between vs_open_in_root and its fallback", differ);
}

/* O_CREAT through a dangling symlink creates the file inside the root. */
static void test_open_in_root_create(void **state)
{
        struct fixture *f = *state;
        make_hostile_tree(f->tmpfd);
        put_link(f->tmpfd, "../../../created1", ROOT "dir/mk1");
        put_link(f->tmpfd, "/created2", ROOT "dir/mk2");
        _cleanup_close_ int rootfd = openat(f->tmpfd, "host/root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct {
                open_fn fn;
                const char *path, *expect;
        } cases[] = {
                {vs_open_in_root, "/dir/mk1", ROOT "created1"},
                {vs_open_in_root_fallback, "/dir/mk2", ROOT "created2"},
                {vs_open_in_root, "/../new_at_top", ROOT "new_at_top"},
                {vs_open_in_root_fallback, "/../../new_fb", ROOT "new_fb"},
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(cases); i++) {
                struct vs_error err = VS_ERROR_INIT;
                int fd = cases[i].fn(rootfd, cases[i].path, O_WRONLY | O_CREAT, 0600, &err);
                if (fd < 0)
                        fail_msg("create %s: %s", cases[i].path, err.msg);
                close(fd);
                struct stat st;
                if (fstatat(f->tmpfd, cases[i].expect, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        fail_msg("create %s: %s not made", cases[i].path, cases[i].expect);
                assert_true(S_ISREG(st.st_mode));
                assert_int_equal(st.st_mode & 07777, 0600);
        }
        /* Nothing appeared beside the root: host/ still holds secret, etc, escaped, root. */
        _cleanup_close_ int hostfd = openat(f->tmpfd, "host", O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(count_entries(hostfd), 4);
}

/* The fallback at the edges, where it once disagreed with openat2:
 *  - a last component longer than NAME_MAX is silently cut to 255 bytes
 *    (snprintf into lastname) and may open another file; openat2 says
 *    ENAMETOOLONG;
 *  - a trailing slash on a regular file ("/topfile/") is dropped, so the
 *    file opens; openat2 says ENOTDIR;
 *  - "" opens the root; openat2 says ENOENT. */
static void test_open_in_root_fallback_edges(void **state)
{
        struct fixture *f = *state;
        make_hostile_tree(f->tmpfd);
        char name255[256], path300[302], at[300], toolong[PATH_MAX + 11];
        path300[0] = '/';
        fill(path300 + 1, 'n', 300);
        snprintf(at, sizeof(at), ROOT "%s", fill(name255, 'n', 255));
        put_file(f->tmpfd, at, "255");
        fill(toolong, 'a', PATH_MAX + 10);

        const struct open_case edges[] = {
                {path300, O_RDONLY, NULL, ENAMETOOLONG},
                {toolong, O_RDONLY, NULL, ENAMETOOLONG},
                {"/topfile/", O_RDONLY, NULL, ENOTDIR},
                {"", O_RDONLY, NULL, ENOENT},
        };
        run_cases(f->tmpfd, vs_open_in_root, "vs_open_in_root", edges, VS_ARRAY_SIZE(edges));
        run_cases(f->tmpfd, vs_open_in_root_fallback, "vs_open_in_root_fallback", edges, VS_ARRAY_SIZE(edges));
}

/* ---- vs_mkdir_in_root ---- */

static void assert_same_object(int fd, int t, const char *path)
{
        struct stat a, b;
        assert_int_equal(fstat(fd, &a), 0);
        if (fstatat(t, path, &b, AT_SYMLINK_NOFOLLOW) < 0)
                fail_msg("%s does not exist", path);
        if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                fail_msg("the fd is not %s", path);
}

static void test_mkdir_in_root(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        make_hostile_tree(f->tmpfd);
        put_dir(f->tmpfd, ROOT "target");
        put_link(f->tmpfd, "/target", ROOT "abs_target");
        _cleanup_close_ int rootfd = openat(f->tmpfd, "host/root", O_PATH | O_DIRECTORY | O_CLOEXEC);

        int fd = vs_mkdir_in_root(rootfd, "/a/b/c", false, &err);
        if (fd < 0)
                fail_msg("%s", err.msg);
        assert_same_object(fd, f->tmpfd, ROOT "a/b/c");
        assert_true(fcntl(fd, F_GETFL) & O_PATH);
        close(fd);
        struct stat st;
        assert_int_equal(fstatat(f->tmpfd, ROOT "a/b/c", &st, 0), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0755);

        /* Existing: returned as is. */
        fd = vs_mkdir_in_root(rootfd, "/a/b", false, &err);
        assert_true(fd >= 0);
        assert_same_object(fd, f->tmpfd, ROOT "a/b");
        close(fd);

        /* A middle component that is an absolute symlink resolves inside the root. */
        fd = vs_mkdir_in_root(rootfd, "/abs_target/new1/new2", false, &err);
        if (fd < 0)
                fail_msg("%s", err.msg);
        assert_same_object(fd, f->tmpfd, ROOT "target/new1/new2");
        close(fd);
        assert_int_equal(access("/target/new1", F_OK), -1);

        /* The same through /etc: /abs_etc -> /etc is the root's etc, not the host's. */
        fd = vs_mkdir_in_root(rootfd, "/abs_etc/vessel.d", false, &err);
        assert_true(fd >= 0);
        assert_same_object(fd, f->tmpfd, ROOT "etc/vessel.d");
        close(fd);

        /* ".." and climbing symlinks land inside the root. */
        fd = vs_mkdir_in_root(rootfd, "/../../made_at_top", false, &err);
        assert_true(fd >= 0);
        assert_same_object(fd, f->tmpfd, ROOT "made_at_top");
        close(fd);
        fd = vs_mkdir_in_root(rootfd, "/dir/up/made_via_up/x", false, &err);
        assert_true(fd >= 0);
        assert_same_object(fd, f->tmpfd, ROOT "made_via_up/x");
        close(fd);
        assert_int_equal(faccessat(f->tmpfd, "host/made_via_up", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(faccessat(f->tmpfd, "host/made_at_top", F_OK, AT_SYMLINK_NOFOLLOW), -1);

        /* Relative paths are taken from the root too. */
        fd = vs_mkdir_in_root(rootfd, "rel/one", false, &err);
        assert_true(fd >= 0);
        assert_same_object(fd, f->tmpfd, ROOT "rel/one");
        close(fd);
}

static void test_mkdir_in_root_file(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        make_hostile_tree(f->tmpfd);
        _cleanup_close_ int rootfd = openat(f->tmpfd, "host/root", O_PATH | O_DIRECTORY | O_CLOEXEC);

        int fd = vs_mkdir_in_root(rootfd, "/dev/shm/bindme", true, &err);
        if (fd < 0)
                fail_msg("%s", err.msg);
        assert_same_object(fd, f->tmpfd, ROOT "dev/shm/bindme");
        close(fd);
        struct stat st;
        assert_int_equal(fstatat(f->tmpfd, ROOT "dev/shm/bindme", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_size, 0);
        assert_int_equal(fstatat(f->tmpfd, ROOT "dev/shm", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISDIR(st.st_mode));

        /* Through an absolute symlink in the middle. */
        fd = vs_mkdir_in_root(rootfd, "/abs_etc/resolv.conf", true, &err);
        assert_true(fd >= 0);
        assert_same_object(fd, f->tmpfd, ROOT "etc/resolv.conf");
        close(fd);
        assert_int_equal(fstatat(f->tmpfd, ROOT "etc/resolv.conf", &st, 0), 0);
        assert_true(S_ISREG(st.st_mode));

        /* An existing file is kept with its content. */
        fd = vs_mkdir_in_root(rootfd, "/etc/passwd", true, &err);
        assert_true(fd >= 0);
        close(fd);
        _cleanup_free_ char *buf = NULL;
        assert_int_equal(vs_read_file_at(f->tmpfd, ROOT "etc/passwd", 0, &buf, NULL, &err), 0);
        assert_string_equal(buf, "root:x:0:0::/root:/bin/sh\n");
}

static void test_mkdir_in_root_errors(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        make_hostile_tree(f->tmpfd);
        _cleanup_close_ int rootfd = openat(f->tmpfd, "host/root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        /* A regular file in the middle. */
        int r = vs_mkdir_in_root(rootfd, "/topfile/sub", false, &err);
        assert_int_equal(r, -ENOTDIR);
        assert_int_equal(err.code, ENOTDIR);
        vs_error_ignore(&err);
        /* A loop in the middle. */
        r = vs_mkdir_in_root(rootfd, "/loop1/sub", false, &err);
        assert_int_equal(r, -ELOOP);
        assert_contains(err.msg, "/loop1/sub");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        const struct CMUnitTest tests[] = {
                T(test_read_file),
                T(test_read_file_missing),
                T(test_read_file_limit),
                T(test_read_file_small_limit),
                T(test_read_file_exact_limit),
                T(test_write_existing),
                T(test_write_existing_missing),
                T(test_write_file_atomic),
                T(test_write_file_replace),
                T(test_remove_tree),
                T(test_remove_tree_top_symlink),
                T(test_open_in_root_hostile),
                T(test_open_in_root_fallback_hostile),
                T(test_open_in_root_agree),
                T(test_open_in_root_create),
                T(test_open_in_root_fallback_edges),
                T(test_mkdir_in_root),
                T(test_mkdir_in_root_file),
                T(test_mkdir_in_root_errors),
        };
#undef T
        return cmocka_run_group_tests(tests, NULL, NULL);
}
