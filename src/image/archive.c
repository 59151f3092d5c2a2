/* vessel: what save, load and import share (see archive.h): a private
 * working directory in the store, the helpers that write tar members, the
 * reader that copies an archive's members to files of that directory, and
 * the image staged to be stored, checked whole before anything is written
 * to the store. The formats are in archive_save.c, archive_load.c and
 * archive_import.c; what the files share is in archive_internal.h. */
#include "image/lazy_archive.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/archive_internal.h"
#include "image/reference.h"
#include "image/unpack.h"
#include "util/cleanup.h"
#include "util/files.h"

/* More members than any image needs; a bound on what an archive makes us hold. */
#define MAX_MEMBERS 65536
#define MAX_LINK_DEPTH 16
#define STORE_TMP_DIR "tmp"

/* libarchive's message for a failed call on `a`, with its errno. */
int archive_fail(struct archive *a, struct vs_error *err, const char *what)
{
        int e = archive_errno(a);
        const char *msg = archive_error_string(a);
        if (e <= 0)
                e = EIO;
        return vs_error_set(err, e, "%s: %s", what, msg ? msg : strerror(e));
}

int archive_strv_push(char ***v, size_t *n, char *s)
{
        char **nv = realloc(*v, (*n + 2) * sizeof(char *));
        if (!nv)
                return -ENOMEM;
        nv[(*n)++] = s;
        nv[*n] = NULL;
        *v = nv;
        return 0;
}

bool archive_strv_contains(char *const *v, const char *s)
{
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

/* ------------------------------------------------------------------------
 * A private working directory, <root>/tmp/<prefix>XXXXXX: the store's
 * filesystem (layers unpacked there are checked where they will live), never
 * seen by other users (0700), removed whatever happens.
 * ------------------------------------------------------------------------ */

int archive_workdir_make(struct vs_store *s, const char *prefix, struct workdir *w, struct vs_error *err)
{
        w->fd = w->tmpfd = -1;
        if (mkdirat(s->rootfd, STORE_TMP_DIR, 0700) < 0 && errno != EEXIST)
                return vs_error_syscall(err, "cannot create %s/%s", s->root, STORE_TMP_DIR);
        w->tmpfd = openat(s->rootfd, STORE_TMP_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (w->tmpfd < 0)
                return vs_error_syscall(err, "cannot open %s/%s", s->root, STORE_TMP_DIR);
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s/%sXXXXXX", s->root, STORE_TMP_DIR, prefix) >= (int) sizeof(path))
                return vs_error_set(err, ENAMETOOLONG, "store root %s: path too long", s->root);
        if (!mkdtemp(path))
                return vs_error_syscall(err, "cannot create a directory in %s/%s", s->root, STORE_TMP_DIR);
        snprintf(w->name, sizeof(w->name), "%s", strrchr(path, '/') + 1);
        w->fd = openat(w->tmpfd, w->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (w->fd < 0)
                return vs_error_syscall(err, "cannot open %s", path);
        return 0;
}

void archive_workdir_remove(struct workdir *w)
{
        w->fd = vs_safe_close(w->fd);
        if (w->tmpfd >= 0 && w->name[0]) {
                struct vs_error ignored = VS_ERROR_INIT;
                if (vs_remove_tree_at(w->tmpfd, w->name, &ignored) < 0)
                        vs_error_ignore(&ignored);
        }
        w->tmpfd = vs_safe_close(w->tmpfd);
        w->name[0] = '\0';
}

/* ------------------------------------------------------------------------
 * Writing a tar (save): pax where needed, ustar otherwise, streamed.
 * ------------------------------------------------------------------------ */

int archive_tar_header(struct archive *a, const char *name, mode_t type, int64_t size, struct vs_error *err)
{
        struct archive_entry *e = archive_entry_new();
        if (!e)
                return archive_oom(err);
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
        archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
        archive_entry_set_mtime(e, 0, 0); /* the same image makes the same archive */
        int r = archive_write_header(a, e);
        archive_entry_free(e);
        if (r < ARCHIVE_OK)
                return archive_fail(a, err, name);
        return 0;
}

static int tar_write_data(struct archive *a, const char *name, const void *data, size_t len, struct vs_error *err)
{
        if (len > 0 && archive_write_data(a, data, len) != (la_ssize_t) len)
                return archive_fail(a, err, name);
        return 0;
}

int archive_tar_write_buffer(struct archive *a, const char *name, const void *data, size_t len, struct vs_error *err)
{
        int r = archive_tar_header(a, name, AE_IFREG, (int64_t) len, err);
        return r < 0 ? r : tar_write_data(a, name, data, len, err);
}

int archive_tar_write_json(struct archive *a, const char *name, const json_t *doc, struct vs_error *err)
{
        _cleanup_free_ char *text = json_dumps(doc, JSON_COMPACT);
        if (!text)
                return archive_oom(err);
        return archive_tar_write_buffer(a, name, text, strlen(text), err);
}

/* Exactly `size` bytes of fd as the member `name`. */
int archive_tar_write_fd(struct archive *a, const char *name, int fd, int64_t size, struct vs_error *err)
{
        int r = archive_tar_header(a, name, AE_IFREG, size, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *buf = malloc(COPY_BUF);
        if (!buf)
                return archive_oom(err);
        for (int64_t left = size; left > 0;) {
                ssize_t n = read(fd, buf, left < COPY_BUF ? (size_t) left : COPY_BUF);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return vs_error_syscall(err, "%s: cannot read", name);
                if (n == 0)
                        return vs_error_set(err, EIO, "%s: the blob shrank while it was saved", name);
                r = tar_write_data(a, name, buf, (size_t) n, err);
                if (r < 0)
                        return r;
                left -= n;
        }
        return 0;
}

/* A reader giving the decompressed bytes of fd (any compression libarchive
 * knows, or none); *filter tells which one it found. */
int archive_raw_reader_open(int fd, struct archive **ret, int *filter, struct vs_error *err)
{
        _cleanup_archive_ struct archive *a = archive_read_new();
        if (!a)
                return archive_oom(err);
        struct archive_entry *e;
        if (archive_read_support_filter_all(a) < ARCHIVE_WARN || archive_read_support_format_raw(a) < ARCHIVE_OK ||
            archive_read_open_fd(a, fd, COPY_BUF) < ARCHIVE_OK || archive_read_next_header(a, &e) < ARCHIVE_WARN)
                return archive_fail(a, err, "cannot decompress");
        if (filter)
                *filter = archive_filter_code(a, 0);
        *ret = TAKE_PTR(a);
        return 0;
}

/* Pass one over a compressed layer: the size of the tar inside (for the
 * member's header) and its digest, which must be the diff ID. */
int archive_layer_measure(int fd, const char *diff_id, const char *origin, int64_t *size, struct vs_error *err)
{
        _cleanup_archive_ struct archive *a = NULL;
        int r = archive_raw_reader_open(fd, &a, NULL, err);
        if (r < 0)
                return vs_error_wrap(err, "layer %s", origin);
        _cleanup_free_ char *buf = malloc(COPY_BUF);
        if (!buf)
                return archive_oom(err);
        struct vs_sha256 h = {0};
        r = vs_sha256_init(&h, err);
        if (r < 0)
                return r;
        int64_t total = 0;
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, COPY_BUF)) > 0) {
                vs_sha256_update(&h, buf, (size_t) n);
                total += n;
        }
        if (n < 0) {
                vs_sha256_free(&h);
                r = archive_fail(a, err, "cannot decompress");
                return vs_error_wrap(err, "layer %s", origin);
        }
        char got[VS_DIGEST_MAX];
        vs_sha256_final(&h, got);
        if (strcmp(got, diff_id) != 0)
                return vs_error_set(err, EBADMSG, "layer %s: diff ID mismatch: the image says %s, the layer is %s",
                                    origin, diff_id, got);
        *size = total;
        return 0;
}

/* Pass two: the decompressed tar as the member `name`. */
int archive_tar_write_decompressed(struct archive *out, const char *name, int fd, int64_t size, struct vs_error *err)
{
        _cleanup_archive_ struct archive *a = NULL;
        int r = archive_raw_reader_open(fd, &a, NULL, err);
        if (r < 0)
                return vs_error_wrap(err, "%s", name);
        r = archive_tar_header(out, name, AE_IFREG, size, err);
        _cleanup_free_ char *buf = malloc(COPY_BUF);
        if (r < 0 || !buf)
                return r < 0 ? r : archive_oom(err);
        int64_t total = 0;
        la_ssize_t n = 0;
        while (r == 0 && (n = archive_read_data(a, buf, COPY_BUF)) > 0) {
                total += n;
                if (total > size)
                        return vs_error_set(err, EIO, "%s: the layer changed while it was saved", name);
                r = tar_write_data(out, name, buf, (size_t) n, err);
        }
        if (r < 0)
                return r;
        if (n < 0)
                return archive_fail(a, err, name);
        if (total != size)
                return vs_error_set(err, EIO, "%s: the layer changed while it was saved", name);
        return 0;
}

/* ------------------------------------------------------------------------
 * Reading an archive (load): every regular member is copied to a file of
 * the working directory ("f<n>") and hashed on the way; links are kept as
 * names to resolve. Nothing is extracted under a name from the archive, so
 * no member path can reach outside the working directory.
 * ------------------------------------------------------------------------ */

void archive_members_free(struct members *m)
{
        for (size_t i = 0; i < m->n; i++) {
                free(m->v[i].name);
                free(m->v[i].link);
        }
        free(m->v);
        m->v = NULL;
        m->n = 0;
}

/* `path` (relative to the directory `base` when it does not start with
 * '/') as a normalised name; NULL when it climbs above the top (or ENOMEM). */
static char *path_normalise(const char *base, const char *path)
{
        _cleanup_free_ char *joined = NULL;
        if (asprintf(&joined, "%s/%s", path[0] == '/' || !base ? "" : base, path) < 0)
                return NULL;
        char *out = malloc(strlen(joined) + 1);
        if (!out)
                return NULL;
        size_t len = 0;
        char *save = NULL;
        for (char *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        if (len == 0) {
                                free(out);
                                return NULL;
                        }
                        while (len > 0 && out[len - 1] != '/')
                                len--;
                        len = len > 0 ? len - 1 : 0;
                        continue;
                }
                len += (size_t) sprintf(out + len, "%s%s", len ? "/" : "", c);
        }
        out[len] = '\0';
        return out;
}

static struct member *member_add(struct members *m, struct vs_error *err)
{
        if (m->n >= MAX_MEMBERS) {
                vs_error_set(err, EFBIG, "more than %d members: not an image archive", MAX_MEMBERS);
                return NULL;
        }
        struct member *nv = realloc(m->v, (m->n + 1) * sizeof(*nv));
        if (!nv) {
                archive_oom(err);
                return NULL;
        }
        m->v = nv;
        nv[m->n] = (struct member){.file = -1};
        return &nv[m->n++];
}

/* Copy the current entry's data to f<index>, hashing it. */
static int member_copy(struct archive *a, struct members *m, struct member *mb, int index, struct vs_error *err)
{
        char fname[32];
        snprintf(fname, sizeof(fname), "f%d", index);
        _cleanup_close_ int fd = openat(m->dirfd, fname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return vs_error_syscall(err, "%s: cannot create a file to hold it", mb->name);
        _cleanup_free_ char *buf = malloc(COPY_BUF);
        if (!buf)
                return archive_oom(err);
        struct vs_sha256 h = {0};
        int r = vs_sha256_init(&h, err);
        if (r < 0)
                return r;
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, COPY_BUF)) > 0) {
                vs_sha256_update(&h, buf, (size_t) n);
                for (la_ssize_t done = 0; done < n;) {
                        ssize_t w = write(fd, buf + done, (size_t) (n - done));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0) {
                                vs_sha256_free(&h);
                                return vs_error_syscall(err, "%s: cannot write a copy", mb->name);
                        }
                        done += w;
                }
                mb->size += n;
        }
        if (n < 0) {
                vs_sha256_free(&h);
                return archive_fail(a, err, mb->name);
        }
        vs_sha256_final(&h, mb->digest);
        mb->file = index;
        return 0;
}

static int member_read_entry(struct archive *a, struct archive_entry *e, struct members *m, int *files,
                             struct vs_error *err)
{
        const char *path = archive_entry_pathname(e);
        _cleanup_free_ char *name = path ? path_normalise(NULL, path) : NULL;
        if (!name)
                return vs_error_set(err, EINVAL, "member %s: the path leaves the archive", path ? path : "(none)");
        const char *hardlink = archive_entry_hardlink(e);
        mode_t type = archive_entry_filetype(e);
        _cleanup_free_ char *link = NULL;
        if (hardlink)
                link = path_normalise(NULL, hardlink);
        else if (type == AE_IFLNK && archive_entry_symlink(e)) {
                _cleanup_free_ char *dir = strdup(name);
                if (!dir)
                        return archive_oom(err);
                char *slash = strrchr(dir, '/');
                *(slash ? slash : dir) = '\0';
                link = path_normalise(dir, archive_entry_symlink(e));
        }
        if ((!hardlink && type != AE_IFLNK && type != AE_IFREG) || !name[0] || (!link && type != AE_IFREG))
                return 0; /* directories, devices, links out of the archive: nothing an image needs */
        struct member *mb = member_add(m, err);
        if (!mb)
                return -err->code;
        mb->name = TAKE_PTR(name);
        mb->link = TAKE_PTR(link);
        if (mb->link)
                return 0;
        return member_copy(a, m, mb, (*files)++, err);
}

/* Read the whole archive from fd (compressed or not) into m. */
int archive_members_read(int fd, struct members *m, struct vs_error *err)
{
        _cleanup_archive_ struct archive *a = archive_read_new();
        if (!a)
                return archive_oom(err);
        if (archive_read_support_filter_all(a) < ARCHIVE_WARN || archive_read_support_format_tar(a) < ARCHIVE_OK ||
            archive_read_open_fd(a, fd, COPY_BUF) < ARCHIVE_OK)
                return archive_fail(a, err, "not a tar archive");
        int files = 0;
        for (;;) {
                struct archive_entry *e;
                int r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN)
                        return archive_fail(a, err, m->n || files ? "cannot read the archive" : "not a tar archive");
                r = member_read_entry(a, e, m, &files, err);
                if (r < 0)
                        return r;
        }
}

/* The member called name, links followed; NULL if there is none. */
const struct member *archive_member_find(const struct members *m, const char *name)
{
        for (int depth = 0; depth < MAX_LINK_DEPTH; depth++) {
                const struct member *found = NULL;
                for (size_t i = m->n; i-- > 0 && !found;) /* the last of a name wins, as tar extracts */
                        if (strcmp(m->v[i].name, name) == 0)
                                found = &m->v[i];
                if (!found || !found->link)
                        return found;
                name = found->link;
        }
        return NULL;
}

int archive_member_lookup(const struct members *m, const char *path, const struct member **ret, struct vs_error *err)
{
        _cleanup_free_ char *name = path_normalise(NULL, path);
        const struct member *mb = name ? archive_member_find(m, name) : NULL;
        if (!mb)
                return vs_error_set(err, ENOENT, "%s: no such file in the archive", path);
        *ret = mb;
        return 0;
}

int archive_member_open(const struct members *m, const struct member *mb, struct vs_error *err)
{
        char fname[32];
        snprintf(fname, sizeof(fname), "f%d", mb->file);
        int fd = openat(m->dirfd, fname, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return vs_error_syscall(err, "%s: cannot open the copy", mb->name);
        return fd;
}

int archive_member_read(const struct members *m, const struct member *mb, size_t max, char **data, size_t *len,
                        struct vs_error *err)
{
        if (mb->size > (int64_t) max)
                return vs_error_set(err, EFBIG, "%s: larger than %zu bytes", mb->name, max);
        char fname[32];
        snprintf(fname, sizeof(fname), "f%d", mb->file);
        int r = vs_read_file_at(m->dirfd, fname, max, data, len, err);
        return r < 0 ? vs_error_wrap(err, "%s", mb->name) : 0;
}

/* ------------------------------------------------------------------------
 * An image ready to be stored (load and import): its documents in memory,
 * its layers as open files. Committing checks every layer the store lacks
 * by unpacking it once in the working directory, and only then writes.
 * ------------------------------------------------------------------------ */

static void staged_free(struct staged *st)
{
        free(st->config);
        free(st->manifest);
        free(st->index);
        vs_image_config_free(&st->cfg);
        for (size_t i = 0; i < st->n_layers; i++) {
                vs_safe_close(st->layers[i].fd);
                free(st->layers[i].origin);
                free(st->layers[i].member);
        }
        free(st->layers);
        vs_strv_free(st->names);
        memset(st, 0, sizeof(*st));
}

void archive_staged_list_free(struct staged_list *l)
{
        for (size_t i = 0; i < l->n; i++)
                staged_free(&l->v[i]);
        free(l->v);
}

struct staged *archive_staged_list_add(struct staged_list *l, struct vs_error *err)
{
        struct staged *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
        if (!nv) {
                archive_oom(err);
                return NULL;
        }
        l->v = nv;
        memset(&nv[l->n], 0, sizeof(*nv));
        return &nv[l->n++];
}

int archive_staged_add_name(struct staged *st, const char *text, const char *origin, struct vs_error *err)
{
        struct vs_image_ref ref = {0};
        int r = vs_image_ref_parse(text, &ref, err);
        if (r < 0)
                return vs_error_wrap(err, "%s", origin);
        if (ref.digest) {
                vs_image_ref_free(&ref);
                return vs_error_set(err, EINVAL, "%s: %s: a name with a digest cannot name an image", origin, text);
        }
        char *full = vs_image_ref_full(&ref);
        vs_image_ref_free(&ref);
        if (!full ||
            (!archive_strv_contains(st->names, full) && archive_strv_push(&st->names, &st->n_names, full) < 0)) {
                free(full);
                return archive_oom(err);
        }
        return 0;
}

/* Unpack the layer into the working directory: what the store would do,
 * where a refusal costs nothing. `diff_id` is what the config says (NULL:
 * not known yet); the one found is returned in got. */
int archive_layer_check(int workfd, struct staged_layer *l, const char *diff_id, char got[VS_DIGEST_MAX],
                        struct vs_error *err)
{
        static const char dir[] = "check";
        if (mkdirat(workfd, dir, 0700) < 0)
                return vs_error_syscall(err, "cannot create a directory to check layer %s", l->member);
        _cleanup_close_ int dirfd = openat(workfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct vs_unpack_options opts = {
                .origin = l->member, .ignore_owner = geteuid() != 0, /* as the store unpacks it */
        };
        int r = dirfd < 0 ? vs_error_syscall(err, "cannot open a directory to check layer %s", l->member) : 0;
        if (r == 0 && lseek(l->fd, 0, SEEK_SET) < 0)
                r = vs_error_syscall(err, "cannot rewind %s", l->member);
        if (r == 0)
                r = vs_layer_unpack(l->fd, dirfd, &opts, got, err);
        if (r == 0 && diff_id && strcmp(got, diff_id) != 0)
                r = vs_error_set(err, EBADMSG, "%s: diff ID mismatch: the config says %s, the layer is %s", l->member,
                                 diff_id, got);
        struct vs_error rm = VS_ERROR_INIT;
        if (vs_remove_tree_at(workfd, dir, &rm) < 0 && r == 0)
                r = vs_error_set(err, rm.code, "%s", rm.msg);
        vs_error_ignore(&rm);
        if (r == 0)
                l->checked = true;
        return r;
}

/* Whether the store has the layer unpacked already and the blob is known to
 * be it: an uncompressed tar is its own diff ID; a blob the store holds was
 * checked when it came. Such a layer needs no second look. */
static bool layer_known(struct vs_store *s, const char *chain_id, const char *diff_id, const struct staged_layer *l)
{
        _cleanup_free_ char *path = vs_store_layer_path(s, chain_id);
        struct stat st;
        if (!path || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                return false;
        bool blob = strcmp(l->digest, diff_id) == 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (!blob && vs_store_blob_exists(s, l->digest, &blob, &ignored) < 0)
                vs_error_ignore(&ignored);
        return blob;
}

static int staged_check(struct vs_store *s, int workfd, struct staged *st, char (*chain)[VS_DIGEST_MAX],
                        struct vs_error *err)
{
        int r = vs_chain_ids(st->cfg.diff_ids, st->cfg.n_diff_ids, chain, err);
        for (size_t i = 0; i < st->n_layers && r == 0; i++) {
                struct staged_layer *l = &st->layers[i];
                char got[VS_DIGEST_MAX];
                if (!l->checked && !layer_known(s, chain[i], st->cfg.diff_ids[i], l))
                        r = archive_layer_check(workfd, l, st->cfg.diff_ids[i], got, err);
                if (r < 0)
                        return vs_error_wrap(err, "%s", l->origin);
        }
        return r;
}

/* A layer checked for another image of the same archive needs no new look. */
static void staged_mark_checked(const struct staged_list *l, size_t upto, struct staged *st)
{
        for (size_t i = 0; i < upto; i++)
                for (size_t j = 0; j < l->v[i].n_layers; j++)
                        for (size_t k = 0; k < st->n_layers; k++)
                                if (l->v[i].layers[j].checked &&
                                    strcmp(l->v[i].layers[j].digest, st->layers[k].digest) == 0)
                                        st->layers[k].checked = true;
}

static int staged_store_layers(struct vs_store *s, struct staged *st, char (*chain)[VS_DIGEST_MAX],
                               struct vs_error *err)
{
        for (size_t i = 0; i < st->n_layers; i++) {
                struct staged_layer *l = &st->layers[i];
                bool have = false;
                int r = vs_store_blob_exists(s, l->digest, &have, err);
                char got[VS_DIGEST_MAX];
                if (r == 0 && !have && lseek(l->fd, 0, SEEK_SET) < 0)
                        r = vs_error_syscall(err, "cannot rewind %s", l->member);
                if (r == 0 && !have && (r = vs_store_blob_import(s, l->fd, got, NULL, err)) == 0 &&
                    strcmp(got, l->digest) != 0)
                        r = vs_error_set(err, EIO, "%s changed while it was stored", l->member);
                if (r == 0)
                        r = vs_store_layer_ensure(s, chain[i], i ? chain[i - 1] : NULL, l->digest, st->cfg.diff_ids[i],
                                                  err);
                if (r < 0)
                        return vs_error_wrap(err, "%s", l->origin);
        }
        return 0;
}

static int staged_store_documents(struct vs_store *s, const struct staged *st, char manifest[VS_DIGEST_MAX],
                                  char index[VS_DIGEST_MAX], struct vs_error *err)
{
        char got[VS_DIGEST_MAX];
        int r = vs_store_blob_write(s, st->config, st->config_len, got, err);
        if (r == 0 && strcmp(got, st->id) != 0)
                r = vs_error_set(err, EIO, "config %s changed while it was stored", st->id);
        if (r == 0)
                r = vs_store_blob_write(s, st->manifest, st->manifest_len, manifest, err);
        if (r == 0 && st->index)
                r = vs_store_blob_write(s, st->index, st->index_len, index, err);
        return r;
}

/* RFC 3339 "created" of the config as unix seconds (0 when absent or odd). */
static int64_t config_created(const struct vs_image_config *cfg)
{
        struct tm tm = {0};
        const char *end = cfg->created ? strptime(cfg->created, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
        return end ? (int64_t) timegm(&tm) : 0;
}

static int staged_describe(const struct staged *st, const char *manifest, const char *index,
                           char (*chain)[VS_DIGEST_MAX], struct vs_image *img, struct vs_error *err)
{
        img->id = strdup(st->id);
        img->manifest_digest = strdup(manifest);
        img->manifest_media_type = strdup(st->manifest_media_type);
        img->index_digest = st->index ? strdup(index) : NULL;
        img->layers = calloc(st->n_layers ? st->n_layers : 1, sizeof(*img->layers));
        img->created = config_created(&st->cfg);
        if (!img->id || !img->manifest_digest || !img->manifest_media_type || (st->index && !img->index_digest) ||
            !img->layers)
                return archive_oom(err);
        img->n_layers = st->n_layers;
        for (size_t i = 0; i < st->n_layers; i++) {
                struct vs_image_layer *l = &img->layers[i];
                l->blob_digest = strdup(st->layers[i].digest);
                l->media_type = strdup(st->layers[i].media_type);
                l->blob_size = st->layers[i].size;
                l->diff_id = strdup(st->cfg.diff_ids[i]);
                l->chain_id = strdup(chain[i]);
                if (!l->blob_digest || !l->media_type || !l->diff_id || !l->chain_id)
                        return archive_oom(err);
                img->size += l->blob_size;
        }
        return 0;
}

static int staged_store(struct vs_store *s, struct staged *st, char (*chain)[VS_DIGEST_MAX], struct vs_error *err)
{
        char manifest[VS_DIGEST_MAX], index[VS_DIGEST_MAX] = "";
        struct vs_image img = {0};
        int r = staged_store_layers(s, st, chain, err);
        if (r == 0)
                r = staged_store_documents(s, st, manifest, index, err);
        if (r == 0)
                r = staged_describe(st, manifest, index, chain, &img, err);
        if (r == 0)
                r = vs_store_image_add(s, &img, st->n_names ? st->names[0] : NULL, NULL, err);
        for (size_t i = 1; i < st->n_names && r == 0; i++)
                r = vs_store_image_tag(s, st->id, st->names[i], err);
        vs_image_free(&img);
        return r;
}

typedef char digest_t[VS_DIGEST_MAX];

/* Check everything, then store everything. */
int archive_staged_commit(struct vs_store *s, int workfd, struct staged_list *l, struct vs_error *err)
{
        digest_t **chains = calloc(l->n ? l->n : 1, sizeof(*chains));
        int r = chains ? 0 : archive_oom(err);
        for (size_t i = 0; i < l->n && r == 0; i++) {
                if (!(chains[i] = calloc(l->v[i].n_layers ? l->v[i].n_layers : 1, sizeof(digest_t))))
                        r = archive_oom(err);
                staged_mark_checked(l, i, &l->v[i]);
                if (r == 0)
                        r = staged_check(s, workfd, &l->v[i], chains[i], err);
        }
        /* Held until the images are registered: garbage collection must not
         * take the blobs and layers in between. */
        if (r == 0 && (r = vs_store_lock_shared(s, err)) == 0) {
                for (size_t i = 0; i < l->n && r == 0; i++)
                        r = staged_store(s, &l->v[i], chains[i], err);
                vs_store_unlock(s);
        }
        for (size_t i = 0; chains && i < l->n; i++)
                free(chains[i]);
        free(chains);
        return r;
}

/* A manifest as vessel stores it: OCI, the layers as they came. */
int archive_manifest_build(struct staged *st, const char *config_media_type, struct vs_error *err)
{
        _cleanup_json_ json_t *layers = json_array();
        if (!layers)
                return archive_oom(err);
        for (size_t i = 0; i < st->n_layers; i++)
                if (json_array_append_new(layers,
                                          json_pack("{s:s, s:s, s:I}", "mediaType", st->layers[i].media_type, "digest",
                                                    st->layers[i].digest, "size", (json_int_t) st->layers[i].size)) < 0)
                        return archive_oom(err);
        _cleanup_json_ json_t *m = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2, "mediaType",
                                             VS_MEDIA_OCI_MANIFEST, "config", "mediaType", config_media_type, "digest",
                                             st->id, "size", (json_int_t) st->config_len, "layers", layers);
        st->manifest = m ? json_dumps(m, JSON_COMPACT) : NULL;
        if (!st->manifest)
                return archive_oom(err);
        st->manifest_len = strlen(st->manifest);
        snprintf(st->manifest_media_type, sizeof(st->manifest_media_type), "%s", VS_MEDIA_OCI_MANIFEST);
        return 0;
}
