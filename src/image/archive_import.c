/* vessel: import (see archive.h): a root filesystem tarball becomes a
 * one-layer image. The tarball is kept as it is when it is plain, gzip or
 * zstd (else stored decompressed), unpacked once in the working directory
 * to learn its diff ID, and given a new config and manifest. */
#include "image/lazy_archive.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/archive_internal.h"
#include "util/cleanup.h"
#include "util/files.h"

/* Copy fd into the working directory's file `name`; returns an fd on it. */
static int spool(int fd, int workfd, const char *name, struct archive *from, struct vs_error *err)
{
        _cleanup_close_ int out = openat(workfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (out < 0)
                return vs_error_syscall(err, "cannot create a file to hold the tarball");
        _cleanup_free_ char *buf = malloc(COPY_BUF);
        if (!buf)
                return archive_oom(err);
        for (;;) {
                ssize_t n = from ? archive_read_data(from, buf, COPY_BUF) : read(fd, buf, COPY_BUF);
                if (n < 0 && !from && errno == EINTR)
                        continue;
                if (n < 0)
                        return from ? archive_fail(from, err, "cannot decompress")
                                    : vs_error_syscall(err, "cannot read");
                if (n == 0)
                        break;
                for (ssize_t done = 0; done < n;) {
                        ssize_t w = write(out, buf + done, (size_t) (n - done));
                        if (w < 0 && errno != EINTR)
                                return vs_error_syscall(err, "cannot write a copy of the tarball");
                        done += w > 0 ? w : 0;
                }
        }
        if (lseek(out, 0, SEEK_SET) < 0)
                return vs_error_syscall(err, "cannot rewind the copy of the tarball");
        return TAKE_FD(out);
}

/* The tarball as a file we can read twice, in a compression the image spec
 * knows: plain, gzip and zstd are kept; others are stored decompressed. */
static int import_layer_file(int in_fd, int workfd, struct staged_layer *l, struct vs_error *err)
{
        struct stat st;
        _cleanup_close_ int fd = -1;
        if (fstat(in_fd, &st) == 0 && S_ISREG(st.st_mode) && lseek(in_fd, 0, SEEK_CUR) == 0)
                fd = fcntl(in_fd, F_DUPFD_CLOEXEC, 3);
        else
                fd = spool(in_fd, workfd, "input", NULL, err);
        if (fd < 0)
                return fd == -1 ? vs_error_syscall(err, "cannot duplicate the input") : fd;
        _cleanup_archive_ struct archive *a = NULL;
        int filter = ARCHIVE_FILTER_NONE;
        int r = archive_raw_reader_open(fd, &a, &filter, err);
        if (r < 0)
                return r;
        if (filter == ARCHIVE_FILTER_NONE || filter == ARCHIVE_FILTER_GZIP || filter == ARCHIVE_FILTER_ZSTD) {
                l->media_type = filter == ARCHIVE_FILTER_GZIP   ? VS_MEDIA_OCI_LAYER_GZIP
                                : filter == ARCHIVE_FILTER_ZSTD ? VS_MEDIA_OCI_LAYER_ZSTD
                                                                : VS_MEDIA_OCI_LAYER;
                if (lseek(fd, 0, SEEK_SET) < 0)
                        return vs_error_syscall(err, "cannot rewind the input");
                l->fd = TAKE_FD(fd);
        } else {
                l->media_type = VS_MEDIA_OCI_LAYER;
                l->fd = spool(-1, workfd, "layer.tar", a, err);
                if (l->fd < 0)
                        return l->fd;
        }
        r = vs_digest_fd(l->fd, l->digest, err);
        struct stat ls;
        if (r == 0 && fstat(l->fd, &ls) < 0)
                r = vs_error_syscall(err, "cannot stat the layer");
        l->size = r == 0 ? ls.st_size : 0;
        return r;
}

/* "2024-05-01T12:00:00.123456789Z", as Go writes times. */
static void rfc3339_now(char buf[64])
{
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t n = strftime(buf, 64, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, 64 - n, ".%09ldZ", ts.tv_nsec);
}

static int import_config(const struct vs_import_options *opts, const struct vs_platform *p, const char *diff_id,
                         struct staged *st, struct vs_error *err)
{
        char created[64];
        rfc3339_now(created);
        _cleanup_free_ char *comment = NULL;
        if (!opts->message && asprintf(&comment, "Imported from %s", opts->source ? opts->source : "-") < 0)
                return archive_oom(err);
        json_t *config = opts->config ? json_deep_copy(opts->config) : json_object();
        _cleanup_json_ json_t *doc =
                json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:[s]}, s:[{s:s, s:s}]}", "architecture", p->architecture, "os",
                          p->os, "created", created, "config", config, "rootfs", "type", "layers", "diff_ids", diff_id,
                          "history", "created", created, "comment", opts->message ? opts->message : comment);
        if (!doc || (p->variant && json_object_set_new(doc, "variant", json_string(p->variant)) < 0))
                return archive_oom(err);
        st->config = json_dumps(doc, JSON_COMPACT);
        if (!st->config)
                return archive_oom(err);
        st->config_len = strlen(st->config);
        int r = vs_digest_buffer(st->config, st->config_len, st->id, err);
        if (r == 0)
                r = vs_image_config_parse(st->config, st->config_len, "the new config", &st->cfg, err);
        return r;
}

static int import_stage(struct vs_store *s, int in_fd, int workfd, const struct vs_import_options *opts,
                        const struct vs_platform *p, struct staged *st, struct vs_error *err)
{
        const char *source = opts->source ? opts->source : "-";
        st->layers = calloc(1, sizeof(*st->layers));
        if (!st->layers)
                return archive_oom(err);
        st->n_layers = 1;
        struct staged_layer *l = &st->layers[0];
        l->fd = -1;
        if (!(l->origin = strdup(source)) || !(l->member = strdup(source)))
                return archive_oom(err);
        int r = import_layer_file(in_fd, workfd, l, err);
        char diff_id[VS_DIGEST_MAX];
        if (r == 0)
                r = archive_layer_check(workfd, l, NULL, diff_id, err);
        if (r < 0)
                return vs_error_wrap(err, "%s", source);
        r = import_config(opts, p, diff_id, st, err);
        if (r == 0 && opts->name)
                r = archive_staged_add_name(st, opts->name, "repository", err);
        if (r == 0)
                r = archive_manifest_build(st, VS_MEDIA_OCI_CONFIG, err);
        return r;
}

int vs_archive_import(struct vs_store *s, int in_fd, const struct vs_import_options *opts, char id[VS_DIGEST_MAX],
                      struct vs_error *err)
{
        struct vs_platform host = {0};
        const struct vs_platform *p = opts->platform;
        struct workdir w = {0};
        struct staged_list l = {0};
        int r = 0;
        if (!p) {
                r = vs_platform_host(&host, err);
                p = &host;
        }
        if (r == 0)
                r = archive_workdir_make(s, "import-", &w, err);
        struct staged *st = r == 0 ? archive_staged_list_add(&l, err) : NULL;
        if (r == 0 && !st)
                r = -err->code;
        if (r == 0)
                r = import_stage(s, in_fd, w.fd, opts, p, st, err);
        if (r == 0)
                r = archive_staged_commit(s, w.fd, &l, err);
        if (r == 0)
                memcpy(id, st->id, strlen(st->id) + 1);
        archive_staged_list_free(&l);
        archive_workdir_remove(&w);
        vs_platform_free(&host);
        return r;
}
