/* vessel: what archive.c (shared parts), archive_save.c, archive_load.c
 * and archive_import.c share: the private working directory, the tar
 * writing helpers, the members of an archive read into that directory, and
 * the images staged to be stored. Private to src/image/archive*.c. */
#ifndef VESSEL_IMAGE_ARCHIVE_INTERNAL_H
#define VESSEL_IMAGE_ARCHIVE_INTERNAL_H

#include "image/lazy_archive.h"
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/archive.h"
#include "image/manifest.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/digest.h"
#include "util/error.h"

#define COPY_BUF 65536
#define ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"
#define ANNOTATION_CONTAINERD_NAME "io.containerd.image.name"

#define _cleanup_json_ _cleanup_(json_decrefp) /* jansson's own, NULL-safe */

static inline void archive_freep(struct archive **a)
{
        if (*a)
                archive_free(*a); /* a reader or a writer */
}
#define _cleanup_archive_ _cleanup_(archive_freep)

static inline int archive_oom(struct vs_error *err)
{
        return vs_error_set(err, ENOMEM, "out of memory");
}

/* libarchive's message for a failed call on `a`, with its errno. */
int archive_fail(struct archive *a, struct vs_error *err, const char *what);

/* Append s (taken) to the NULL-terminated *v of *n strings; -ENOMEM. */
int archive_strv_push(char ***v, size_t *n, char *s);
bool archive_strv_contains(char *const *v, const char *s);

/* A private working directory, <root>/tmp/<prefix>XXXXXX: the store's
 * filesystem (layers unpacked there are checked where they will live), never
 * seen by other users (0700), removed whatever happens. */
struct workdir {
        int fd;    /* the directory */
        int tmpfd; /* <root>/tmp */
        char name[32];
};
int archive_workdir_make(struct vs_store *s, const char *prefix, struct workdir *w, struct vs_error *err);
void archive_workdir_remove(struct workdir *w);

/* Writing a tar (save): pax where needed, ustar otherwise, streamed. Every
 * member has mtime 0, so the same image makes the same archive. */
int archive_tar_header(struct archive *a, const char *name, mode_t type, int64_t size, struct vs_error *err);
int archive_tar_write_buffer(struct archive *a, const char *name, const void *data, size_t len, struct vs_error *err);
int archive_tar_write_json(struct archive *a, const char *name, const json_t *doc, struct vs_error *err);
/* Exactly `size` bytes of fd as the member `name`. */
int archive_tar_write_fd(struct archive *a, const char *name, int fd, int64_t size, struct vs_error *err);
/* A reader giving the decompressed bytes of fd (any compression libarchive
 * knows, or none); *filter (when not NULL) tells which one it found. */
int archive_raw_reader_open(int fd, struct archive **ret, int *filter, struct vs_error *err);
/* A compressed layer written as an uncompressed tar member: first measured
 * (its size, and its digest checked against diff_id), then written. */
int archive_layer_measure(int fd, const char *diff_id, const char *origin, int64_t *size, struct vs_error *err);
int archive_tar_write_decompressed(struct archive *out, const char *name, int fd, int64_t size, struct vs_error *err);

/* Reading an archive (load): every regular member is copied to a file of
 * the working directory ("f<n>") and hashed on the way; links are kept as
 * names to resolve. */
struct member {
        char *name; /* normalised: "a/b", no "." or ".." */
        char *link; /* the normalised target of a symlink or hardlink, or NULL */
        int file;   /* f<file> in the working directory; -1 for a link */
        int64_t size;
        char digest[VS_DIGEST_MAX];
};

struct members {
        struct member *v;
        size_t n;
        int dirfd;
};

/* Read the whole archive from fd (compressed or not) into m; m->dirfd is
 * the working directory. */
int archive_members_read(int fd, struct members *m, struct vs_error *err);
void archive_members_free(struct members *m);
/* The member called name, links followed; NULL if there is none. */
const struct member *archive_member_find(const struct members *m, const char *name);
/* The same for a path as a document gives it; ENOENT names the path. */
int archive_member_lookup(const struct members *m, const char *path, const struct member **ret, struct vs_error *err);
/* An fd on the member's copy, or a negative errno. */
int archive_member_open(const struct members *m, const struct member *mb, struct vs_error *err);
/* The member's bytes (at most max) in *data, NUL-terminated. */
int archive_member_read(const struct members *m, const struct member *mb, size_t max, char **data, size_t *len,
                        struct vs_error *err);

/* An image ready to be stored (load and import): its documents in memory,
 * its layers as open files. */
struct staged_layer {
        int fd;       /* the blob's bytes */
        char *origin; /* names the layer in errors: "manifest.json: [0].Layers[1]" */
        char *member; /* the archive member (or source file) it came from */
        char digest[VS_DIGEST_MAX];
        const char *media_type; /* static */
        int64_t size;
        bool checked; /* already unpacked once (import) */
};

struct staged {
        char id[VS_DIGEST_MAX]; /* the config's digest */
        char *config, *manifest, *index;
        size_t config_len, manifest_len, index_len;
        char manifest_media_type[128];
        struct vs_image_config cfg;
        struct staged_layer *layers;
        size_t n_layers;
        char **names; /* full references */
        size_t n_names;
};

struct staged_list {
        struct staged *v;
        size_t n;
};

void archive_staged_list_free(struct staged_list *l);
/* A new zeroed entry at the end of l; NULL (err set) on failure. */
struct staged *archive_staged_list_add(struct staged_list *l, struct vs_error *err);
/* Add the full reference `text` names to st's names; origin names it in errors. */
int archive_staged_add_name(struct staged *st, const char *text, const char *origin, struct vs_error *err);
/* Unpack the layer into the working directory: what the store would do,
 * where a refusal costs nothing. `diff_id` is what the config says (NULL:
 * not known yet); the one found is returned in got. */
int archive_layer_check(int workfd, struct staged_layer *l, const char *diff_id, char got[VS_DIGEST_MAX],
                        struct vs_error *err);
/* A manifest as vessel stores it: OCI, the layers as they came. */
int archive_manifest_build(struct staged *st, const char *config_media_type, struct vs_error *err);
/* Check every image of l (unpacking each layer the store lacks once in the
 * working directory), then store them all. */
int archive_staged_commit(struct vs_store *s, int workfd, struct staged_list *l, struct vs_error *err);

#endif
