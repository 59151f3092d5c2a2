/* vessel images (image ls): docker's table, filters and formats. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "format.h"
#include "image/reference.h"
#include "util/cleanup.h"

#define IMAGES_TABLE "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"
#define IMAGES_TABLE_DIGESTS "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"

static const struct header_name image_headers[] = {
        {"ID", "IMAGE ID"},
        {"CreatedSince", "CREATED"},
        {"CreatedAt", "CREATED AT"},
        {"VirtualSize", "SIZE"},
        {"SharedSize", "SHARED SIZE"},
        {"UniqueSize", "UNIQUE SIZE"},
        {NULL, NULL},
};

struct image_filter {
        int dangling; /* -1 any, 0 only named, 1 only dangling */
        char **references;
        size_t n_references;
        char **labels;
        size_t n_labels;
        int64_t before, since; /* created bounds, 0: none */
};

/* A name's repository and tag in docker's familiar spelling. */
static int split_name(const char *full, char **repo, char **tag)
{
        struct vs_image_ref ref = {0};
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_image_ref_parse(full, &ref, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return -EINVAL;
        }
        free(ref.digest);
        ref.digest = NULL;
        char *tagless = ref.tag;
        ref.tag = NULL;
        *repo = vs_image_ref_familiar(&ref);
        ref.tag = tagless;
        *tag = ref.tag ? strdup(ref.tag) : strdup("<none>");
        vs_image_ref_free(&ref);
        return *repo && *tag ? 0 : -ENOMEM;
}

static bool label_matches(const struct vs_image *img, json_t *labels, const char *want)
{
        (void) img;
        const char *eq = strchr(want, '=');
        _cleanup_free_ char *key = eq ? strndup(want, (size_t) (eq - want)) : strdup(want);
        json_t *v = key ? json_object_get(labels, key) : NULL;
        if (!v)
                return false;
        return !eq || (json_is_string(v) && strcmp(json_string_value(v), eq + 1) == 0);
}

static bool reference_matches(const char *repo, const char *tag, char **patterns, size_t n)
{
        if (n == 0)
                return true;
        char both[1024];
        snprintf(both, sizeof(both), "%s:%s", repo, tag);
        for (size_t i = 0; i < n; i++)
                if (fnmatch(patterns[i], repo, 0) == 0 || fnmatch(patterns[i], both, 0) == 0)
                        return true;
        return false;
}

/* One table row. */
static json_t *image_row(const struct vs_image *img, const char *repo, const char *tag, const char *digest,
                         bool no_trunc)
{
        char id[80], since[64], at[64], size[32];
        snprintf(id, sizeof(id), "%.*s", no_trunc ? 80 : 12, no_trunc ? img->id : vs_digest_hex(img->id));
        human_duration((int64_t) time(NULL) - img->created, since, sizeof(since));
        strcat(since, " ago");
        human_time(img->created, at, sizeof(at));
        human_size(img->unpacked_size, size, sizeof(size));
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Containers", "N/A", "CreatedAt", at,
                         "CreatedSince", since, "Digest", digest ? digest : "<none>", "ID", id, "Repository", repo,
                         "SharedSize", "N/A", "Size", size, "Tag", tag, "UniqueSize", "N/A", "VirtualSize", size);
}

/* The repo digest of `repo` ("docker.io/library/busybox@sha256:..") if any. */
static const char *digest_for(const struct vs_image *img, const char *full_name)
{
        for (char **d = img->repo_digests; d && *d; d++) {
                const char *at = strchr(*d, '@');
                size_t rl = at ? (size_t) (at - *d) : 0;
                if (at && strncmp(full_name, *d, rl) == 0 && (full_name[rl] == ':' || full_name[rl] == '\0'))
                        return at + 1;
        }
        return NULL;
}

static int add_rows(json_t *rows, const struct vs_image *img, const struct image_filter *f, bool no_trunc)
{
        bool untagged = !img->names || !img->names[0];
        bool dangling = untagged && (!img->repo_digests || !img->repo_digests[0]);
        if ((f->dangling == 1 && !dangling) || (f->dangling == 0 && dangling))
                return 0;
        if ((f->before && img->created >= f->before) || (f->since && img->created <= f->since))
                return 0;
        if (dangling)
                return f->n_references > 0
                               ? 0
                               : json_array_append_new(rows, image_row(img, "<none>", "<none>", NULL, no_trunc));
        if (untagged) /* pulled by digest: a row per repository, tag <none>, as docker */
                for (char **d = img->repo_digests; *d; d++) {
                        _cleanup_free_ char *repo = NULL, *tag = NULL;
                        if (split_name(*d, &repo, &tag) < 0)
                                continue;
                        if (!reference_matches(repo, "<none>", f->references, f->n_references))
                                continue;
                        if (json_array_append_new(rows, image_row(img, repo, "<none>", strchr(*d, '@') + 1, no_trunc)) <
                            0)
                                return -ENOMEM;
                }
        if (untagged)
                return 0;
        for (char **n = img->names; *n; n++) {
                _cleanup_free_ char *repo = NULL, *tag = NULL;
                if (split_name(*n, &repo, &tag) < 0)
                        continue;
                if (!reference_matches(repo, tag, f->references, f->n_references))
                        continue;
                if (json_array_append_new(rows, image_row(img, repo, tag, digest_for(img, *n), no_trunc)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int cmp_created(const void *a, const void *b)
{
        const struct vs_image *x = a, *y = b;
        return x->created < y->created ? 1 : x->created > y->created ? -1 : strcmp(x->id, y->id);
}

/* --filter before=IMAGE / since=IMAGE: the image's creation time. */
static int image_created(struct vs_store *s, const char *text, int64_t *ret, struct vs_error *err)
{
        struct vs_image img = {0};
        int r = vs_store_image_lookup(s, text, &img, err);
        if (r < 0)
                return r;
        *ret = img.created;
        vs_image_free(&img);
        return 0;
}

static int parse_filter(struct vs_store *s, const char *text, struct image_filter *f, struct vs_error *err)
{
        const char *eq = strchr(text, '=');
        if (!eq)
                return vs_error_set(err, EINVAL, "bad format of filter (expected name=value): %s", text);
        size_t kl = (size_t) (eq - text);
        const char *v = eq + 1;
        if (kl == 8 && strncmp(text, "dangling", kl) == 0) {
                if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0 && strcmp(v, "1") != 0 && strcmp(v, "0") != 0)
                        return vs_error_set(err, EINVAL, "invalid filter 'dangling=%s'", v);
                f->dangling = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
                return 0;
        }
        if (kl == 9 && strncmp(text, "reference", kl) == 0) {
                char **n = realloc(f->references, (f->n_references + 1) * sizeof(char *));
                if (!n)
                        return vs_error_set(err, ENOMEM, "out of memory");
                f->references = n;
                f->references[f->n_references++] = (char *) v;
                return 0;
        }
        if (kl == 5 && strncmp(text, "label", kl) == 0) {
                char **n = realloc(f->labels, (f->n_labels + 1) * sizeof(char *));
                if (!n)
                        return vs_error_set(err, ENOMEM, "out of memory");
                f->labels = n;
                f->labels[f->n_labels++] = (char *) v;
                return 0;
        }
        if (kl == 6 && strncmp(text, "before", kl) == 0)
                return image_created(s, v, &f->before, err);
        if (kl == 5 && strncmp(text, "since", kl) == 0)
                return image_created(s, v, &f->since, err);
        return vs_error_set(err, EINVAL, "invalid filter '%.*s'", (int) kl, text);
}

static bool labels_match(struct vs_store *s, const struct vs_image *img, const struct image_filter *f)
{
        if (f->n_labels == 0)
                return true;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_store_blob_read(s, img->id, 8u << 20, &data, &len, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return false;
        }
        json_t *cfg = json_loadb(data, len, 0, NULL);
        json_t *labels = json_object_get(json_object_get(cfg, "config"), "Labels");
        bool ok = true;
        for (size_t i = 0; i < f->n_labels && ok; i++)
                ok = label_matches(img, labels, f->labels[i]);
        json_decref(cfg);
        return ok;
}

static int list_images(struct vs_store *s, struct image_filter *f, bool no_trunc, json_t *rows, struct vs_error *err)
{
        struct vs_image *imgs = NULL;
        size_t n = 0;
        int r = vs_store_image_list(s, &imgs, &n, err);
        if (r < 0)
                return r;
        if (n > 1)
                qsort(imgs, n, sizeof(*imgs), cmp_created);
        for (size_t i = 0; i < n && r == 0; i++)
                if (labels_match(s, &imgs[i], f))
                        r = add_rows(rows, &imgs[i], f, no_trunc);
        vs_image_list_free(imgs, n);
        return r < 0 ? vs_error_set(err, -r, "out of memory") : 0;
}

static void print_quiet(json_t *rows)
{
        size_t i;
        json_t *row;
        json_array_foreach (rows, i, row)
                printf("%s\n", json_string_value(json_object_get(row, "ID")));
}

int cmd_images(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"all", no_argument, NULL, 'a'},          {"quiet", no_argument, NULL, 'q'},
                {"digests", no_argument, NULL, 'd'},      {"filter", required_argument, NULL, 'f'},
                {"format", required_argument, NULL, 'F'}, {"no-trunc", no_argument, NULL, 'n'},
                {"help", no_argument, NULL, 'h'},         {0},
        };
        struct image_filter f = {.dangling = -1};
        _cleanup_strv_ char **filters = calloc((size_t) argc + 1, sizeof(char *));
        size_t n_filters = 0;
        bool quiet = false, digests = false, no_trunc = false;
        const char *format = NULL;
        int c;
        if (!filters)
                return 1;
        while ((c = next_option(argc, argv, "aqf:h", longopts)) != -1) {
                switch (c) {
                case 'a':
                        break; /* vessel keeps no intermediate images: -a lists the same */
                case 'q':
                        quiet = true;
                        break;
                case 'd':
                        digests = true;
                        break;
                case 'f':
                        filters[n_filters++] = strdup(optarg);
                        break;
                case 'F':
                        format = optarg;
                        break;
                case 'n':
                        no_trunc = true;
                        break;
                case 'h':
                        print_help("images [OPTIONS] [REPOSITORY[:TAG]]", "List images",
                                   "  -a, --all             Show all images\n"
                                   "      --digests         Show digests\n"
                                   "  -f, --filter filter   Filter output based on conditions provided\n"
                                   "      --format string   Pretty-print images using a Go template\n"
                                   "      --no-trunc        Don't truncate output\n"
                                   "  -q, --quiet           Only show image IDs\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 0, 1, "images [OPTIONS] [REPOSITORY[:TAG]]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (open_store(g, &s, &err) < 0)
                return fail(&err);
        int r = 0;
        for (size_t i = 0; i < n_filters && r == 0; i++)
                r = parse_filter(s, filters[i], &f, &err);
        if (r == 0 && optind < argc) {
                char **n = realloc(f.references, (f.n_references + 1) * sizeof(char *));
                if (n) {
                        f.references = n;
                        f.references[f.n_references++] = argv[optind];
                }
        }
        json_t *rows = json_array();
        if (r == 0)
                r = list_images(s, &f, no_trunc, rows, &err);
        if (r == 0 && quiet) {
                print_quiet(rows);
        } else if (r == 0) {
                r = format_rows(stdout, format, digests ? IMAGES_TABLE_DIGESTS : IMAGES_TABLE, rows, image_headers,
                                &err);
        }
        json_decref(rows);
        free(f.references);
        free(f.labels);
        vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}
