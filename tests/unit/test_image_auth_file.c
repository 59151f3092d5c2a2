/* Unit tests for src/image/auth_file.c: Docker's config.json credentials,
 * read under docker's keys, stored atomically with mode 0600 keeping the
 * rest of the file, removed. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/auth_file.h"
#include "util/cleanup.h"
#include "util/files.h"

struct fixture {
        char dir[64];
        char path[128];
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        snprintf(f->dir, sizeof(f->dir), "/tmp/vessel-auth-XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        snprintf(f->path, sizeof(f->path), "%s/docker/config.json", f->dir);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        int r = vs_remove_tree_at(AT_FDCWD, f->dir, &err);
        free(f);
        return r;
}

static void write_text(const char *path, const char *text)
{
        FILE *out = fopen(path, "w");
        assert_non_null(out);
        fputs(text, out);
        fclose(out);
}

static json_t *load_json(const char *path)
{
        json_t *root = json_load_file(path, 0, NULL);
        assert_non_null(root);
        return root;
}

static void expect_creds(const char *path, const char *domain, const char *user, const char *password)
{
        _cleanup_free_ char *u = NULL, *p = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_auth_file_get(path, domain, &u, &p, &err), 0);
        if (!user) {
                assert_null(u);
                assert_null(p);
                return;
        }
        assert_non_null(u);
        assert_string_equal(u, user);
        assert_string_equal(p, password);
}

static void test_missing_file_is_no_credentials(void **state)
{
        struct fixture *f = *state;
        expect_creds(f->path, "127.0.0.1:5000", NULL, NULL);
}

static void test_store_get_remove(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_auth_file_store(f->path, "127.0.0.1:5000", "alice", "pa:ss word", &err), 0);
        struct stat st;
        assert_int_equal(stat(f->path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        expect_creds(f->path, "127.0.0.1:5000", "alice", "pa:ss word");
        expect_creds(f->path, "127.0.0.1:5001", NULL, NULL);

        json_t *root = load_json(f->path);
        const char *auth = json_string_value(
                json_object_get(json_object_get(json_object_get(root, "auths"), "127.0.0.1:5000"), "auth"));
        assert_non_null(auth);
        assert_string_equal(auth, "YWxpY2U6cGE6c3Mgd29yZA=="); /* base64("alice:pa:ss word") */
        json_decref(root);

        /* Replacing keeps one entry. */
        assert_int_equal(vs_auth_file_store(f->path, "127.0.0.1:5000", "bob", "x", &err), 0);
        expect_creds(f->path, "127.0.0.1:5000", "bob", "x");
        root = load_json(f->path);
        assert_int_equal(json_object_size(json_object_get(root, "auths")), 1);
        json_decref(root);

        assert_int_equal(vs_auth_file_remove(f->path, "127.0.0.1:5000", &err), 0);
        expect_creds(f->path, "127.0.0.1:5000", NULL, NULL);
        assert_int_equal(vs_auth_file_remove(f->path, "127.0.0.1:5000", &err), -ENOENT);
        assert_non_null(strstr(err.msg, "not logged in to 127.0.0.1:5000"));
}

static void test_other_keys_kept(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char dir[128];
        snprintf(dir, sizeof(dir), "%s/docker", f->dir);
        assert_int_equal(mkdir(dir, 0700), 0);
        write_text(f->path, "{\"auths\":{\"quay.io\":{\"auth\":\"dTpw\"}},\"credsStore\":\"x\",\"psFormat\":\"t\"}");
        assert_int_equal(vs_auth_file_store(f->path, "docker.io", "me", "pw", &err), 0);
        json_t *root = load_json(f->path);
        assert_string_equal(json_string_value(json_object_get(root, "psFormat")), "t");
        assert_string_equal(json_string_value(json_object_get(root, "credsStore")), "x");
        json_t *auths = json_object_get(root, "auths");
        assert_non_null(json_object_get(auths, "quay.io"));
        /* Docker Hub under docker's own key. */
        assert_non_null(json_object_get(auths, VS_AUTH_FILE_DOCKER_HUB_KEY));
        json_decref(root);
        expect_creds(f->path, "quay.io", "u", "p");
        expect_creds(f->path, "docker.io", "me", "pw");
        expect_creds(f->path, "index.docker.io", "me", "pw");
        expect_creds(f->path, "registry-1.docker.io", "me", "pw");
        assert_int_equal(vs_auth_file_remove(f->path, "docker.io", &err), 0);
        expect_creds(f->path, "docker.io", NULL, NULL);
        expect_creds(f->path, "quay.io", "u", "p");
}

static void test_docker_keys_read(void **state)
{
        struct fixture *f = *state;
        char dir[128];
        snprintf(dir, sizeof(dir), "%s/docker", f->dir);
        assert_int_equal(mkdir(dir, 0700), 0);
        /* "docker.io" written by podman, URLs with schemes and paths by old dockers. */
        write_text(f->path, "{\"auths\":{"
                            "\"docker.io\":{\"auth\":\"aHViOmh1Yg==\"},"
                            "\"https://127.0.0.1:5000/v1/\":{\"auth\":\"YTpi\"},"
                            "\"http://Registry.Example:443\":{\"username\":\"c\",\"password\":\"d\"},"
                            "\"empty.example\":{}"
                            "}}");
        expect_creds(f->path, "docker.io", "hub", "hub");
        expect_creds(f->path, "127.0.0.1:5000", "a", "b");
        expect_creds(f->path, "registry.example:443", "c", "d");
        expect_creds(f->path, "empty.example", NULL, NULL);
        expect_creds(f->path, "127.0.0.1", NULL, NULL);
}

static void test_bad_files(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char *u = NULL, *p = NULL;
        char dir[128];
        snprintf(dir, sizeof(dir), "%s/docker", f->dir);
        assert_int_equal(mkdir(dir, 0700), 0);

        write_text(f->path, "{\"auths\":{\"h\":{\"auth\":\"!!!!\"}}}");
        assert_int_equal(vs_auth_file_get(f->path, "h", &u, &p, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "auths.h.auth: invalid base64"));

        write_text(f->path, "{\"auths\":{\"h\":{\"auth\":\"bm9jb2xvbg==\"}}}"); /* "nocolon" */
        assert_int_equal(vs_auth_file_get(f->path, "h", &u, &p, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "auths.h.auth: not \"user:password\""));

        write_text(f->path, "{\"auths\": [1]}");
        assert_int_equal(vs_auth_file_get(f->path, "h", &u, &p, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "auths: expected an object"));

        write_text(f->path, "{\"auths\":");
        assert_int_equal(vs_auth_file_get(f->path, "h", &u, &p, &err), -EINVAL);
        assert_non_null(strstr(err.msg, f->path));
        /* A file that cannot be parsed is not overwritten. */
        assert_int_equal(vs_auth_file_store(f->path, "h", "a", "b", &err), -EINVAL);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        assert_int_equal(vs_read_file(f->path, &text, &len, &err), 0);
        assert_string_equal(text, "{\"auths\":");

        assert_int_equal(vs_auth_file_store(f->path, "h", "a:b", "c", &err), -EINVAL);
        assert_null(u);
        assert_null(p);
}

static void test_default_path(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
        setenv("HOME", f->dir, 1);
        unsetenv("REGISTRY_AUTH_FILE");
        assert_int_equal(vs_auth_file_path(NULL, &a, &err), 0);
        char want[160];
        snprintf(want, sizeof(want), "%s/.docker/config.json", f->dir);
        assert_string_equal(a, want);
        setenv("REGISTRY_AUTH_FILE", f->path, 1);
        assert_int_equal(vs_auth_file_path(NULL, &b, &err), 0);
        assert_string_equal(b, f->path);
        assert_int_equal(vs_auth_file_path("/explicit.json", &c, &err), 0);
        assert_string_equal(c, "/explicit.json");
        /* Stored through the environment's file, its directory made 0700. */
        assert_int_equal(vs_auth_file_store(NULL, "h.example", "u", "p", &err), 0);
        struct stat st;
        snprintf(want, sizeof(want), "%s/docker", f->dir);
        assert_int_equal(stat(want, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0700);
        expect_creds(f->path, "h.example", "u", "p");
        unsetenv("REGISTRY_AUTH_FILE");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_missing_file_is_no_credentials, setup, teardown),
                cmocka_unit_test_setup_teardown(test_store_get_remove, setup, teardown),
                cmocka_unit_test_setup_teardown(test_other_keys_kept, setup, teardown),
                cmocka_unit_test_setup_teardown(test_docker_keys_read, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
