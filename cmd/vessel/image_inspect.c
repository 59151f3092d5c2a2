/* vessel inspect / image inspect, history, and the `image` command group. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "format.h"
#include "image/reference.h"
#include "util/cleanup.h"

#define CONFIG_MAX (8u << 20)

static json_t *familiar_list(char **full_names)
{
        json_t *a = json_array();
        for (char **n = full_names; n && *n; n++) {
                _cleanup_free_ char *familiar = vs_image_ref_familiar_text(*n);
                json_array_append_new(a, json_string(familiar ? familiar : *n));
        }
        return a;
}

static json_t *graph_driver(struct vs_store *s, const struct vs_image *img)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        for (size_t i = img->n_layers; f && i-- > 0;) {
                _cleanup_free_ char *path = vs_store_layer_path(s, img->layers[i].chain_id);
                fprintf(f, "%s%s", i + 1 == img->n_layers ? "" : ":", path ? path : "");
        }
        if (f)
                fclose(f);
        json_t *g = json_pack("{s:{s:s},s:s}", "Data", "LowerDir", buf ? buf : "", "Name", "overlay");
        free(buf);
        return g;
}

/* Docker's image inspect object for one image. New reference. */
static json_t *image_object(struct vs_store *s, const struct vs_image *img, struct vs_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (vs_store_blob_read(s, img->id, CONFIG_MAX, &data, &len, err) < 0)
                return NULL;
        json_t *cfg = json_loadb(data, len, 0, NULL);
        if (!cfg) {
                vs_error_set(err, EINVAL, "image %s: config is not JSON", img->id);
                return NULL;
        }
        json_t *layers = json_array();
        for (size_t i = 0; i < img->n_layers; i++)
                json_array_append_new(layers, json_string(img->layers[i].diff_id));
        json_t *config = json_object_get(cfg, "config");
        const char *created = json_string_value(json_object_get(cfg, "created"));
        json_t *o = json_pack(
                "{s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:O,s:s,s:s,s:I,s:o,s:{s:s,s:o},s:{s:s}}", "Id", img->id, "RepoTags",
                familiar_list(img->names), "RepoDigests", familiar_list(img->repo_digests), "Parent", "", "Comment",
                json_string_value(json_object_get(cfg, "comment")) ?: "", "Created",
                created ? created : "0001-01-01T00:00:00Z", "DockerVersion", "", "Author",
                json_string_value(json_object_get(cfg, "author")) ? json_string_value(json_object_get(cfg, "author"))
                                                                  : "",
                "Config", config ? config : json_null(), "Architecture",
                json_string_value(json_object_get(cfg, "architecture")) ?: "", "Os",
                json_string_value(json_object_get(cfg, "os")) ?: "", "Size", (json_int_t) img->unpacked_size,
                "GraphDriver", graph_driver(s, img), "RootFS", "Type", "layers", "Layers", layers, "Metadata",
                "LastTagTime", "0001-01-01T00:00:00Z");
        json_t *variant = json_object_get(cfg, "variant");
        if (o && variant)
                json_object_set(o, "Variant", variant);
        json_decref(cfg);
        if (!o)
                vs_error_set(err, ENOMEM, "out of memory");
        return o;
}

static int inspect_images(const struct globals *g, int argc, char **argv, int first, const char *format)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (open_store(g, &s, &err) < 0)
                return fail(&err);
        json_t *all = json_array();
        int status = 0;
        for (int i = first; i < argc; i++) {
                struct vs_image img = {0};
                json_t *o = NULL;
                if (vs_store_image_lookup(s, argv[i], &img, &err) == 0)
                        o = image_object(s, &img, &err);
                vs_image_free(&img);
                if (!o) {
                        status = fail(&err);
                        err = (struct vs_error) VS_ERROR_INIT;
                        continue;
                }
                json_array_append_new(all, o);
        }
        if (format) {
                size_t i;
                json_t *o;
                json_array_foreach (all, i, o)
                        if (format_value(stdout, format, o, &err) < 0) {
                                status = fail(&err);
                                break;
                        }
        } else {
                _cleanup_free_ char *text = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
                printf("%s\n", text ? text : "[]");
        }
        json_decref(all);
        vs_store_close(s);
        return status;
}

static int parse_inspect(int argc, char **argv, const char **format, const char *usage)
{
        static const struct option longopts[] = {
                {"format", required_argument, NULL, 'f'},
                {"type", required_argument, NULL, 't'},
                {"size", no_argument, NULL, 's'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        while ((c = next_option(argc, argv, "f:sh", longopts)) != -1) {
                switch (c) {
                case 'f':
                        *format = optarg;
                        break;
                case 't':
                        if (strcmp(optarg, "image") != 0)
                                return fail_usage("\"%s\" is not a valid value for --type", optarg);
                        break;
                case 's':
                        break;
                case 'h':
                        print_help(usage, "Display detailed information on one or more images",
                                   "  -f, --format string   Format the output using the given Go template\n");
                        return 1;
                default:
                        return 125;
                }
        }
        return want_args(argc, argv, 1, -1, usage) ? 0 : 125;
}

int cmd_image_inspect(const struct globals *g, int argc, char **argv)
{
        const char *format = NULL;
        int r = parse_inspect(argc, argv, &format, "image inspect [OPTIONS] IMAGE [IMAGE...]");
        if (r != 0)
                return r == 1 ? 0 : r;
        return inspect_images(g, argc, argv, optind, format);
}

/* For `vessel inspect` (container_inspect.c): one image's object, or NULL
 * with err filled (ENOENT when there is no such image). */
json_t *image_inspect_object(struct vs_store *s, const char *name, struct vs_error *err)
{
        struct vs_image img = {0};
        json_t *o = NULL;
        if (vs_store_image_lookup(s, name, &img, err) == 0)
                o = image_object(s, &img, err);
        vs_image_free(&img);
        return o;
}

/* --- history --- */

static int64_t parse_rfc3339(const char *s)
{
        struct tm tm = {0};
        if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
                return 0;
        return (int64_t) timegm(&tm);
}

static json_t *history_rows(const struct vs_image *img, const struct vs_image_config *cfg, bool human, bool no_trunc)
{
        json_t *rows = json_array();
        size_t layer = img->n_layers;
        for (size_t i = cfg->n_history; i-- > 0;) {
                const struct vs_history_entry *h = &cfg->history[i];
                int64_t size = 0;
                if (!h->empty_layer && layer > 0)
                        size = img->layers[--layer].unpacked_size;
                char id[80], since[64], sz[32];
                snprintf(id, sizeof(id), "%s", i + 1 == cfg->n_history ? img->id : "<missing>");
                if (!no_trunc && i + 1 == cfg->n_history)
                        snprintf(id, sizeof(id), "%.12s", vs_digest_hex(img->id));
                int64_t t = parse_rfc3339(h->created);
                if (human) {
                        human_duration((int64_t) time(NULL) - t, since, sizeof(since));
                        strcat(since, " ago");
                        human_size(size, sz, sizeof(sz));
                } else {
                        rfc3339(t, 0, since, sizeof(since));
                        snprintf(sz, sizeof(sz), "%lld", (long long) size);
                }
                char by[64];
                const char *created_by = h->created_by ? h->created_by : "";
                if (!no_trunc && strlen(created_by) > 45) {
                        snprintf(by, sizeof(by), "%.44s…", created_by);
                        created_by = by;
                }
                json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "ID", id, "CreatedSince", since,
                                                      "CreatedAt", since, "CreatedBy", created_by, "Size", sz,
                                                      "Comment", h->comment ? h->comment : ""));
        }
        return rows;
}

int cmd_history(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"human", optional_argument, NULL, 'H'}, {"no-trunc", no_argument, NULL, 'n'},
                {"quiet", no_argument, NULL, 'q'},       {"format", required_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},        {0},
        };
        bool human = true, no_trunc = false, quiet = false;
        const char *format = NULL;
        int c;
        while ((c = next_option(argc, argv, "Hqh", longopts)) != -1) {
                switch (c) {
                case 'H':
                        human = !optarg || strcmp(optarg, "false") != 0;
                        break;
                case 'n':
                        no_trunc = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'f':
                        format = optarg;
                        break;
                case 'h':
                        print_help("history [OPTIONS] IMAGE", "Show the history of an image",
                                   "      --format string   Pretty-print images using a Go template\n"
                                   "  -H, --human           Print sizes and dates in human readable format "
                                   "(default true)\n"
                                   "      --no-trunc        Don't truncate output\n"
                                   "  -q, --quiet           Only show image IDs\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 1, 1, "history [OPTIONS] IMAGE"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        struct vs_image img = {0};
        struct vs_image_config cfg = {0};
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = open_store(g, &s, &err);
        if (r == 0)
                r = vs_store_image_lookup(s, argv[optind], &img, &err);
        if (r == 0)
                r = vs_store_blob_read(s, img.id, CONFIG_MAX, &data, &len, &err);
        if (r == 0)
                r = vs_image_config_parse(data, len, img.id, &cfg, &err);
        if (r == 0) {
                json_t *rows = history_rows(&img, &cfg, human, no_trunc);
                if (quiet)
                        format = "{{.ID}}";
                r = format_rows(stdout, format,
                                "table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}", rows,
                                (const struct header_name[]){{"ID", "IMAGE"},
                                                             {"CreatedSince", "CREATED"},
                                                             {"CreatedBy", "CREATED BY"},
                                                             {NULL, NULL}},
                                &err);
                json_decref(rows);
        }
        vs_image_config_free(&cfg);
        vs_image_free(&img);
        if (s)
                vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}

/* --- the `image` group --- */

int cmd_image(const struct globals *g, int argc, char **argv)
{
        static const struct {
                const char *name, *alias;
                int (*run)(const struct globals *g, int argc, char **argv);
                const char *summary;
        } subs[] = {
                {"ls", "list", cmd_images, "List images"},
                {"pull", NULL, cmd_pull, "Download an image from a registry"},
                {"push", NULL, cmd_push, "Upload an image to a registry"},
                {"rm", "remove", cmd_rmi, "Remove one or more images"},
                {"tag", NULL, cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
                {"inspect", NULL, cmd_image_inspect, "Display detailed information on one or more images"},
                {"history", NULL, cmd_history, "Show the history of an image"},
                {"prune", NULL, cmd_image_prune, "Remove unused images"},
                {"save", NULL, cmd_save, "Save one or more images to a tar archive"},
                {"load", NULL, cmd_load, "Load an image from a tar archive or STDIN"},
                {"import", NULL, cmd_import, "Import the contents from a tarball to create a filesystem image"},
        };
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                printf("\nUsage:  vessel image COMMAND\n\nManage images\n\nCommands:\n");
                for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
                        printf("  %-9s %s\n", subs[i].name, subs[i].summary);
                printf("\nRun 'vessel image COMMAND --help' for more information on a command.\n");
                return argc < 2 ? 0 : 0;
        }
        for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
                if (strcmp(argv[1], subs[i].name) == 0 || (subs[i].alias && strcmp(argv[1], subs[i].alias) == 0)) {
                        optind = 0;
                        return subs[i].run(g, argc - 1, argv + 1);
                }
        return fail_usage("'image %s' is not a vessel command (see 'vessel image --help')", argv[1]);
}
