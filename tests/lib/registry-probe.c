/* registry-probe: drives vessel's registry client (src/image/registry.h) for
 * tests/integration/registry_client.bats. Never installed.
 *
 *   registry-probe [OPTIONS] DOMAIN/PATH COMMAND [ARGS]
 *
 * Options: --conf FILE (registries.conf), --auth-file FILE, --tls-verify=true|false,
 * --creds USER:PASS, --push (ask for push access), --progress=plain|tty.
 *
 * Commands:
 *   manifest REF OUT            GET a manifest into OUT; prints "DIGEST MEDIA_TYPE"
 *   blob DIGEST OUT [MAX]       GET a small blob into OUT (checked against its digest)
 *   exists DIGEST               prints "yes" or "no"
 *   fetch DIGEST SIZE FILE ...  download blobs in parallel; an existing FILE is resumed
 *                               from its length (SIZE -1: unknown)
 *   push-blob FILE [CHUNK [MOUNT_FROM [DIGEST]]]  upload FILE (CHUNK 0: monolithic) as DIGEST
 *                               (default: its own); prints the digest
 *   put-manifest REF MEDIA_TYPE FILE
 *   login                       (DOMAIN alone) check the credentials
 *
 * Errors: "registry-probe: <message>" on stderr, exit 1. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/progress.h"
#include "image/registry.h"
#include "util/cleanup.h"
#include "util/files.h"

struct probe {
        struct vs_registry_options opts;
        enum vs_progress_mode progress_mode;
        bool progress;
        struct vs_image_ref ref;
        struct vs_registry *reg;
};

static int fail(struct vs_error *err)
{
        fprintf(stderr, "registry-probe: %s\n", err->msg);
        return 1;
}

static int usage(const char *why)
{
        fprintf(stderr, "registry-probe: %s\n", why);
        return 2;
}

static int write_out(const char *path, const char *data, size_t len, struct vs_error *err)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return vs_error_syscall(err, "cannot create %s", path);
        if (write(fd, data, len) != (ssize_t) len)
                return vs_error_syscall(err, "cannot write %s", path);
        return 0;
}

static int cmd_manifest(struct probe *p, char **args, int n, struct vs_error *err)
{
        if (n != 2)
                return usage("manifest REF OUT");
        _cleanup_free_ char *body = NULL, *type = NULL;
        size_t len = 0;
        char digest[VS_DIGEST_MAX];
        if (vs_registry_get_manifest(p->reg, args[0], &body, &len, &type, digest, err) < 0 ||
            write_out(args[1], body, len, err) < 0)
                return fail(err);
        printf("%s %s\n", digest, type);
        return 0;
}

static int cmd_blob(struct probe *p, char **args, int n, struct vs_error *err)
{
        if (n != 2 && n != 3)
                return usage("blob DIGEST OUT [MAX]");
        size_t max = n == 3 ? strtoull(args[2], NULL, 10) : 8u << 20;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (vs_registry_get_blob(p->reg, args[0], max, &data, &len, err) < 0 || write_out(args[1], data, len, err) < 0)
                return fail(err);
        return 0;
}

static int cmd_exists(struct probe *p, char **args, int n, struct vs_error *err)
{
        if (n != 1)
                return usage("exists DIGEST");
        bool there = false;
        if (vs_registry_blob_exists(p->reg, args[0], &there, err) < 0)
                return fail(err);
        printf("%s\n", there ? "yes" : "no");
        return 0;
}

static int cmd_fetch(struct probe *p, char **args, int n, struct vs_error *err)
{
        if (n == 0 || n % 3 != 0)
                return usage("fetch DIGEST SIZE FILE ...");
        size_t count = (size_t) n / 3;
        struct vs_blob_transfer *blobs = calloc(count, sizeof(*blobs));
        const char **labels = calloc(count, sizeof(*labels));
        char(*shorts)[16] = calloc(count, sizeof(*shorts));
        if (!blobs || !labels || !shorts)
                return usage("out of memory");
        int rc = 0;
        for (size_t i = 0; i < count && rc == 0; i++) {
                struct stat st;
                blobs[i].digest = args[3 * i];
                blobs[i].size = strtoll(args[3 * i + 1], NULL, 10);
                blobs[i].fd = open(args[3 * i + 2], O_RDWR | O_CREAT | O_CLOEXEC, 0644);
                if (blobs[i].fd < 0 || fstat(blobs[i].fd, &st) < 0)
                        rc = vs_error_syscall(err, "cannot open %s", args[3 * i + 2]);
                else
                        blobs[i].offset = st.st_size;
                vs_progress_short_digest(blobs[i].digest, shorts[i]);
                labels[i] = shorts[i];
        }
        struct vs_progress *prog = NULL;
        if (rc == 0 && p->progress)
                rc = vs_progress_new(STDERR_FILENO, p->progress_mode, "Downloading", count, labels, &prog, err);
        if (rc == 0)
                rc = vs_registry_fetch_blobs(p->reg, blobs, count, prog ? vs_progress_callback : NULL, prog, err);
        for (size_t i = 0; i < count; i++) {
                if (prog)
                        vs_progress_finish(prog, i, blobs[i].status == 0 ? "done" : "failed");
                if (blobs[i].status < 0)
                        fprintf(stderr, "registry-probe: transfer %zu: %s\n", i, blobs[i].err.msg);
                if (blobs[i].fd >= 0)
                        close(blobs[i].fd);
        }
        vs_progress_free(prog);
        free(blobs);
        free(labels);
        free(shorts);
        return rc < 0 ? fail(err) : 0;
}

static int cmd_push_blob(struct probe *p, char **args, int n, struct vs_error *err)
{
        if (n < 1 || n > 4)
                return usage("push-blob FILE [CHUNK [MOUNT_FROM [DIGEST]]]");
        _cleanup_close_ int fd = open(args[0], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                vs_error_syscall(err, "cannot open %s", args[0]);
                return fail(err);
        }
        char digest[VS_DIGEST_MAX];
        if (n == 4)
                snprintf(digest, sizeof(digest), "%s", args[3]);
        else if (vs_digest_fd(fd, digest, err) < 0)
                return fail(err);
        struct vs_blob_transfer b = {.digest = digest, .size = -1, .fd = fd};
        size_t chunk = n >= 2 ? strtoull(args[1], NULL, 10) : 0;
        const char *mount = n >= 3 && *args[2] ? args[2] : NULL;
        if (vs_registry_push_blob(p->reg, &b, mount, chunk, NULL, NULL, 0, err) < 0)
                return fail(err);
        printf("%s\n", digest);
        return 0;
}

static int cmd_put_manifest(struct probe *p, char **args, int n, struct vs_error *err)
{
        if (n != 3)
                return usage("put-manifest REF MEDIA_TYPE FILE");
        _cleanup_free_ char *body = NULL;
        size_t len = 0;
        if (vs_read_file(args[2], &body, &len, err) < 0 ||
            vs_registry_put_manifest(p->reg, args[0], args[1], body, len, err) < 0)
                return fail(err);
        return 0;
}

static int parse_options(struct probe *p, int argc, char **argv)
{
        static const struct option longopts[] = {{"conf", required_argument, NULL, 'c'},
                                                 {"auth-file", required_argument, NULL, 'a'},
                                                 {"tls-verify", required_argument, NULL, 't'},
                                                 {"creds", required_argument, NULL, 'u'},
                                                 {"push", no_argument, NULL, 'p'},
                                                 {"progress", required_argument, NULL, 'g'},
                                                 {NULL, 0, NULL, 0}};
        p->opts.tls_verify = -1;
        int c;
        while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        p->opts.registries_conf = optarg;
                        break;
                case 'a':
                        p->opts.auth_file = optarg;
                        break;
                case 't':
                        p->opts.tls_verify = strcmp(optarg, "true") == 0 ? 1 : 0;
                        break;
                case 'u': {
                        char *colon = strchr(optarg, ':');
                        if (!colon)
                                return usage("--creds USER:PASS");
                        *colon = '\0';
                        p->opts.username = optarg;
                        p->opts.password = colon + 1;
                        break;
                }
                case 'p':
                        p->opts.push = true;
                        break;
                case 'g':
                        p->progress = true;
                        p->progress_mode = strcmp(optarg, "tty") == 0 ? VS_PROGRESS_TTY : VS_PROGRESS_PLAIN;
                        break;
                default:
                        return 2;
                }
        }
        return 0;
}

int main(int argc, char **argv)
{
        struct probe p = {0};
        struct vs_error err = VS_ERROR_INIT;
        int rc = parse_options(&p, argc, argv);
        if (rc)
                return rc;
        if (argc - optind < 2)
                return usage("usage: registry-probe [OPTIONS] DOMAIN/PATH COMMAND [ARGS]");
        char *repo = argv[optind], *cmd = argv[optind + 1];
        char **args = argv + optind + 2;
        int n = argc - optind - 2;
        if (strcmp(cmd, "login") == 0)
                return vs_registry_login(repo, &p.opts, &err) < 0 ? fail(&err) : (printf("Login Succeeded\n"), 0);
        char *slash = strchr(repo, '/');
        if (!slash)
                return usage("the repository is DOMAIN/PATH");
        *slash = '\0';
        p.ref.domain = repo;
        p.ref.path = slash + 1;
        if (vs_registry_open(&p.ref, &p.opts, &p.reg, &err) < 0)
                return fail(&err);
        if (strcmp(cmd, "manifest") == 0)
                rc = cmd_manifest(&p, args, n, &err);
        else if (strcmp(cmd, "blob") == 0)
                rc = cmd_blob(&p, args, n, &err);
        else if (strcmp(cmd, "exists") == 0)
                rc = cmd_exists(&p, args, n, &err);
        else if (strcmp(cmd, "fetch") == 0)
                rc = cmd_fetch(&p, args, n, &err);
        else if (strcmp(cmd, "push-blob") == 0)
                rc = cmd_push_blob(&p, args, n, &err);
        else if (strcmp(cmd, "put-manifest") == 0)
                rc = cmd_put_manifest(&p, args, n, &err);
        else
                rc = usage("unknown command");
        vs_registry_free(p.reg);
        return rc;
}
