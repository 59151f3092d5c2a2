/* Unit tests for src/engine/volumes.c, volume_mount.c and volume_copy.c:
 * checks of names, drivers and options; records and directories; the
 * "in use" rule and its end with the container's record; the copy-up of
 * an image's directory; a tmpfs volume mounted and unmounted. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/containers.h"
#include "engine/volumes.h"
#include "util/cleanup.h"
#include "util/db.h"
#include "util/files.h"

struct fixture {
        char root[64];
        sqlite3 *db;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        snprintf(f->root, sizeof(f->root), "/tmp/vessel-volumes-XXXXXX");
        if (!mkdtemp(f->root))
                return -1;
        char path[128];
        snprintf(path, sizeof(path), "%s/vessel.db", f->root);
        struct vs_error err = VS_ERROR_INIT;
        if (vs_db_open(path, &f->db, &err) < 0 || vs_containers_init(f->db, &err) < 0 ||
            vs_volumes_init(f->db, &err) < 0) {
                print_message("# setup: %s\n", err.msg);
                return -1;
        }
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        vs_db_close(f->db);
        int r = vs_remove_tree_at(AT_FDCWD, f->root, &err);
        free(f);
        return r;
}

static void assert_contains(const char *haystack, const char *needle)
{
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void check_bad(struct vs_volume v, const char *want)
{
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_volume_check(&v, &err), -EINVAL);
        assert_contains(err.msg, want);
        assert_null(strchr(err.msg, '\n'));
}

static void test_check(void **state)
{
        (void) state;
        assert_true(vs_volume_name_valid("data"));
        assert_true(vs_volume_name_valid("a.b_c-1"));
        assert_false(vs_volume_name_valid("a"));
        assert_false(vs_volume_name_valid("_x"));
        assert_false(vs_volume_name_valid("a/b"));
        assert_false(vs_volume_name_valid(""));

        char *tmpfs[] = {"type=tmpfs", "device=tmpfs", "o=size=1m", NULL};
        struct vs_error err = VS_ERROR_INIT;
        struct vs_volume ok = {.name = "data", .driver = "local", .options = tmpfs};
        assert_int_equal(vs_volume_check(&ok, &err), 0);

        check_bad((struct vs_volume){.name = "a/b"}, "includes invalid characters for a local volume name");
        check_bad((struct vs_volume){.name = "data", .driver = "nfs3"}, "plugin \"nfs3\" not found");
        check_bad((struct vs_volume){.name = "data", .options = (char *[]){"foo=bar", NULL}},
                  "invalid option: \"foo\"");
        check_bad((struct vs_volume){.name = "data", .options = (char *[]){"novalue", NULL}},
                  "invalid option: \"novalue\"");
        check_bad((struct vs_volume){.name = "data", .options = (char *[]){"type=tmpfs", NULL}},
                  "missing required option: \"device\"");
        check_bad((struct vs_volume){.name = "data", .options = (char *[]){"o=bind", "device=/x", NULL}},
                  "missing required option: \"type\"");
        check_bad((struct vs_volume){.name = "data", .labels = (char *[]){"=x", NULL}}, "invalid label");
}

static void test_random_name(void **state)
{
        (void) state;
        char a[65], b[65];
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_volume_random_name(a, &err), 0);
        assert_int_equal(vs_volume_random_name(b, &err), 0);
        assert_int_equal(strlen(a), 64);
        assert_int_equal(strspn(a, "0123456789abcdef"), 64);
        assert_string_not_equal(a, b);
}

static void test_create_find_list_remove(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char *labels[] = {"team=a", "x=", NULL};
        struct vs_volume v = {.name = "web", .driver = "local", .labels = labels};
        assert_int_equal(vs_volume_create(f->db, f->root, &v, &err), 0);
        _cleanup_free_ char *data = vs_volume_data_path(f->root, "web");
        struct stat st;
        assert_int_equal(stat(data, &st), 0);
        assert_true(S_ISDIR(st.st_mode));

        /* A file put there stays when the name is taken again. */
        char file[256];
        snprintf(file, sizeof(file), "%s/keep", data);
        int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(vs_volume_create(f->db, f->root, &v, &err), -EEXIST);
        assert_contains(err.msg, "already exists");
        assert_int_equal(access(file, F_OK), 0);

        struct vs_volume got = {0};
        err = (struct vs_error) VS_ERROR_INIT;
        assert_int_equal(vs_volume_find(f->db, "web", &got, &err), 0);
        assert_string_equal(got.driver, "local");
        assert_non_null(got.labels);
        assert_string_equal(got.labels[0], "team=a");
        assert_string_equal(got.labels[1], "x=");
        assert_null(got.labels[2]);
        assert_null(got.options);
        assert_false(got.anonymous);
        assert_true(got.created > 0);
        vs_volume_free(&got);

        struct vs_volume anon = {.name = "aaa", .anonymous = true};
        assert_int_equal(vs_volume_create(f->db, f->root, &anon, &err), 0);
        struct vs_volume *list = NULL;
        size_t n = 0;
        assert_int_equal(vs_volume_list(f->db, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(list[0].name, "aaa");
        assert_true(list[0].anonymous);
        assert_string_equal(list[1].name, "web");
        vs_volume_list_free(list, n);

        assert_int_equal(vs_volume_remove(f->db, f->root, "web", &err), 0);
        assert_int_equal(access(data, F_OK), -1);
        assert_int_equal(vs_volume_find(f->db, "web", &got, &err), -ENOENT);
        assert_string_equal(err.msg, "get web: no such volume");
        err = (struct vs_error) VS_ERROR_INIT;
        assert_int_equal(vs_volume_remove(f->db, f->root, "web", &err), -ENOENT);
}

static void test_bad_create_leaves_nothing(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_volume v = {.name = "bad", .options = (char *[]){"foo=1", NULL}};
        assert_int_equal(vs_volume_create(f->db, f->root, &v, &err), -EINVAL);
        assert_contains(err.msg, "create bad: invalid option: \"foo\"");
        _cleanup_free_ char *data = vs_volume_data_path(f->root, "bad");
        assert_int_equal(access(data, F_OK), -1);
        struct vs_volume got = {0};
        assert_int_equal(vs_volume_find(f->db, "bad", &got, &err), -ENOENT);
}

static void add_container(sqlite3 *db, const char *id, const char *name)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_container c = {.id = (char *) id,
                                 .name = (char *) name,
                                 .image_id = "sha256:00",
                                 .image_name = "img",
                                 .command = "[]",
                                 .state = "created",
                                 .created = 1};
        if (vs_container_add(db, &c, &err) < 0)
                fail_msg("add container: %s", err.msg);
}

static void test_in_use(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_volume v = {.name = "shared"};
        assert_int_equal(vs_volume_create(f->db, f->root, &v, &err), 0);
        add_container(f->db, "c1c1", "one");
        add_container(f->db, "c2c2", "two");
        struct vs_volume_use u = {.volume = "shared", .destination = "/data"};
        assert_int_equal(vs_volume_use_add(f->db, "c1c1", &u, &err), 0);
        assert_int_equal(vs_volume_use_add(f->db, "c2c2", &u, &err), 0);
        struct vs_volume_use bind = {.source = "/srv", .destination = "/srv", .readonly = true};
        assert_int_equal(vs_volume_use_add(f->db, "c1c1", &bind, &err), 0);

        /* a use of a volume that does not exist is refused */
        struct vs_volume_use ghost = {.volume = "ghost", .destination = "/g"};
        assert_true(vs_volume_use_add(f->db, "c1c1", &ghost, &err) < 0);
        err = (struct vs_error) VS_ERROR_INIT;

        struct vs_volume_use *uses = NULL;
        size_t n = 0;
        assert_int_equal(vs_volume_uses(f->db, "c1c1", &uses, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(uses[0].volume, "shared");
        assert_null(uses[0].source);
        assert_false(uses[0].readonly);
        assert_null(uses[1].volume);
        assert_string_equal(uses[1].source, "/srv");
        assert_true(uses[1].readonly);
        vs_volume_uses_free(uses, n);

        assert_int_equal(vs_volume_remove(f->db, f->root, "shared", &err), -EBUSY);
        assert_string_equal(err.msg, "remove shared: volume is in use - [c1c1, c2c2]");
        err = (struct vs_error) VS_ERROR_INIT;
        /* the container's record takes its uses with it */
        assert_int_equal(vs_container_remove(f->db, "c1c1", &err), 0);
        assert_int_equal(vs_volume_remove(f->db, f->root, "shared", &err), -EBUSY);
        assert_string_equal(err.msg, "remove shared: volume is in use - [c2c2]");
        err = (struct vs_error) VS_ERROR_INIT;
        assert_int_equal(vs_container_remove(f->db, "c2c2", &err), 0);
        char **ids = NULL;
        assert_int_equal(vs_volume_users(f->db, "shared", &ids, &err), 0);
        assert_null(ids[0]);
        vs_strv_free(ids);
        assert_int_equal(vs_volume_remove(f->db, f->root, "shared", &err), 0);
}

/* ---- copy-up ---- */

static void write_file(int dirfd, const char *name, const char *text, mode_t mode)
{
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
}

static void test_copy_up(void **state)
{
        struct fixture *f = *state;
        char src[128], dst[128];
        snprintf(src, sizeof(src), "%s/image", f->root);
        snprintf(dst, sizeof(dst), "%s/volume", f->root);
        assert_int_equal(mkdir(src, 0750), 0);
        assert_int_equal(chown(src, 1000, 1001), 0);
        assert_int_equal(chmod(src, 0750), 0);
        assert_int_equal(mkdir(dst, 0755), 0);
        _cleanup_close_ int s = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int d = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        write_file(s, "file", "hello\n", 0640);
        assert_int_equal(fchownat(s, "file", 1234, 5678, 0), 0);
        assert_int_equal(fchmodat(s, "file", 04710, 0), 0); /* set-uid kept across the chown */
        bool xattrs = setxattr(src, "user.vessel", "yes", 3, 0) == 0;
        assert_int_equal(mkdirat(s, "sub", 0700), 0);
        _cleanup_close_ int sub = openat(s, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        write_file(sub, "deep", "deep\n", 0600);
        assert_int_equal(symlinkat("/etc/passwd", s, "link"), 0);
        assert_int_equal(mknodat(s, "fifo", S_IFIFO | 0620, 0), 0);
        assert_int_equal(fchmodat(s, "fifo", 0620, 0), 0); /* past the umask */
        struct timespec old[2] = {{.tv_sec = 1000000}, {.tv_sec = 1000000}};
        assert_int_equal(utimensat(s, "file", old, 0), 0);

        struct vs_error err = VS_ERROR_INIT;
        if (vs_volume_copy_up(s, d, &err) < 0)
                fail_msg("copy-up: %s", err.msg);

        struct stat st;
        assert_int_equal(fstatat(d, "file", &st, 0), 0);
        assert_int_equal(st.st_uid, 1234);
        assert_int_equal(st.st_gid, 5678);
        assert_int_equal(st.st_mode & 07777, 04710);
        assert_int_equal(st.st_size, 6);
        assert_int_equal(st.st_mtim.tv_sec, 1000000);
        assert_int_equal(fstatat(d, "sub/deep", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(fstatat(d, "link", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISLNK(st.st_mode));
        char target[64] = "";
        assert_int_equal(readlinkat(d, "link", target, sizeof(target) - 1), 11);
        assert_string_equal(target, "/etc/passwd");
        assert_int_equal(fstatat(d, "fifo", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0620);
        /* the volume's root takes the image directory's owner and mode */
        assert_int_equal(fstat(d, &st), 0);
        assert_int_equal(st.st_uid, 1000);
        assert_int_equal(st.st_gid, 1001);
        assert_int_equal(st.st_mode & 07777, 0750);
        if (xattrs) {
                char value[8] = "";
                assert_int_equal(getxattr(dst, "user.vessel", value, sizeof(value)), 3);
                assert_memory_equal(value, "yes", 3);
        }

        /* a volume with content is left alone */
        write_file(s, "later", "x", 0644);
        assert_int_equal(vs_volume_copy_up(s, d, &err), 0);
        assert_int_equal(faccessat(d, "later", F_OK, 0), -1);
}

static void test_tmpfs_volume(void **state)
{
        struct fixture *f = *state;
        if (geteuid() != 0)
                skip();
        struct vs_error err = VS_ERROR_INIT;
        char *options[] = {"type=tmpfs", "device=tmpfs", "o=size=1m,mode=0711", NULL};
        struct vs_volume v = {.name = "fast", .options = options};
        assert_int_equal(vs_volume_create(f->db, f->root, &v, &err), 0);
        struct vs_volume got = {0};
        assert_int_equal(vs_volume_find(f->db, "fast", &got, &err), 0);
        if (vs_volume_mount(f->root, &got, &err) < 0)
                fail_msg("mount: %s", err.msg);
        assert_int_equal(vs_volume_mount(f->root, &got, &err), 0); /* once only */
        _cleanup_free_ char *data = vs_volume_data_path(f->root, "fast");
        struct stat st;
        assert_int_equal(stat(data, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0711);
        add_container(f->db, "c3c3", "three");
        struct vs_volume_use u = {.volume = "fast", .destination = "/x"};
        assert_int_equal(vs_volume_use_add(f->db, "c3c3", &u, &err), 0);
        vs_volume_unmount_unused(f->db, f->root); /* still used: stays */
        assert_int_equal(stat(data, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0711);
        assert_int_equal(vs_container_remove(f->db, "c3c3", &err), 0);
        vs_volume_unmount_unused(f->db, f->root);
        assert_int_equal(stat(data, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        vs_volume_free(&got);

        /* a bad mount is one error naming the volume */
        char *bad[] = {"type=nosuchfs", "device=x", NULL};
        struct vs_volume b = {.name = "broken", .options = bad};
        assert_int_equal(vs_volume_create(f->db, f->root, &b, &err), 0);
        assert_true(vs_volume_mount(f->root, &b, &err) < 0);
        assert_contains(err.msg, "volume broken: cannot mount x (type nosuchfs)");
        umount2(data, MNT_DETACH);
}

/* o=bind,ro: the device directory, read-only (a second, remounting call). */
static void test_bind_volume(void **state)
{
        struct fixture *f = *state;
        if (geteuid() != 0)
                skip();
        char device[128], device_opt[160];
        snprintf(device, sizeof(device), "%s/device", f->root);
        snprintf(device_opt, sizeof(device_opt), "device=%s", device);
        assert_int_equal(mkdir(device, 0755), 0);
        _cleanup_close_ int dfd = open(device, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        write_file(dfd, "there", "x", 0644);
        char *options[] = {"type=none", device_opt, "o=bind,ro", NULL};
        struct vs_volume v = {.name = "bound", .options = options};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_volume_create(f->db, f->root, &v, &err), 0);
        if (vs_volume_mount(f->root, &v, &err) < 0)
                fail_msg("mount: %s", err.msg);
        _cleanup_free_ char *data = vs_volume_data_path(f->root, "bound");
        char path[256];
        snprintf(path, sizeof(path), "%s/there", data);
        assert_int_equal(access(path, F_OK), 0);
        snprintf(path, sizeof(path), "%s/new", data);
        assert_int_equal(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644), -1);
        assert_int_equal(errno, EROFS);
        /* removing the volume unmounts it and leaves the device's content */
        assert_int_equal(vs_volume_remove(f->db, f->root, "bound", &err), 0);
        assert_int_equal(faccessat(dfd, "there", F_OK, 0), 0);
        assert_int_equal(access(data, F_OK), -1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check),
                cmocka_unit_test(test_random_name),
                cmocka_unit_test_setup_teardown(test_create_find_list_remove, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_create_leaves_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_in_use, setup, teardown),
                cmocka_unit_test_setup_teardown(test_copy_up, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tmpfs_volume, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bind_volume, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
