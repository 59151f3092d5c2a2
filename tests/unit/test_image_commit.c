/* Unit tests for commit (src/image/commit.c): an upper dir on a one-layer
 * base image becomes a second layer (a new file, a whiteout), the config
 * gets the caller's "config", a history entry and the diff ID; an upper dir
 * with no change gives no layer and an empty_layer history entry; a bad
 * name registers nothing. Each test has its own store. */
#include <archive.h>
#include <archive_entry.h>
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
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/archive.h"
#include "image/commit.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/files.h"

struct fixture {
        char tmp[64];
        char root[96], upper[96];
        struct vs_store *s;
        char base[VS_DIGEST_MAX];
};

/* A one-file tar ("etc/base") imported as the base image. */
static void import_base(struct fixture *f)
{
        char path[128];
        snprintf(path, sizeof(path), "%s/base.tar", f->tmp);
        struct archive *a = archive_write_new();
        assert_non_null(a);
        assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, "etc/base");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, 2);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, "b\n", 2), 2);
        archive_entry_free(e);
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        struct vs_import_options o = {.source = "base.tar", .name = "base:1"};
        struct vs_error err = VS_ERROR_INIT;
        int r = vs_archive_import(f->s, fd, &o, f->base, &err);
        if (r < 0)
                print_message("# import: %s\n", err.msg);
        assert_int_equal(r, 0);
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        snprintf(f->tmp, sizeof(f->tmp), "/tmp/vessel-commit-XXXXXX");
        if (!mkdtemp(f->tmp))
                return -1;
        snprintf(f->root, sizeof(f->root), "%s/root", f->tmp);
        snprintf(f->upper, sizeof(f->upper), "%s/upper", f->tmp);
        struct vs_error err = VS_ERROR_INIT;
        if (mkdir(f->upper, 0755) < 0 || vs_store_open(f->root, &f->s, &err) < 0) {
                print_message("# setup: %s\n", err.msg);
                return -1;
        }
        import_base(f);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        vs_store_close(f->s);
        int r = vs_remove_tree_at(AT_FDCWD, f->tmp, &err);
        free(f);
        return r;
}

static int commit(struct fixture *f, const char *name, const json_t *config, char id[VS_DIGEST_MAX],
                  struct vs_error *err)
{
        _cleanup_close_ int upperfd = open(f->upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(upperfd >= 0);
        struct vs_commit_options o = {
                .base = f->base,
                .upperfd = upperfd,
                .config = config,
                .author = "A. Tester",
                .message = "a message",
                .created_by = "sh -c make",
                .container_id = "c0ffee",
                .name = name,
        };
        return vs_image_commit(f->s, &o, id, err);
}

static json_t *config_of(struct fixture *f, const char *id)
{
        json_t *doc = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_image_config_json(f->s, id, &doc, &err), 0);
        return doc;
}

static void test_commit_layer(void **state)
{
        struct fixture *f = *state;
        char path[160], id[VS_DIGEST_MAX];
        snprintf(path, sizeof(path), "%s/new", f->upper);
        struct vs_error err = VS_ERROR_INIT;
        FILE *nf = fopen(path, "we");
        assert_non_null(nf);
        fputs("new\n", nf);
        fclose(nf);
        snprintf(path, sizeof(path), "%s/etc", f->upper);
        assert_int_equal(mkdir(path, 0755), 0);
        snprintf(path, sizeof(path), "%s/etc/base", f->upper);
        assert_int_equal(mknod(path, S_IFCHR | 0, makedev(0, 0)), 0); /* overlay's whiteout */
        json_t *cfg = json_pack("{s:[s]}", "Cmd", "/new");
        int r = commit(f, "committed:2", cfg, id, &err);
        if (r < 0)
                print_message("# commit: %s\n", err.msg);
        assert_int_equal(r, 0);
        json_decref(cfg);

        struct vs_image img = {0};
        assert_int_equal(vs_store_image_lookup(f->s, "committed:2", &img, &err), 0);
        assert_string_equal(img.id, id);
        assert_int_equal(img.n_layers, 2);
        _cleanup_free_ char *dir = vs_store_layer_path(f->s, img.layers[1].chain_id);
        snprintf(path, sizeof(path), "%s/new", dir);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        snprintf(path, sizeof(path), "%s/etc/base", dir);
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)); /* the whiteout came back */

        json_t *doc = config_of(f, id);
        assert_string_equal(
                json_string_value(json_array_get(json_object_get(json_object_get(doc, "config"), "Cmd"), 0)), "/new");
        json_t *diff_ids = json_object_get(json_object_get(doc, "rootfs"), "diff_ids");
        assert_int_equal(json_array_size(diff_ids), 2);
        assert_string_equal(json_string_value(json_array_get(diff_ids, 1)), img.layers[1].diff_id);
        json_t *history = json_object_get(doc, "history");
        json_t *last = json_array_get(history, json_array_size(history) - 1);
        assert_string_equal(json_string_value(json_object_get(last, "comment")), "a message");
        assert_string_equal(json_string_value(json_object_get(last, "created_by")), "sh -c make");
        assert_string_equal(json_string_value(json_object_get(doc, "author")), "A. Tester");
        assert_null(json_object_get(last, "empty_layer"));
        json_decref(doc);
        vs_image_free(&img);
}

static void test_commit_empty(void **state)
{
        struct fixture *f = *state;
        char id[VS_DIGEST_MAX];
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(commit(f, NULL, NULL, id, &err), 0);
        struct vs_image img = {0};
        assert_int_equal(vs_store_image_lookup(f->s, id, &img, &err), 0);
        assert_int_equal(img.n_layers, 1);
        assert_null(img.names[0]);
        json_t *doc = config_of(f, id);
        json_t *history = json_object_get(doc, "history");
        json_t *last = json_array_get(history, json_array_size(history) - 1);
        assert_true(json_is_true(json_object_get(last, "empty_layer")));
        /* no "config" given: the base's is kept */
        json_t *base = config_of(f, f->base);
        assert_true(json_equal(json_object_get(doc, "config"), json_object_get(base, "config")));
        json_decref(base);
        json_decref(doc);
        vs_image_free(&img);
}

static void test_commit_bad_name(void **state)
{
        struct fixture *f = *state;
        char id[VS_DIGEST_MAX];
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image *imgs = NULL;
        size_t n = 0;
        assert_int_equal(commit(f, "Bad:Name:x", NULL, id, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "Bad:Name:x"));
        assert_int_equal(vs_store_image_list(f->s, &imgs, &n, &err), 0);
        assert_int_equal(n, 1); /* the base alone */
        vs_image_list_free(imgs, n);
        err = (struct vs_error) VS_ERROR_INIT;
        snprintf(f->base, sizeof(f->base), "sha256:%064d", 0); /* no such base */
        assert_int_equal(commit(f, NULL, NULL, id, &err), -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_commit_layer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_commit_empty, setup, teardown),
                cmocka_unit_test_setup_teardown(test_commit_bad_name, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
