/* vessel rmi, vessel tag, vessel image prune. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "format.h"
#include "image/reference.h"
#include "util/cleanup.h"

static void print_familiar(const char *verb, const char *full)
{
        _cleanup_free_ char *familiar = vs_image_ref_familiar_text(full);
        printf("%s: %s\n", verb, familiar ? familiar : full);
}

/* Is `text` this image's ID (or a prefix of it) rather than one of its names? */
static bool names_id(const char *text, const struct vs_image *img)
{
        if (!vs_image_ref_looks_like_id(text))
                return false;
        const char *hex = strncmp(text, "sha256:", 7) == 0 ? text + 7 : text;
        return strncmp(vs_digest_hex(img->id), hex, strlen(hex)) == 0;
}

static int remove_whole(struct vs_store *s, const struct vs_image *img, const char *text, bool force,
                        struct vs_error *err)
{
        size_t names = 0;
        for (char **n = img->names; n && *n; n++)
                names++;
        if (names > 1 && !force)
                return vs_error_set(err, EBUSY,
                                    "conflict: unable to delete %.12s (must be forced) - image is referenced in "
                                    "multiple repositories",
                                    vs_digest_hex(img->id));
        if (img->holds > 0 && !force)
                return vs_error_set(err, EBUSY,
                                    "conflict: unable to delete %.12s (cannot be forced) - image is being used by "
                                    "%d container%s",
                                    vs_digest_hex(img->id), img->holds, img->holds == 1 ? "" : "s");
        int r = vs_store_image_remove(s, img->id, force, err);
        if (r < 0)
                return vs_error_wrap(err, "remove %s", text);
        for (char **n = img->names; n && *n; n++)
                print_familiar("Untagged", *n);
        for (char **d = img->repo_digests; d && *d; d++)
                print_familiar("Untagged", *d);
        printf("Deleted: %s\n", img->id);
        return 0;
}

static int remove_name(struct vs_store *s, const struct vs_image *img, const char *text, bool force,
                       struct vs_error *err)
{
        struct vs_image_ref ref = {0};
        int r = vs_image_ref_parse(text, &ref, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *full = vs_image_ref_full(&ref);
        vs_image_ref_free(&ref);
        if (!full)
                return vs_error_set(err, ENOMEM, "out of memory");
        bool last = !img->names || !img->names[0] || !img->names[1];
        if (last && img->holds > 0 && !force)
                return vs_error_set(err, EBUSY,
                                    "conflict: unable to remove repository reference \"%s\" (must force) - "
                                    "image %.12s is being used by %d container%s",
                                    text, vs_digest_hex(img->id), img->holds, img->holds == 1 ? "" : "s");
        bool removed = false;
        r = vs_store_image_untag(s, full, &removed, err);
        if (r == -ENOENT) /* a repo@digest reference, or a name the lookup normalised */
                return remove_whole(s, img, text, force, err);
        if (r < 0)
                return r;
        print_familiar("Untagged", full);
        if (removed) {
                for (char **d = img->repo_digests; d && *d; d++)
                        print_familiar("Untagged", *d);
                printf("Deleted: %s\n", img->id);
        }
        return 0;
}

int cmd_rmi(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"force", no_argument, NULL, 'f'},
                {"no-prune", no_argument, NULL, 'n'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        bool force = false;
        int c;
        while ((c = next_option(argc, argv, "fh", longopts)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'n':
                        break;
                case 'h':
                        print_help("rmi [OPTIONS] IMAGE [IMAGE...]", "Remove one or more images",
                                   "  -f, --force      Force removal of the image\n"
                                   "      --no-prune   Do not delete untagged parents\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 1, -1, "rmi [OPTIONS] IMAGE [IMAGE...]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (open_store(g, &s, &err) < 0)
                return fail(&err);
        int status = 0;
        for (int i = optind; i < argc; i++) {
                struct vs_image img = {0};
                int r = vs_store_image_lookup(s, argv[i], &img, &err);
                if (r == 0)
                        r = names_id(argv[i], &img) ? remove_whole(s, &img, argv[i], force, &err)
                                                    : remove_name(s, &img, argv[i], force, &err);
                vs_image_free(&img);
                if (r < 0) {
                        status = fail(&err);
                        err = (struct vs_error) VS_ERROR_INIT;
                }
        }
        int64_t reclaimed = 0;
        if (vs_store_gc(s, &reclaimed, &err) < 0)
                status = fail(&err);
        vs_store_close(s);
        return status;
}

int cmd_tag(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0}};
        int c;
        while ((c = next_option(argc, argv, "h", longopts)) != -1) {
                if (c == 'h') {
                        print_help("tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                                   "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", "");
                        return 0;
                }
                return 125;
        }
        if (!want_args(argc, argv, 2, 2, "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_image_ref ref = {0};
        if (vs_image_ref_parse(argv[optind + 1], &ref, &err) < 0)
                return fail(&err);
        if (ref.digest) {
                vs_image_ref_free(&ref);
                vs_error_set(&err, EINVAL, "refusing to create a tag with a digest reference");
                return fail(&err);
        }
        _cleanup_free_ char *full = vs_image_ref_full(&ref);
        vs_image_ref_free(&ref);
        struct vs_store *s = NULL;
        struct vs_image img = {0};
        int r = open_store(g, &s, &err);
        if (r == 0)
                r = vs_store_image_lookup(s, argv[optind], &img, &err);
        if (r == 0)
                r = vs_store_image_tag(s, img.id, full, &err);
        vs_image_free(&img);
        if (s)
                vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}

static bool confirm(const char *warning)
{
        fprintf(stdout, "%s\nAre you sure you want to continue? [y/N] ", warning);
        fflush(stdout);
        char line[64];
        if (!fgets(line, sizeof(line), stdin))
                return false;
        return line[0] == 'y' || line[0] == 'Y';
}

static int prune_images(struct vs_store *s, bool all, struct vs_error *err)
{
        struct vs_image *imgs = NULL;
        size_t n = 0;
        int r = vs_store_image_list(s, &imgs, &n, err);
        if (r < 0)
                return r;
        bool header = false;
        for (size_t i = 0; i < n && r == 0; i++) {
                bool dangling = !imgs[i].names || !imgs[i].names[0];
                if ((!all && !dangling) || imgs[i].holds > 0)
                        continue;
                r = vs_store_image_remove(s, imgs[i].id, false, err);
                if (r < 0)
                        break;
                if (!header)
                        printf("Deleted Images:\n");
                header = true;
                for (char **nm = imgs[i].names; nm && *nm; nm++)
                        print_familiar("untagged", *nm);
                printf("deleted: %s\n", imgs[i].id);
        }
        if (header)
                printf("\n");
        vs_image_list_free(imgs, n);
        return r;
}

int cmd_image_prune(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"all", no_argument, NULL, 'a'},
                {"force", no_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        bool all = false, force = false;
        int c;
        while ((c = next_option(argc, argv, "afh", longopts)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f':
                        force = true;
                        break;
                case 'h':
                        print_help("image prune [OPTIONS]", "Remove unused images",
                                   "  -a, --all     Remove all unused images, not just dangling ones\n"
                                   "  -f, --force   Do not prompt for confirmation\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 0, 0, "image prune [OPTIONS]"))
                return 125;
        if (!force && !confirm(all ? "WARNING! This will remove all images without at least one container "
                                     "associated to them."
                                   : "WARNING! This will remove all dangling images."))
                return 0;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        int64_t reclaimed = 0;
        int r = open_store(g, &s, &err);
        if (r == 0)
                r = prune_images(s, all, &err);
        if (r == 0)
                r = vs_store_gc(s, &reclaimed, &err);
        if (s)
                vs_store_close(s);
        if (r < 0)
                return fail(&err);
        char size[32];
        human_size(reclaimed, size, sizeof(size));
        printf("Total reclaimed space: %s\n", size);
        return 0;
}
