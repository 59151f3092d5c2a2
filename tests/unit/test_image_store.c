/* Unit tests for the image store (src/image/store*.c): the OCI layout files,
 * blobs and resumable ingest with digest checks, unpacked layers, images and
 * their names, index.json as skopeo and umoci read it, garbage collection,
 * and many processes using one store at once. Each test has its own store
 * in a temporary directory. */
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/manifest.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/db.h"
#include "util/digest.h"
#include "util/files.h"

struct fixture {
        char tmp[64];
        char root[96];
        struct vs_store *s;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        snprintf(f->tmp, sizeof(f->tmp), "/tmp/vessel-store-XXXXXX");
        if (!mkdtemp(f->tmp))
                return -1;
        snprintf(f->root, sizeof(f->root), "%s/root", f->tmp);
        struct vs_error err = VS_ERROR_INIT;
        if (vs_store_open(f->root, &f->s, &err) < 0) {
                print_message("# setup: %s\n", err.msg);
                return -1;
        }
        umask(022);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        vs_store_close(f->s);
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

static bool path_exists(struct fixture *f, const char *fmt, ...)
{
        char rel[512], path[700];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rel, sizeof(rel), fmt, ap);
        va_end(ap);
        snprintf(path, sizeof(path), "%s/%s", f->root, rel);
        struct stat st;
        return lstat(path, &st) == 0;
}

static size_t count_entries(struct fixture *f, const char *dir)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", f->root, dir);
        _cleanup_closedir_ DIR *d = opendir(path);
        assert_non_null(d);
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        return n;
}

static json_t *read_json(struct fixture *f, const char *rel)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", f->root, rel);
        json_error_t jerr;
        json_t *v = json_load_file(path, 0, &jerr);
        if (!v)
                fail_msg("%s: %s", path, jerr.text);
        return v;
}

static void write_blob(struct vs_store *s, const char *text, char digest[VS_DIGEST_MAX])
{
        struct vs_error err = VS_ERROR_INIT;
        if (vs_store_blob_write(s, text, strlen(text), digest, &err) < 0)
                fail_msg("blob write: %s", err.msg);
}

/* A layer as a test builds it: a tar imported as a blob, unpacked. */
struct test_layer {
        char blob[VS_DIGEST_MAX];
        char chain[VS_DIGEST_MAX];
        int64_t size;
};

/* Make a tar of the files given as name, content pairs (NULL-terminated)
 * with tar(1), import it, and unpack it as the layer on top of `parent`. */
static void make_layer(struct fixture *f, const char *parent, struct test_layer *l, ...)
{
        char dir[128], cmd[512], tarpath[160];
        snprintf(dir, sizeof(dir), "%s/src-XXXXXX", f->tmp);
        assert_non_null(mkdtemp(dir));
        va_list ap;
        va_start(ap, l);
        const char *name;
        while ((name = va_arg(ap, const char *))) {
                const char *content = va_arg(ap, const char *);
                char path[300];
                snprintf(path, sizeof(path), "%s/%s", dir, name);
                if (strchr(name, '/')) {
                        snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname %s)\"", path);
                        assert_int_equal(system(cmd), 0);
                }
                FILE *fp = fopen(path, "w");
                assert_non_null(fp);
                fputs(content, fp);
                fclose(fp);
        }
        va_end(ap);
        snprintf(tarpath, sizeof(tarpath), "%s.tar", dir);
        snprintf(cmd, sizeof(cmd), "tar --numeric-owner --owner=0 --group=0 -C %s -cf %s .", dir, tarpath);
        assert_int_equal(system(cmd), 0);
        _cleanup_close_ int fd = open(tarpath, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        struct vs_error err = VS_ERROR_INIT;
        if (vs_store_blob_import(f->s, fd, l->blob, &l->size, &err) < 0)
                fail_msg("import: %s", err.msg);
        /* An uncompressed tar: the diff ID is the blob's digest. */
        if (!parent) {
                snprintf(l->chain, sizeof(l->chain), "%s", l->blob);
        } else {
                char text[300];
                snprintf(text, sizeof(text), "%s %s", parent, l->blob);
                assert_int_equal(vs_digest_buffer(text, strlen(text), l->chain, &err), 0);
        }
        if (vs_store_layer_ensure(f->s, l->chain, parent, l->blob, l->blob, &err) < 0)
                fail_msg("layer ensure: %s", err.msg);
}

/* Store a config and a manifest for an image of these layers; the seed
 * makes the config, so the ID, unique. `img` owns strdup'ed strings. */
static void make_image(struct vs_store *s, const char *seed, const struct test_layer *layers, size_t n,
                       struct vs_image *img)
{
        json_t *diff_ids = json_array(), *descs = json_array();
        for (size_t i = 0; i < n; i++) {
                json_array_append_new(diff_ids, json_string(layers[i].blob));
                json_array_append_new(descs, json_pack("{s:s, s:s, s:I}", "mediaType", VS_MEDIA_OCI_LAYER, "digest",
                                                       layers[i].blob, "size", (json_int_t) layers[i].size));
        }
        json_t *config = json_pack("{s:s, s:s, s:s, s:{s:{s:s}}, s:{s:s, s:o}}", "created", "2024-01-02T03:04:05Z",
                                   "architecture", "amd64", "os", "linux", "config", "Labels", "seed", seed, "rootfs",
                                   "type", "layers", "diff_ids", diff_ids);
        char *config_text = json_dumps(config, JSON_COMPACT);
        char config_digest[VS_DIGEST_MAX], manifest_digest[VS_DIGEST_MAX];
        write_blob(s, config_text, config_digest);
        json_t *manifest = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType",
                                     VS_MEDIA_OCI_MANIFEST, "config", "mediaType", VS_MEDIA_OCI_CONFIG, "digest",
                                     config_digest, "size", (json_int_t) strlen(config_text), "layers", descs);
        char *manifest_text = json_dumps(manifest, JSON_COMPACT);
        write_blob(s, manifest_text, manifest_digest);
        memset(img, 0, sizeof(*img));
        img->id = strdup(config_digest);
        img->manifest_digest = strdup(manifest_digest);
        img->manifest_media_type = strdup(VS_MEDIA_OCI_MANIFEST);
        img->created = 1704164645;
        img->layers = calloc(n ? n : 1, sizeof(*img->layers));
        img->n_layers = n;
        for (size_t i = 0; i < n; i++) {
                img->layers[i].blob_digest = strdup(layers[i].blob);
                img->layers[i].media_type = strdup(VS_MEDIA_OCI_LAYER);
                img->layers[i].blob_size = layers[i].size;
                img->layers[i].diff_id = strdup(layers[i].blob);
                img->layers[i].chain_id = strdup(layers[i].chain);
                img->size += layers[i].size;
        }
        free(config_text);
        free(manifest_text);
        json_decref(config);
        json_decref(manifest);
}

static void add_image(struct vs_store *s, const struct vs_image *img, const char *name, const char *repo_digest)
{
        struct vs_error err = VS_ERROR_INIT;
        if (vs_store_image_add(s, img, name, repo_digest, &err) < 0)
                fail_msg("image add: %s", err.msg);
}

/* --- layout --- */

static void test_open_layout(void **state)
{
        struct fixture *f = *state;
        char *text = NULL;
        struct vs_error err = VS_ERROR_INIT;
        char path[256];
        snprintf(path, sizeof(path), "%s/oci/oci-layout", f->root);
        assert_int_equal(vs_read_file(path, &text, NULL, &err), 0);
        assert_string_equal(text, "{\"imageLayoutVersion\":\"1.0.0\"}");
        free(text);
        assert_true(path_exists(f, "oci/blobs/sha256"));
        assert_true(path_exists(f, "ingest"));
        assert_true(path_exists(f, "layers"));
        assert_true(path_exists(f, "vessel.db"));
        assert_true(path_exists(f, "store.lock"));
        json_t *index = read_json(f, "oci/index.json");
        assert_int_equal(json_integer_value(json_object_get(index, "schemaVersion")), 2);
        assert_string_equal(json_string_value(json_object_get(index, "mediaType")), VS_MEDIA_OCI_INDEX);
        assert_int_equal(json_array_size(json_object_get(index, "manifests")), 0);
        json_decref(index);

        /* A second open of the same root works, and a lost index.json is
         * rewritten from the database. */
        struct vs_image img;
        make_image(f->s, "layout", NULL, 0, &img);
        add_image(f->s, &img, "docker.io/library/layout:1", NULL);
        snprintf(path, sizeof(path), "%s/oci/index.json", f->root);
        assert_int_equal(unlink(path), 0);
        struct vs_store *again = NULL;
        assert_int_equal(vs_store_open(f->root, &again, &err), 0);
        index = read_json(f, "oci/index.json");
        json_t *m = json_array_get(json_object_get(index, "manifests"), 0);
        assert_string_equal(json_string_value(json_object_get(m, "digest")), img.manifest_digest);
        json_decref(index);
        vs_store_close(again);
        vs_image_free(&img);
}

static void test_open_error(void **state)
{
        struct fixture *f = *state;
        char path[200];
        snprintf(path, sizeof(path), "%s/file", f->tmp);
        close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        char root[256];
        snprintf(root, sizeof(root), "%s/under", path);
        struct vs_store *s = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_true(vs_store_open(root, &s, &err) < 0);
        assert_null(s);
        assert_contains(err.msg, path);
}

/* --- blobs --- */

#define HELLO_DIGEST "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

static void test_blob_write_read(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char digest[VS_DIGEST_MAX];
        assert_int_equal(vs_store_blob_write(f->s, "hello", 5, digest, &err), 0);
        assert_string_equal(digest, HELLO_DIGEST);
        assert_true(path_exists(f, "oci/blobs/sha256/%s", HELLO_DIGEST + 7));
        /* Again: same digest, still one file, no temporary left. */
        assert_int_equal(vs_store_blob_write(f->s, "hello", 5, digest, &err), 0);
        assert_int_equal(count_entries(f, "oci/blobs/sha256"), 1);

        bool exists = false;
        assert_int_equal(vs_store_blob_exists(f->s, HELLO_DIGEST, &exists, &err), 0);
        assert_true(exists);
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(vs_store_blob_read(f->s, HELLO_DIGEST, 0, &data, &len, &err), 0);
        assert_int_equal(len, 5);
        assert_string_equal(data, "hello");
        free(data);
        assert_int_equal(vs_store_blob_read(f->s, HELLO_DIGEST, 4, &data, &len, &err), -EFBIG);
        assert_contains(err.msg, HELLO_DIGEST);

        int fd = -1;
        assert_int_equal(vs_store_blob_open(f->s, HELLO_DIGEST, &fd, &err), 0);
        char buf[8] = {0};
        assert_int_equal(read(fd, buf, sizeof(buf)), 5);
        assert_string_equal(buf, "hello");
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);

        const char *absent = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
        assert_int_equal(vs_store_blob_exists(f->s, absent, &exists, &err), 0);
        assert_false(exists);
        assert_int_equal(vs_store_blob_open(f->s, absent, &fd, &err), -ENOENT);
        assert_contains(err.msg, absent);
        assert_int_equal(vs_store_blob_read(f->s, absent, 0, &data, &len, &err), -ENOENT);

        assert_int_equal(vs_store_blob_exists(f->s, "sha256:../../etc", &exists, &err), -EINVAL);
        assert_contains(err.msg, "sha256:../../etc");
}

static void test_blob_import(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        size_t n = 300000;
        char *data = malloc(n);
        assert_non_null(data);
        for (size_t i = 0; i < n; i++)
                data[i] = (char) (i * 7 + i / 1000);
        char path[200];
        snprintf(path, sizeof(path), "%s/import", f->tmp);
        int wfd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        assert_int_equal(write(wfd, data, n), (ssize_t) n);
        close(wfd);
        char want[VS_DIGEST_MAX], got[VS_DIGEST_MAX];
        assert_int_equal(vs_digest_buffer(data, n, want, &err), 0);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        int64_t size = 0;
        assert_int_equal(vs_store_blob_import(f->s, fd, got, &size, &err), 0);
        assert_string_equal(got, want);
        assert_int_equal(size, (int64_t) n);
        char *back = NULL;
        size_t len = 0;
        assert_int_equal(vs_store_blob_read(f->s, got, 0, &back, &len, &err), 0);
        assert_int_equal(len, n);
        assert_memory_equal(back, data, n);
        assert_int_equal(count_entries(f, "oci/blobs/sha256"), 1);
        free(back);
        free(data);
}

static void test_ingest_resume(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        int fd = -1;
        int64_t offset = -1;
        assert_int_equal(vs_store_ingest_open(f->s, HELLO_DIGEST, &fd, &offset, &err), 0);
        assert_int_equal(offset, 0);
        assert_int_equal(write(fd, "hel", 3), 3);
        close(fd);
        /* An interrupted download resumes where it stopped. */
        assert_int_equal(vs_store_ingest_open(f->s, HELLO_DIGEST, &fd, &offset, &err), 0);
        assert_int_equal(offset, 3);
        assert_int_equal(write(fd, "lo", 2), 2);
        assert_int_equal(vs_store_ingest_commit(f->s, HELLO_DIGEST, 5, &err), 0);
        close(fd);
        assert_false(path_exists(f, "ingest/%s", HELLO_DIGEST + 7));
        bool exists = false;
        assert_int_equal(vs_store_blob_exists(f->s, HELLO_DIGEST, &exists, &err), 0);
        assert_true(exists);
}

static void test_ingest_mismatch(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        int fd = -1;
        int64_t offset = -1;
        assert_int_equal(vs_store_ingest_open(f->s, HELLO_DIGEST, &fd, &offset, &err), 0);
        assert_int_equal(write(fd, "HELLO", 5), 5);
        close(fd);
        assert_int_equal(vs_store_ingest_commit(f->s, HELLO_DIGEST, 5, &err), -EBADMSG);
        char got[VS_DIGEST_MAX];
        assert_int_equal(vs_digest_buffer("HELLO", 5, got, &err), 0);
        struct vs_error e2 = VS_ERROR_INIT;
        assert_int_equal(vs_store_ingest_open(f->s, HELLO_DIGEST, &fd, &offset, &e2), 0);
        /* The partial file went: the next attempt starts from zero. */
        assert_int_equal(offset, 0);
        assert_int_equal(write(fd, "hello!", 6), 6);
        close(fd);
        char want_msg[300];
        snprintf(want_msg, sizeof(want_msg), "blob %s: digest mismatch: got %s", HELLO_DIGEST, got);
        assert_string_equal(err.msg, want_msg);

        /* A size that does not match is refused before hashing. */
        assert_int_equal(vs_store_ingest_commit(f->s, HELLO_DIGEST, 5, &err), -EBADMSG);
        assert_contains(err.msg, "size mismatch: expected 5 bytes, got 6");
        assert_false(path_exists(f, "ingest/%s", HELLO_DIGEST + 7));
        bool exists = true;
        assert_int_equal(vs_store_blob_exists(f->s, HELLO_DIGEST, &exists, &err), 0);
        assert_false(exists);
        assert_int_equal(vs_store_ingest_commit(f->s, HELLO_DIGEST, -1, &err), -ENOENT);
}

/* Two pulls of one blob: the second waits for the first and, once the
 * first committed, starts a fresh file instead of appending to it. */
static void test_ingest_concurrent(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        int fd = -1;
        int64_t offset = -1;
        assert_int_equal(vs_store_ingest_open(f->s, HELLO_DIGEST, &fd, &offset, &err), 0);
        /* sqlite connections must not cross a fork. */
        vs_store_close(f->s);
        f->s = NULL;
        int pipefd[2];
        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* The parent's fd (and its lock) must not live on in here. */
                close(fd);
                struct vs_store *s = NULL;
                int cfd = -1;
                int64_t coff = -1;
                if (vs_store_open(f->root, &s, &err) < 0)
                        _exit(2);
                if (write(pipefd[1], "x", 1) != 1)
                        _exit(5);
                if (vs_store_ingest_open(s, HELLO_DIGEST, &cfd, &coff, &err) < 0)
                        _exit(3);
                _exit(coff == 0 ? 0 : 4);
        }
        char c;
        assert_int_equal(read(pipefd[0], &c, 1), 1);
        usleep(200000);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, WNOHANG), 0); /* still waiting for the lock */
        assert_int_equal(vs_store_open(f->root, &f->s, &err), 0);
        assert_int_equal(write(fd, "hello", 5), 5);
        assert_int_equal(vs_store_ingest_commit(f->s, HELLO_DIGEST, 5, &err), 0);
        close(fd);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        close(pipefd[0]);
        close(pipefd[1]);
}

/* --- images --- */

static void test_image_add_lookup(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image img, got;
        make_image(f->s, "lookup", NULL, 0, &img);
        char repo_digest[200];
        snprintf(repo_digest, sizeof(repo_digest), "docker.io/library/busybox@%s", img.manifest_digest);
        add_image(f->s, &img, "docker.io/library/busybox:latest", repo_digest);

        char prefix[20], upper_id[80];
        snprintf(prefix, sizeof(prefix), "%.12s", img.id + 7);
        snprintf(upper_id, sizeof(upper_id), "sha256:%.5s", img.id + 7);
        char by_digest[200];
        snprintf(by_digest, sizeof(by_digest), "busybox@%s", img.manifest_digest);
        const char *texts[] = {"busybox", "busybox:latest", "docker.io/library/busybox:latest",
                               img.id,    img.id + 7,       prefix,
                               upper_id,  by_digest};
        for (size_t i = 0; i < VS_ARRAY_SIZE(texts); i++) {
                if (vs_store_image_lookup(f->s, texts[i], &got, &err) < 0)
                        fail_msg("lookup %s: %s", texts[i], err.msg);
                assert_string_equal(got.id, img.id);
                vs_image_free(&got);
        }
        assert_int_equal(vs_store_image_lookup(f->s, "busybox", &got, &err), 0);
        assert_string_equal(got.manifest_digest, img.manifest_digest);
        assert_string_equal(got.manifest_media_type, VS_MEDIA_OCI_MANIFEST);
        assert_null(got.index_digest);
        assert_string_equal(got.names[0], "docker.io/library/busybox:latest");
        assert_null(got.names[1]);
        assert_string_equal(got.repo_digests[0], repo_digest);
        assert_null(got.repo_digests[1]);
        assert_int_equal(got.created, img.created);
        assert_int_equal(got.n_layers, 0);
        assert_int_equal(got.holds, 0);
        assert_true(got.added >= time(NULL) - 60 && got.added <= time(NULL));
        vs_image_free(&got);

        const char *missing[] = {"nothere", "busybox:1.0", "abcdef0123", "sha256:abc",
                                 "0123456789012345678901234567890123456789012345678901234567890123"};
        for (size_t i = 0; i < VS_ARRAY_SIZE(missing); i++) {
                assert_int_equal(vs_store_image_lookup(f->s, missing[i], &got, &err), -ENOENT);
                char want[120];
                snprintf(want, sizeof(want), "no such image: %s", missing[i]);
                assert_string_equal(err.msg, want);
        }
        assert_int_equal(vs_store_image_lookup(f->s, "Bad Name", &got, &err), -EINVAL);
        assert_contains(err.msg, "Bad Name");
        vs_image_free(&img);
}

static void test_image_layers_recorded(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct test_layer l[2];
        make_layer(f, NULL, &l[0], "etc/hostname", "base\n", "bin/sh", "#!/bin/true\n", NULL);
        make_layer(f, l[0].chain, &l[1], "app", "application\n", NULL);
        struct vs_image img, got;
        make_image(f->s, "layers", l, 2, &img);
        add_image(f->s, &img, "example.com/team/app:v1", NULL);
        assert_int_equal(vs_store_image_lookup(f->s, "example.com/team/app:v1", &got, &err), 0);
        assert_int_equal(got.n_layers, 2);
        for (size_t i = 0; i < 2; i++) {
                assert_string_equal(got.layers[i].blob_digest, l[i].blob);
                assert_string_equal(got.layers[i].diff_id, l[i].blob);
                assert_string_equal(got.layers[i].chain_id, l[i].chain);
                assert_string_equal(got.layers[i].media_type, VS_MEDIA_OCI_LAYER);
                assert_int_equal(got.layers[i].blob_size, l[i].size);
        }
        assert_int_equal(got.size, l[0].size + l[1].size);
        vs_image_free(&got);

        /* Each layer holds only its own files. */
        char *path = vs_store_layer_path(f->s, l[1].chain);
        char want[300];
        snprintf(want, sizeof(want), "%s/layers/%s/diff", f->root, l[1].chain + 7);
        assert_string_equal(path, want);
        char file[400], *text = NULL;
        snprintf(file, sizeof(file), "%s/app", path);
        assert_int_equal(vs_read_file(file, &text, NULL, &err), 0);
        assert_string_equal(text, "application\n");
        free(text);
        snprintf(file, sizeof(file), "%s/etc/hostname", path);
        assert_int_equal(access(file, F_OK), -1);
        free(path);
        vs_image_free(&img);
}

static void test_image_ambiguous_prefix(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        /* 17 IDs: two share their first hex digit. */
        struct vs_image imgs[17];
        int first[16];
        memset(first, -1, sizeof(first));
        int a = -1, b = -1;
        for (int i = 0; i < 17; i++) {
                char seed[16];
                snprintf(seed, sizeof(seed), "amb%d", i);
                make_image(f->s, seed, NULL, 0, &imgs[i]);
                add_image(f->s, &imgs[i], NULL, NULL);
                char c = imgs[i].id[7];
                int k = c <= '9' ? c - '0' : c - 'a' + 10;
                if (first[k] >= 0 && a < 0) {
                        a = first[k];
                        b = i;
                }
                first[k] = i;
        }
        assert_true(a >= 0);
        char one[2] = {imgs[a].id[7], 0};
        struct vs_image got;
        assert_int_equal(vs_store_image_lookup(f->s, one, &got, &err), -EINVAL);
        char want[64];
        snprintf(want, sizeof(want), "ambiguous image ID prefix: %s", one);
        assert_string_equal(err.msg, want);
        assert_int_equal(vs_store_image_lookup(f->s, imgs[b].id + 7, &got, &err), 0);
        assert_string_equal(got.id, imgs[b].id);
        vs_image_free(&got);
        struct vs_image *list = NULL;
        size_t n = 0;
        assert_int_equal(vs_store_image_list(f->s, &list, &n, &err), 0);
        assert_int_equal(n, 17);
        vs_image_list_free(list, n);
        /* Nameless images are in index.json too, without a ref name. */
        json_t *index = read_json(f, "oci/index.json");
        json_t *ms = json_object_get(index, "manifests");
        assert_int_equal(json_array_size(ms), 17);
        assert_null(json_object_get(json_array_get(ms, 0), "annotations"));
        json_decref(index);
        for (int i = 0; i < 17; i++)
                vs_image_free(&imgs[i]);
}

/* index.json's descriptors: one per name, sorted, the ref name annotation,
 * the manifest's digest, size and type; one without a name per nameless image. */
static void check_index(struct fixture *f, const char *const *names, const struct vs_image *const *imgs, size_t n,
                        size_t nameless)
{
        json_t *index = read_json(f, "oci/index.json");
        json_t *ms = json_object_get(index, "manifests");
        assert_int_equal(json_array_size(ms), n + nameless);
        for (size_t i = 0; i < n; i++) {
                json_t *d = json_array_get(ms, i);
                json_t *ann = json_object_get(d, "annotations");
                assert_string_equal(json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name")),
                                    names[i]);
                assert_string_equal(json_string_value(json_object_get(d, "digest")), imgs[i]->manifest_digest);
                assert_string_equal(json_string_value(json_object_get(d, "mediaType")), VS_MEDIA_OCI_MANIFEST);
                char *m = NULL;
                size_t len = 0;
                struct vs_error err = VS_ERROR_INIT;
                assert_int_equal(vs_store_blob_read(f->s, imgs[i]->manifest_digest, 0, &m, &len, &err), 0);
                assert_int_equal(json_integer_value(json_object_get(d, "size")), (json_int_t) len);
                free(m);
        }
        for (size_t i = n; i < n + nameless; i++)
                assert_null(json_object_get(json_array_get(ms, i), "annotations"));
        json_decref(index);
}

static void test_tag_untag_index(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image a, b, got;
        make_image(f->s, "a", NULL, 0, &a);
        make_image(f->s, "b", NULL, 0, &b);
        add_image(f->s, &a, "docker.io/library/alpha:1", NULL);
        add_image(f->s, &b, "docker.io/library/beta:1", NULL);
        assert_int_equal(vs_store_image_tag(f->s, a.id, "alpha:2", &err), 0);
        {
                const char *names[] = {"docker.io/library/alpha:1", "docker.io/library/alpha:2",
                                       "docker.io/library/beta:1"};
                const struct vs_image *imgs[] = {&a, &a, &b};
                check_index(f, names, imgs, 3, 0);
        }
        /* A name moves: beta:1 now names a; b is left without a name. */
        assert_int_equal(vs_store_image_tag(f->s, "alpha:1", "beta:1", &err), 0);
        assert_int_equal(vs_store_image_lookup(f->s, "beta:1", &got, &err), 0);
        assert_string_equal(got.id, a.id);
        assert_int_equal(got.names[3] == NULL && got.names[2] != NULL, 1);
        vs_image_free(&got);
        {
                const char *names[] = {"docker.io/library/alpha:1", "docker.io/library/alpha:2",
                                       "docker.io/library/beta:1"};
                const struct vs_image *imgs[] = {&a, &a, &a};
                check_index(f, names, imgs, 3, 1);
        }
        assert_int_equal(vs_store_image_tag(f->s, a.id,
                                            "alpha@sha256:"
                                            "0000000000000000000000000000000000000000000000000000000000000000",
                                            &err),
                         -EINVAL);
        assert_int_equal(vs_store_image_tag(f->s, "nothere", "x:1", &err), -ENOENT);
        assert_contains(err.msg, "no such image: nothere");

        bool removed = true;
        assert_int_equal(vs_store_image_untag(f->s, "alpha:1", &removed, &err), 0);
        assert_false(removed);
        assert_int_equal(vs_store_image_untag(f->s, "alpha:1", &removed, &err), -ENOENT);
        assert_string_equal(err.msg, "no such image: alpha:1");
        assert_int_equal(vs_store_image_untag(f->s, "alpha:2", &removed, &err), 0);
        assert_false(removed);
        assert_int_equal(vs_store_image_untag(f->s, "docker.io/library/beta:1", &removed, &err), 0);
        assert_true(removed);
        assert_int_equal(vs_store_image_lookup(f->s, a.id, &got, &err), -ENOENT);
        /* b was never removed: it had lost its name, not been untagged. */
        assert_int_equal(vs_store_image_lookup(f->s, b.id, &got, &err), 0);
        vs_image_free(&got);
        check_index(f, NULL, NULL, 0, 1);
        vs_image_free(&a);
        vs_image_free(&b);
}

static void test_untag_repo_digests_and_holds(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image a, got;
        make_image(f->s, "held", NULL, 0, &a);
        char rd[200];
        snprintf(rd, sizeof(rd), "docker.io/library/held@%s", a.manifest_digest);
        add_image(f->s, &a, "held:1", rd);
        /* Idempotent: adding again changes nothing but names. */
        add_image(f->s, &a, "other:1", NULL);
        assert_int_equal(vs_store_image_hold(f->s, a.id, 1, &err), 0);
        bool removed = true;
        assert_int_equal(vs_store_image_untag(f->s, "held:1", &removed, &err), 0);
        assert_false(removed);
        assert_int_equal(vs_store_image_lookup(f->s, "other:1", &got, &err), 0);
        /* The repository's digest went with its last name. */
        assert_null(got.repo_digests[0]);
        assert_int_equal(got.holds, 1);
        vs_image_free(&got);
        /* Held: the last name goes, the image stays. */
        assert_int_equal(vs_store_image_untag(f->s, "other:1", &removed, &err), 0);
        assert_false(removed);
        assert_int_equal(vs_store_image_lookup(f->s, a.id, &got, &err), 0);
        assert_null(got.names[0]);
        vs_image_free(&got);

        assert_int_equal(vs_store_image_remove(f->s, a.id, false, &err), -EBUSY);
        assert_contains(err.msg, "in use by 1 container");
        assert_int_equal(vs_store_image_hold(f->s, a.id, 1, &err), 0);
        assert_int_equal(vs_store_image_hold(f->s, a.id, -1, &err), 0);
        assert_int_equal(vs_store_image_remove(f->s, a.id, false, &err), -EBUSY);
        assert_int_equal(vs_store_image_remove(f->s, a.id, true, &err), 0);
        assert_int_equal(vs_store_image_lookup(f->s, a.id, &got, &err), -ENOENT);
        /* The container that held it lets go later: nothing to do. */
        assert_int_equal(vs_store_image_hold(f->s, a.id, -1, &err), 0);
        assert_int_equal(vs_store_image_hold(f->s, a.id, 1, &err), -ENOENT);
        assert_int_equal(vs_store_image_remove(f->s, a.id, false, &err), -ENOENT);
        vs_image_free(&a);
}

static void test_add_needs_content(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image img;
        make_image(f->s, "content", NULL, 0, &img);
        char *saved = img.id;
        img.id = strdup("sha256:1111111111111111111111111111111111111111111111111111111111111111");
        assert_int_equal(vs_store_image_add(f->s, &img, "x:1", NULL, &err), -ENOENT);
        assert_contains(err.msg, "config sha256:1111");
        assert_contains(err.msg, "is not in the store");
        free(img.id);
        img.id = saved;

        /* A layer whose blob is stored but that was never unpacked. */
        char blob[VS_DIGEST_MAX];
        write_blob(f->s, "not a layer", blob);
        img.layers = realloc(img.layers, sizeof(*img.layers));
        img.n_layers = 1;
        img.layers[0] =
                (struct vs_image_layer){strdup(blob), strdup(VS_MEDIA_OCI_LAYER), 11, strdup(blob), strdup(blob)};
        assert_int_equal(vs_store_image_add(f->s, &img, "x:1", NULL, &err), -ENOENT);
        assert_contains(err.msg, "is not unpacked");
        img.n_layers = 0;
        assert_int_equal(vs_store_image_add(f->s, &img, "x:1@sha256:abc", NULL, &err), -EINVAL);
        img.n_layers = 1;

        struct vs_image *list = NULL;
        size_t n = 9;
        assert_int_equal(vs_store_image_list(f->s, &list, &n, &err), 0);
        assert_int_equal(n, 0);
        free(list);
        check_index(f, NULL, NULL, 0, 0);
        vs_image_free(&img);
}

/* --- layers --- */

static void test_layer_diff_id_mismatch(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct test_layer l;
        make_layer(f, NULL, &l, "f", "x", NULL);
        const char *other = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
        assert_int_equal(vs_store_layer_ensure(f->s, other, NULL, l.blob, other, &err), -EBADMSG);
        assert_contains(err.msg, "diff ID mismatch");
        assert_contains(err.msg, l.blob);
        /* Nothing half-made stays: only the good layer's directory. */
        assert_int_equal(count_entries(f, "layers"), 1);
        assert_false(path_exists(f, "layers/%s", other + 7));

        /* A blob that is not there. */
        assert_int_equal(vs_store_layer_ensure(f->s, other, NULL, other, other, &err), -ENOENT);
        assert_int_equal(count_entries(f, "layers"), 1);
}

static void test_layer_replaces_unrecorded(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct test_layer l;
        make_layer(f, NULL, &l, "good", "yes", NULL);
        /* Make it look like a crash between rename and record. */
        assert_int_equal(vs_db_exec(f->s->db, "DELETE FROM layers", &err), 0);
        char junk[300];
        snprintf(junk, sizeof(junk), "%s/layers/%s/diff/junk", f->root, l.chain + 7);
        close(open(junk, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        assert_int_equal(vs_store_layer_ensure(f->s, l.chain, NULL, l.blob, l.blob, &err), 0);
        assert_false(path_exists(f, "layers/%s/diff/junk", l.chain + 7));
        assert_true(path_exists(f, "layers/%s/diff/good", l.chain + 7));
        assert_int_equal(count_entries(f, "layers"), 1);
        /* Recorded: a second call does nothing (a file added stays). */
        close(open(junk, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        assert_int_equal(vs_store_layer_ensure(f->s, l.chain, NULL, l.blob, l.blob, &err), 0);
        assert_true(path_exists(f, "layers/%s/diff/junk", l.chain + 7));
}

static int64_t file_size(struct fixture *f, const char *rel)
{
        char path[400];
        snprintf(path, sizeof(path), "%s/%s", f->root, rel);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        return st.st_size;
}

static void test_gc(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct test_layer keep, drop;
        make_layer(f, NULL, &keep, "kept", "12345", NULL);
        make_layer(f, NULL, &drop, "dropped", "0123456789", NULL);
        struct vs_image img;
        make_image(f->s, "gc", &keep, 1, &img);
        add_image(f->s, &img, "gc:1", NULL);
        char orphan[VS_DIGEST_MAX];
        write_blob(f->s, "orphan blob", orphan);
        int fd = -1;
        int64_t off = 0;
        assert_int_equal(vs_store_ingest_open(f->s, HELLO_DIGEST, &fd, &off, &err), 0);
        assert_int_equal(write(fd, "hel", 3), 3);
        close(fd);
        /* A crashed unpack's leftover, with a read-only directory. */
        char tmpdir[300];
        snprintf(tmpdir, sizeof(tmpdir), "%s/layers/.tmp-crash", f->root);
        assert_int_equal(mkdir(tmpdir, 0700), 0);
        strcat(tmpdir, "/diff");
        assert_int_equal(mkdir(tmpdir, 0555), 0);

        int64_t drop_blob = drop.size;
        int64_t reclaimed = -1;
        assert_int_equal(vs_store_gc(f->s, &reclaimed, &err), 0);
        /* The dropped layer's blob and tree (a 10-byte file), the orphan, the ingest file. */
        assert_int_equal(reclaimed, drop_blob + 10 + (int64_t) strlen("orphan blob") + 3);
        assert_false(path_exists(f, "oci/blobs/sha256/%s", drop.blob + 7));
        assert_false(path_exists(f, "oci/blobs/sha256/%s", orphan + 7));
        assert_false(path_exists(f, "layers/%s", drop.chain + 7));
        assert_false(path_exists(f, "layers/.tmp-crash"));
        assert_int_equal(count_entries(f, "ingest"), 0);
        assert_true(path_exists(f, "oci/blobs/sha256/%s", keep.blob + 7));
        assert_true(path_exists(f, "oci/blobs/sha256/%s", img.id + 7));
        assert_true(path_exists(f, "oci/blobs/sha256/%s", img.manifest_digest + 7));
        assert_true(path_exists(f, "layers/%s/diff/kept", keep.chain + 7));
        /* The dropped layer's row went too: ensuring it again unpacks it again. */
        assert_int_equal(vs_store_layer_ensure(f->s, drop.chain, NULL, drop.blob, drop.blob, &err), -ENOENT);

        /* index.json out of step with the database (a crash before COMMIT): gc mends it. */
        char index_path[300];
        snprintf(index_path, sizeof(index_path), "%s/oci/index.json", f->root);
        FILE *fp = fopen(index_path, "w");
        assert_non_null(fp);
        fputs("{\"schemaVersion\":2,\"manifests\":[]}", fp);
        fclose(fp);
        /* Nothing more to collect. */
        assert_int_equal(vs_store_gc(f->s, &reclaimed, &err), 0);
        assert_int_equal(reclaimed, 0);
        {
                const char *names[] = {"docker.io/library/gc:1"};
                const struct vs_image *imgs[] = {&img};
                check_index(f, names, imgs, 1, 0);
        }

        /* Remove the image: everything goes. */
        char rel[200];
        snprintf(rel, sizeof(rel), "oci/blobs/sha256/%s", img.manifest_digest + 7);
        int64_t manifest = file_size(f, rel);
        snprintf(rel, sizeof(rel), "oci/blobs/sha256/%s", img.id + 7);
        int64_t config = file_size(f, rel);
        assert_int_equal(vs_store_image_remove(f->s, "gc:1", false, &err), 0);
        assert_int_equal(vs_store_gc(f->s, &reclaimed, &err), 0);
        assert_int_equal(reclaimed, manifest + config + keep.size + 5);
        assert_int_equal(count_entries(f, "oci/blobs/sha256"), 0);
        assert_int_equal(count_entries(f, "layers"), 0);
        vs_image_free(&img);
}

/* --- other tools read the layout --- */

static bool have_tool(const char *name)
{
        char cmd[200];
        snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
        return system(cmd) == 0;
}

static char *run_capture(const char *cmd)
{
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        size_t cap = 65536, len = 0;
        char *out = calloc(1, cap);
        size_t n;
        while ((n = fread(out + len, 1, cap - len - 1, p)) > 0)
                len += n;
        int status = pclose(p);
        if (status != 0)
                fail_msg("%s: exit status %d: %s", cmd, status, out);
        return out;
}

static void test_skopeo_umoci_read_layout(void **state)
{
        struct fixture *f = *state;
        bool skopeo = have_tool("skopeo"), umoci = have_tool("umoci");
        if (!skopeo && !umoci) {
                print_message("# skipped: neither skopeo nor umoci is installed\n");
                skip();
        }
        struct test_layer l;
        make_layer(f, NULL, &l, "bin/hello", "hello world\n", NULL);
        struct vs_image img, other;
        make_image(f->s, "skopeo", &l, 1, &img);
        make_image(f->s, "nameless", NULL, 0, &other);
        add_image(f->s, &img, "docker.io/library/busybox:latest", NULL);
        add_image(f->s, &other, NULL, NULL);
        char cmd[600];
        if (skopeo) {
                snprintf(cmd, sizeof(cmd), "skopeo inspect oci:%s/oci:docker.io/library/busybox:latest 2>&1", f->root);
                char *out = run_capture(cmd);
                json_error_t jerr;
                json_t *v = json_loads(out, 0, &jerr);
                if (!v)
                        fail_msg("skopeo inspect printed no JSON: %s", out);
                assert_string_equal(json_string_value(json_object_get(v, "Digest")), img.manifest_digest);
                assert_string_equal(json_string_value(json_array_get(json_object_get(v, "Layers"), 0)), l.blob);
                assert_string_equal(json_string_value(json_object_get(v, "Architecture")), "amd64");
                json_decref(v);
                free(out);
        } else {
                print_message("# skopeo not installed: skopeo inspect skipped\n");
        }
        if (umoci) {
                snprintf(cmd, sizeof(cmd), "umoci ls --layout %s/oci 2>&1", f->root);
                char *out = run_capture(cmd);
                assert_string_equal(out, "docker.io/library/busybox:latest\n");
                free(out);
        } else {
                print_message("# umoci not installed: umoci ls skipped\n");
        }
        vs_image_free(&img);
        vs_image_free(&other);
}

/* --- many processes --- */

#define WORKERS 10
#define ROUNDS 15
#define POOL 6

static int worker(const char *root, struct vs_image *pool, int me)
{
        struct vs_store *s = NULL;
        struct vs_error err = VS_ERROR_INIT;
        if (vs_store_open(root, &s, &err) < 0) {
                fprintf(stderr, "# worker %d: %s\n", me, err.msg);
                return 1;
        }
        int r = 0;
        for (int i = 0; i < ROUNDS && r >= 0; i++) {
                struct vs_image *img = &pool[(me + i) % POOL];
                char name[64], other[64];
                snprintf(name, sizeof(name), "docker.io/library/w%d:%d", me, i);
                snprintf(other, sizeof(other), "shared:%d", i % 4);
                r = vs_store_image_add(s, img, name, NULL, &err);
                if (r >= 0)
                        r = vs_store_image_tag(s, img->id, other, &err);
                struct vs_image got;
                if (r >= 0 && (r = vs_store_image_lookup(s, name, &got, &err)) >= 0)
                        vs_image_free(&got);
                if (r == -ENOENT) /* another worker moved or removed it meanwhile */
                        r = 0;
                bool removed;
                if (r >= 0 && i % 3 == 0 && (r = vs_store_image_untag(s, name, &removed, &err)) == -ENOENT)
                        r = 0;
                if (r >= 0 && i % 7 == 6 && (r = vs_store_image_remove(s, img->id, false, &err)) == -ENOENT)
                        r = 0;
        }
        if (r < 0)
                fprintf(stderr, "# worker %d: %s\n", me, err.msg);
        vs_store_close(s);
        return r < 0 ? 1 : 0;
}

static void test_concurrent_processes(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image pool[POOL];
        for (int i = 0; i < POOL; i++) {
                char seed[16];
                snprintf(seed, sizeof(seed), "pool%d", i);
                make_image(f->s, seed, NULL, 0, &pool[i]);
        }
        /* sqlite connections must not cross a fork: every worker opens its own. */
        vs_store_close(f->s);
        f->s = NULL;
        pid_t pids[WORKERS];
        for (int w = 0; w < WORKERS; w++) {
                pids[w] = fork();
                assert_true(pids[w] >= 0);
                if (pids[w] == 0)
                        _exit(worker(f->root, pool, w));
        }
        for (int w = 0; w < WORKERS; w++) {
                int status = 0;
                assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), 0);
        }
        assert_int_equal(vs_store_open(f->root, &f->s, &err), 0);
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        assert_int_equal(vs_db_prepare(f->s->db, "PRAGMA integrity_check", &st, &err), 0);
        assert_int_equal(vs_db_step(f->s->db, st, &err), 1);
        assert_string_equal((const char *) sqlite3_column_text(st, 0), "ok");

        /* index.json lists exactly the names the database holds, each with
         * its image's manifest, and one entry per nameless image. */
        _cleanup_stmt_ sqlite3_stmt *names = NULL;
        assert_int_equal(vs_db_prepare(f->s->db,
                                       "SELECT n.name, i.manifest_digest FROM image_names n"
                                       " JOIN images i ON i.id = n.image_id ORDER BY n.name",
                                       &names, &err),
                         0);
        json_t *index = read_json(f, "oci/index.json");
        json_t *ms = json_object_get(index, "manifests");
        size_t k = 0;
        while (vs_db_step(f->s->db, names, &err) == 1) {
                json_t *d = json_array_get(ms, k++);
                assert_non_null(d);
                const char *ref = json_string_value(
                        json_object_get(json_object_get(d, "annotations"), "org.opencontainers.image.ref.name"));
                assert_non_null(ref);
                assert_string_equal(ref, (const char *) sqlite3_column_text(names, 0));
                assert_string_equal(json_string_value(json_object_get(d, "digest")),
                                    (const char *) sqlite3_column_text(names, 1));
        }
        assert_true(k > 0);
        _cleanup_stmt_ sqlite3_stmt *nameless = NULL;
        assert_int_equal(vs_db_prepare(f->s->db,
                                       "SELECT count(*) FROM images i WHERE NOT EXISTS"
                                       " (SELECT 1 FROM image_names n WHERE n.image_id = i.id)",
                                       &nameless, &err),
                         0);
        assert_int_equal(vs_db_step(f->s->db, nameless, &err), 1);
        assert_int_equal(json_array_size(ms), k + (size_t) sqlite3_column_int(nameless, 0));
        for (; k < json_array_size(ms); k++)
                assert_null(json_object_get(json_array_get(ms, k), "annotations"));
        json_decref(index);
        for (int i = 0; i < POOL; i++)
                vs_image_free(&pool[i]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open_layout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_blob_write_read, setup, teardown),
                cmocka_unit_test_setup_teardown(test_blob_import, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ingest_resume, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ingest_mismatch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ingest_concurrent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_image_add_lookup, setup, teardown),
                cmocka_unit_test_setup_teardown(test_image_ambiguous_prefix, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tag_untag_index, setup, teardown),
                cmocka_unit_test_setup_teardown(test_untag_repo_digests_and_holds, setup, teardown),
                cmocka_unit_test_setup_teardown(test_add_needs_content, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrent_processes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_image_layers_recorded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_layer_diff_id_mismatch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_layer_replaces_unrecorded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_gc, setup, teardown),
                cmocka_unit_test_setup_teardown(test_skopeo_umoci_read_layout, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
