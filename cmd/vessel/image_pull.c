/* vessel pull, vessel push: transfers with docker's output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "image/progress.h"
#include "image/pull.h"
#include "image/reference.h"
#include "util/cleanup.h"

/* The per-layer lines of a transfer, as docker prints them. */
struct transfer_view {
        bool quiet;
        const char *action; /* "Downloading", "Pushing" */
        const char *header; /* printed once the manifest is known ("1: Pulling from test/busybox") */
        struct vs_progress *progress;
        size_t n;
        char (*ids)[16]; /* short layer IDs: 12 hex digits */
};

static void view_layers(void *data, size_t n, const struct vs_descriptor *layers, const bool *present)
{
        struct transfer_view *v = data;
        if (v->quiet)
                return;
        if (v->header) {
                printf("%s\n", v->header);
                fflush(stdout);
                v->header = NULL;
        }
        free(v->ids);
        v->ids = calloc(n ? n : 1, sizeof(*v->ids));
        const char **labels = calloc(n ? n : 1, sizeof(char *));
        if (!v->ids || !labels) {
                free(labels);
                return;
        }
        v->n = n;
        for (size_t i = 0; i < n; i++) {
                snprintf(v->ids[i], sizeof(v->ids[i]), "%.12s", vs_digest_hex(layers[i].digest));
                labels[i] = v->ids[i];
        }
        struct vs_error err = VS_ERROR_INIT;
        if (vs_progress_new(STDOUT_FILENO, VS_PROGRESS_AUTO, v->action, n, labels, &v->progress, &err) < 0)
                vs_error_ignore(&err); /* no progress shown: the transfer goes on */
        free(labels);
        for (size_t i = 0; i < n && v->progress; i++)
                if (present[i])
                        vs_progress_finish(v->progress, i, "Already exists");
}

static void view_progress(void *data, size_t index, int64_t done, int64_t total)
{
        struct transfer_view *v = data;
        if (v->progress && index < v->n)
                vs_progress_update(v->progress, index, done, total);
}

static void view_state(void *data, size_t index, const char *state)
{
        struct transfer_view *v = data;
        /* "Download complete" is a step on the way; the line ends with "Pull complete". */
        if (v->progress && index < v->n && strcmp(state, "Download complete") != 0)
                vs_progress_finish(v->progress, index, state);
}

static void view_free(struct transfer_view *v)
{
        if (v->progress)
                vs_progress_free(v->progress);
        free(v->ids);
}

/* Registry flags common to pull, push and login (podman's names). */
enum {
        OPT_TLS_VERIFY = 1000,
        OPT_CREDS,
        OPT_AUTHFILE,
        OPT_PLATFORM,
        OPT_CHUNK
};

static int registry_flag(int c, struct vs_registry_options *o, char **creds)
{
        switch (c) {
        case OPT_TLS_VERIFY:
                if (!optarg || strcmp(optarg, "true") == 0)
                        o->tls_verify = 1;
                else if (strcmp(optarg, "false") == 0)
                        o->tls_verify = 0;
                else
                        return fail_usage("--tls-verify: expected true or false, got \"%s\"", optarg);
                return 0;
        case OPT_AUTHFILE:
                o->auth_file = optarg;
                return 0;
        case OPT_CREDS: {
                char *colon = strchr(optarg, ':');
                free(*creds);
                *creds = strdup(optarg);
                if (!*creds)
                        return 1;
                if (colon) {
                        (*creds)[colon - optarg] = '\0';
                        o->password = *creds + (colon - optarg) + 1;
                }
                o->username = *creds;
                return 0;
        }
        }
        return -1;
}

static const char pull_options[] = "  -a, --all-tags          Download all tagged images in the repository\n"
                                   "      --platform string   Set platform if server is multi-platform capable\n"
                                   "  -q, --quiet             Suppress verbose output\n"
                                   "      --tls-verify        Require HTTPS and verify certificates (default: "
                                   "registries.conf)\n"
                                   "      --creds USER:PASS   Credentials for the registry\n"
                                   "      --authfile string   Path of the authentication file\n";

static void print_pull_status(const char *text, const struct vs_image_ref *ref, const struct vs_pull_result *res)
{
        _cleanup_free_ char *familiar = vs_image_ref_familiar(ref);
        printf("Digest: %s\n", res->digest);
        printf("Status: %s for %s\n", res->newer ? "Downloaded newer image" : "Image is up to date",
               familiar ? familiar : text);
        if (res->name)
                printf("%s\n", res->name);
        else {
                _cleanup_free_ char *full = vs_image_ref_full(ref);
                printf("%s\n", full ? full : text);
        }
}

static int pull_one(struct vs_store *s, const char *text, struct vs_pull_options *opts, bool quiet)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image_ref ref = {0};
        if (vs_image_ref_parse(text, &ref, &err) < 0)
                return fail(&err);
        struct transfer_view view = {.quiet = quiet, .action = "Downloading"};
        struct vs_transfer_events ev = {
                .data = &view, .layers = view_layers, .progress = view_progress, .layer_state = view_state};
        opts->events = &ev;
        if (!quiet) {
                bool has_tag = strchr(strrchr(text, '/') ? strrchr(text, '/') : text, ':') || strchr(text, '@');
                if (!has_tag)
                        printf("Using default tag: %s\n", VS_IMAGE_DEFAULT_TAG);
                fflush(stdout);
        }
        char header[512];
        snprintf(header, sizeof(header), "%s: Pulling from %s", ref.digest ? ref.digest : ref.tag, ref.path);
        view.header = header;
        struct vs_pull_result res = {0};
        int r = vs_image_pull(s, text, opts, &res, &err);
        view_free(&view);
        if (r < 0) {
                vs_image_ref_free(&ref);
                return fail(&err);
        }
        if (quiet) {
                _cleanup_free_ char *full = vs_image_ref_full(&ref);
                printf("%s\n", res.name ? res.name : full ? full : text);
        } else {
                print_pull_status(text, &ref, &res);
        }
        vs_pull_result_free(&res);
        vs_image_ref_free(&ref);
        return 0;
}

/* pull -a: every tag of the repository, one after the other. */
static int pull_all_tags(struct vs_store *s, const char *text, struct vs_pull_options *opts, bool quiet)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image_ref ref = {0};
        if (vs_image_ref_parse(text, &ref, &err) < 0)
                return fail(&err);
        _cleanup_free_ char *repo = vs_image_ref_repository(&ref);
        bool tagged = strchr(strrchr(text, '/') ? strrchr(text, '/') : text, ':') || ref.digest;
        vs_image_ref_free(&ref);
        if (tagged)
                return fail_usage("tag can't be used with --all-tags/-a");
        struct vs_registry *reg = NULL;
        char **tags = NULL;
        size_t n = 0;
        int r = vs_image_ref_parse(text, &ref, &err);
        if (r == 0)
                r = vs_registry_open(&ref, &opts->registry, &reg, &err);
        if (r == 0)
                r = vs_registry_list_tags(reg, &tags, &n, &err);
        vs_registry_free(reg);
        vs_image_ref_free(&ref);
        if (r < 0)
                return fail(&err);
        int status = 0;
        for (size_t i = 0; i < n && repo; i++) {
                _cleanup_free_ char *one = NULL;
                if (asprintf(&one, "%s:%s", repo, tags[i]) < 0)
                        break;
                status |= pull_one(s, one, opts, quiet);
        }
        vs_strv_free(tags);
        return status;
}

int cmd_pull(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"all-tags", no_argument, NULL, 'a'},
                {"platform", required_argument, NULL, OPT_PLATFORM},
                {"quiet", no_argument, NULL, 'q'},
                {"tls-verify", optional_argument, NULL, OPT_TLS_VERIFY},
                {"creds", required_argument, NULL, OPT_CREDS},
                {"authfile", required_argument, NULL, OPT_AUTHFILE},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        struct vs_pull_options opts = {.registry = {.tls_verify = -1}};
        struct vs_platform platform = {0};
        _cleanup_free_ char *creds = NULL;
        bool quiet = false, all_tags = false;
        struct vs_error err = VS_ERROR_INIT;
        int c, r;
        while ((c = next_option(argc, argv, "aqh", longopts)) != -1) {
                switch (c) {
                case 'a':
                        all_tags = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case OPT_PLATFORM:
                        vs_platform_free(&platform);
                        if (vs_platform_parse(optarg, &platform, &err) < 0)
                                return fail(&err);
                        opts.platform = &platform;
                        break;
                case 'h':
                        print_help("pull [OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry",
                                   pull_options);
                        return 0;
                default:
                        r = registry_flag(c, &opts.registry, &creds);
                        if (r != 0)
                                return r < 0 ? 125 : r;
                }
        }
        if (!want_args(argc, argv, 1, 1, "pull [OPTIONS] NAME[:TAG|@DIGEST]"))
                return 125;
        struct vs_store *s = NULL;
        if (open_store(g, &s, &err) < 0)
                return fail(&err);
        r = all_tags ? pull_all_tags(s, argv[optind], &opts, quiet) : pull_one(s, argv[optind], &opts, quiet);
        vs_store_close(s);
        vs_platform_free(&platform);
        return r;
}

int cmd_push(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"quiet", no_argument, NULL, 'q'},
                {"tls-verify", optional_argument, NULL, OPT_TLS_VERIFY},
                {"creds", required_argument, NULL, OPT_CREDS},
                {"authfile", required_argument, NULL, OPT_AUTHFILE},
                {"chunk-size", required_argument, NULL, OPT_CHUNK},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        struct vs_push_options opts = {.registry = {.tls_verify = -1}};
        _cleanup_free_ char *creds = NULL;
        bool quiet = false;
        int c, r;
        while ((c = next_option(argc, argv, "qh", longopts)) != -1) {
                switch (c) {
                case 'q':
                        quiet = true;
                        break;
                case OPT_CHUNK: {
                        char *end;
                        errno = 0;
                        unsigned long long v = strtoull(optarg, &end, 10);
                        if (errno || *end || optarg[0] == '-')
                                return fail_usage("--chunk-size: expected a number of bytes, got \"%s\"", optarg);
                        opts.chunk_size = (size_t) v;
                        break;
                }
                case 'h':
                        print_help("push [OPTIONS] NAME[:TAG] [DESTINATION]", "Upload an image to a registry",
                                   "  -q, --quiet             Suppress verbose output\n"
                                   "      --tls-verify        Require HTTPS and verify certificates\n"
                                   "      --creds USER:PASS   Credentials for the registry\n"
                                   "      --authfile string   Path of the authentication file\n"
                                   "      --chunk-size bytes  Upload blobs in chunks of this size\n");
                        return 0;
                default:
                        r = registry_flag(c, &opts.registry, &creds);
                        if (r != 0)
                                return r < 0 ? 125 : r;
                }
        }
        if (!want_args(argc, argv, 1, 2, "push [OPTIONS] NAME[:TAG] [DESTINATION]"))
                return 125;
        const char *source = argv[optind];
        const char *dest = optind + 1 < argc ? argv[optind + 1] : source;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image_ref ref = {0};
        if (vs_image_ref_parse(dest, &ref, &err) < 0)
                return fail(&err);
        struct transfer_view view = {.quiet = quiet, .action = "Pushing"};
        struct vs_transfer_events ev = {
                .data = &view, .layers = view_layers, .progress = view_progress, .layer_state = view_state};
        opts.events = &ev;
        if (!quiet) {
                _cleanup_free_ char *repo = vs_image_ref_repository(&ref);
                printf("The push refers to repository [%s]\n", repo ? repo : dest);
                fflush(stdout);
        }
        struct vs_store *s = NULL;
        char digest[VS_DIGEST_MAX];
        r = open_store(g, &s, &err);
        if (r == 0)
                r = vs_image_push(s, source, dest, &opts, digest, &err);
        view_free(&view);
        if (s)
                vs_store_close(s);
        if (r == 0) {
                if (quiet)
                        printf("%s\n", digest);
                else
                        printf("%s: digest: %s\n", ref.tag ? ref.tag : ref.digest, digest);
        }
        vs_image_ref_free(&ref);
        return r < 0 ? fail(&err) : 0;
}
