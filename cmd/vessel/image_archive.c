/* vessel save, vessel load, vessel import: images to and from tar archives. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "image/archive.h"
#include "image/reference.h"
#include "util/cleanup.h"

/* ---------------------------------------------------------------- save */

static const char save_usage[] = "save [OPTIONS] IMAGE [IMAGE...]";
static const char save_options[] =
        "      --format string   Archive format: docker-archive or oci-archive (default \"docker-archive\")\n"
        "  -o, --output string   Write to a file, instead of STDOUT\n";

/* Write to a temporary file next to `path` and rename it into place, so a
 * failed save leaves no half archive under the name (as docker's CLI). */
static int save_to_file(struct vs_store *s, char *const *images, size_t n, enum vs_archive_format format,
                        const char *path, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_free_ char *tmp = NULL;
        if (!copy || asprintf(&tmp, "%s/.%s.vessel-XXXXXX", dirname(copy), basename((char *) path)) < 0)
                return vs_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot create a file next to %s", path);
        int r = vs_archive_save(s, images, n, format, fd, err);
        if (r == 0 && fchmod(fd, 0644) < 0)
                r = vs_error_syscall(err, "cannot set the mode of %s", tmp);
        if (r == 0 && (fsync(fd) < 0 || rename(tmp, path) < 0))
                r = vs_error_syscall(err, "cannot write %s", path);
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

int cmd_save(const struct globals *g, int argc, char **argv)
{
        enum {
                OPT_FORMAT = 1000
        };
        static const struct option longopts[] = {
                {"output", required_argument, NULL, 'o'},
                {"format", required_argument, NULL, OPT_FORMAT},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *output = NULL;
        enum vs_archive_format format = VS_ARCHIVE_DOCKER;
        struct vs_error err = VS_ERROR_INIT;
        int c;
        while ((c = next_option(argc, argv, "o:h", longopts)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case OPT_FORMAT:
                        if (vs_archive_format_parse(optarg, &format, &err) < 0)
                                return fail_usage("%s", err.msg);
                        break;
                case 'h':
                        print_help(save_usage,
                                   "Save one or more images to a tar archive (streamed to STDOUT by default)",
                                   save_options);
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 1, -1, save_usage))
                return 125;
        if (!output && isatty(STDOUT_FILENO))
                return fail_usage("cowardly refusing to save to a terminal. Use the -o flag or redirect");
        struct vs_store *s = NULL;
        if (open_store(g, &s, &err) < 0)
                return fail(&err);
        size_t n = (size_t) (argc - optind);
        int r = output ? save_to_file(s, argv + optind, n, format, output, &err)
                       : vs_archive_save(s, argv + optind, n, format, STDOUT_FILENO, &err);
        vs_store_close(s);
        if (r < 0) {
                vs_error_wrap(&err, "save");
                return fail(&err);
        }
        return 0;
}

/* ---------------------------------------------------------------- load */

static const char load_usage[] = "load [OPTIONS]";
static const char load_options[] = "  -i, --input string   Read from tar archive file, instead of STDIN\n"
                                   "  -q, --quiet          Suppress the load output\n";

static void print_loaded(const struct vs_load_result *res)
{
        for (size_t i = 0; i < res->n; i++) {
                const struct vs_loaded_image *img = &res->images[i];
                if (!img->names[0])
                        printf("Loaded image ID: %s\n", img->id);
                for (char **name = img->names; *name; name++) {
                        _cleanup_free_ char *familiar = vs_image_ref_familiar_text(*name);
                        printf("Loaded image: %s\n", familiar ? familiar : *name);
                }
        }
}

int cmd_load(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"input", required_argument, NULL, 'i'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *input = NULL;
        struct vs_error err = VS_ERROR_INIT;
        int c;
        while ((c = next_option(argc, argv, "i:qh", longopts)) != -1) {
                switch (c) {
                case 'i':
                        input = optarg;
                        break;
                case 'q': /* there is no progress to hide; the result lines stay, as docker's */
                        break;
                case 'h':
                        print_help(load_usage, "Load an image from a tar archive or STDIN", load_options);
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 0, 0, load_usage))
                return 125;
        if (!input && isatty(STDIN_FILENO))
                return fail_usage("requested load from stdin, but stdin is empty");
        _cleanup_close_ int fd = input ? open(input, O_RDONLY | O_CLOEXEC) : -1;
        if (input && fd < 0) {
                vs_error_syscall(&err, "load: cannot open %s", input);
                return fail(&err);
        }
        struct vs_store *s = NULL;
        if (open_store(g, &s, &err) < 0)
                return fail(&err);
        struct vs_load_result res = {0};
        int r = vs_archive_load(s, input ? fd : STDIN_FILENO, NULL, &res, &err);
        vs_store_close(s);
        if (r < 0) {
                vs_error_wrap(&err, "load");
                return fail(&err);
        }
        print_loaded(&res);
        vs_load_result_free(&res);
        return 0;
}

/* -------------------------------------------------------------- import */

static const char import_usage[] = "import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]";
static const char import_options[] = "  -c, --change list         Apply Dockerfile instruction to the created image\n"
                                     "  -m, --message string      Set commit message for imported image\n"
                                     "      --platform string     Set platform if server is multi-platform capable\n";

/* Split Dockerfile words: blanks separate; "..." (with \ escapes) and '..'
 * quote; a \ outside quotes escapes the next character. */
static int split_words(const char *text, char ***ret, size_t *n, struct vs_error *err)
{
        _cleanup_strv_ char **words = NULL;
        size_t count = 0;
        _cleanup_free_ char *buf = malloc(strlen(text) + 1);
        if (!buf)
                return vs_error_set(err, ENOMEM, "out of memory");
        const char *p = text;
        for (;;) {
                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        break;
                size_t len = 0;
                char quote = 0;
                for (; *p && (quote || (*p != ' ' && *p != '\t')); p++) {
                        if (!quote && (*p == '"' || *p == '\''))
                                quote = *p;
                        else if (quote && *p == quote)
                                quote = 0;
                        else if (*p == '\\' && quote != '\'' && p[1])
                                buf[len++] = *++p;
                        else
                                buf[len++] = *p;
                }
                if (quote)
                        return vs_error_set(err, EINVAL, "unmatched %c quote", quote);
                buf[len] = '\0';
                char **nv = realloc(words, (count + 2) * sizeof(char *));
                if (!nv)
                        return vs_error_set(err, ENOMEM, "out of memory");
                words = nv;
                words[count] = strdup(buf);
                words[++count] = NULL;
                if (!words[count - 1])
                        return vs_error_set(err, ENOMEM, "out of memory");
        }
        *ret = TAKE_PTR(words);
        *n = count;
        return 0;
}

/* The exec form ["a","b"], or NULL when text is not a JSON array of strings
 * (then it is the shell form, as docker decides). */
static json_t *exec_form(const char *text)
{
        json_t *v = text[0] == '[' ? json_loads(text, 0, NULL) : NULL;
        size_t i;
        json_t *item;
        json_array_foreach (v, i, item)
                if (!json_is_string(item)) {
                        json_decref(v);
                        return NULL;
                }
        if (v && !json_is_array(v)) {
                json_decref(v);
                return NULL;
        }
        return v;
}

static json_t *command_value(const char *text)
{
        json_t *v = exec_form(text);
        return v ? v : json_pack("[s, s, s]", "/bin/sh", "-c", text);
}

/* ENV and LABEL: "k=v k2=v2", or the old form "k v w" (one pair, the rest is the value). */
static int key_values(const char *text, const char *what, char ***keys, char ***values, struct vs_error *err)
{
        _cleanup_strv_ char **words = NULL;
        size_t n = 0;
        int r = split_words(text, &words, &n, err);
        if (r < 0)
                return r;
        if (n == 0)
                return vs_error_set(err, EINVAL, "%s requires at least one argument", what);
        _cleanup_strv_ char **k = calloc(n + 1, sizeof(char *));
        _cleanup_strv_ char **v = calloc(n + 1, sizeof(char *));
        if (!k || !v)
                return vs_error_set(err, ENOMEM, "out of memory");
        if (!strchr(words[0], '=')) { /* old form */
                const char *rest = text + strspn(text, " \t") + strlen(words[0]);
                rest += strspn(rest, " \t");
                if (n < 2)
                        return vs_error_set(err, EINVAL, "%s %s: a value is required", what, words[0]);
                k[0] = strdup(words[0]);
                v[0] = strdup(rest);
        } else
                for (size_t i = 0; i < n; i++) {
                        char *eq = strchr(words[i], '=');
                        if (!eq || eq == words[i])
                                return vs_error_set(err, EINVAL, "%s: %s: must be of the form key=value", what,
                                                    words[i]);
                        k[i] = strndup(words[i], (size_t) (eq - words[i]));
                        v[i] = strdup(eq + 1);
                        if (!k[i] || !v[i])
                                return vs_error_set(err, ENOMEM, "out of memory");
                }
        if (!k[0] || !v[0])
                return vs_error_set(err, ENOMEM, "out of memory");
        *keys = TAKE_PTR(k);
        *values = TAKE_PTR(v);
        return 0;
}

static int change_env(json_t *config, const char *text, struct vs_error *err)
{
        _cleanup_strv_ char **keys = NULL;
        _cleanup_strv_ char **values = NULL;
        int r = key_values(text, "ENV", &keys, &values, err);
        if (r < 0)
                return r;
        json_t *env = json_object_get(config, "Env");
        if (!env)
                json_object_set_new(config, "Env", env = json_array());
        for (size_t i = 0; keys[i]; i++) {
                _cleanup_free_ char *pair = NULL;
                if (asprintf(&pair, "%s=%s", keys[i], values[i]) < 0)
                        return vs_error_set(err, ENOMEM, "out of memory");
                size_t at = json_array_size(env), j;
                json_t *old;
                json_array_foreach (env, j, old)
                        if (strncmp(json_string_value(old), pair, strlen(keys[i]) + 1) == 0)
                                at = j;
                if (at < json_array_size(env) ? json_array_set_new(env, at, json_string(pair)) < 0
                                              : json_array_append_new(env, json_string(pair)) < 0)
                        return vs_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

static int change_label(json_t *config, const char *text, struct vs_error *err)
{
        _cleanup_strv_ char **keys = NULL;
        _cleanup_strv_ char **values = NULL;
        int r = key_values(text, "LABEL", &keys, &values, err);
        if (r < 0)
                return r;
        json_t *labels = json_object_get(config, "Labels");
        if (!labels)
                json_object_set_new(config, "Labels", labels = json_object());
        for (size_t i = 0; keys[i]; i++)
                if (json_object_set_new(labels, keys[i], json_string(values[i])) < 0)
                        return vs_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* "80", "53/udp" -> "80/tcp", "53/udp". */
static int port_key(const char *word, char out[64], struct vs_error *err)
{
        char *end;
        unsigned long port = strtoul(word, &end, 10);
        const char *proto = *end == '/' ? end + 1 : *end ? NULL : "tcp";
        if (end == word || port == 0 || port > 65535 || !proto ||
            (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 && strcmp(proto, "sctp") != 0))
                return vs_error_set(err, EINVAL, "EXPOSE: invalid port %s: use PORT[/tcp|udp|sctp]", word);
        snprintf(out, 64, "%lu/%s", port, proto);
        return 0;
}

/* EXPOSE and VOLUME: a set of keys ({"80/tcp": {}}). */
static int change_set(json_t *config, const char *key, const char *text, bool ports, struct vs_error *err)
{
        _cleanup_strv_ char **words = NULL;
        size_t n = 0;
        json_t *array = ports ? NULL : exec_form(text);
        int r = array ? 0 : split_words(text, &words, &n, err);
        if (r < 0)
                return r;
        if (!array && n == 0)
                return vs_error_set(err, EINVAL, "%s requires at least one argument", ports ? "EXPOSE" : "VOLUME");
        json_t *set = json_object_get(config, key);
        if (!set)
                json_object_set_new(config, key, set = json_object());
        for (size_t i = 0; r == 0 && i < (array ? json_array_size(array) : n); i++) {
                const char *word = array ? json_string_value(json_array_get(array, i)) : words[i];
                char port[64];
                if (ports && (r = port_key(word, port, err)) < 0)
                        break;
                if (!ports && word[0] != '/')
                        r = vs_error_set(err, EINVAL, "VOLUME %s: the path must be absolute", word);
                else if (json_object_set_new(set, ports ? port : word, json_object()) < 0)
                        r = vs_error_set(err, ENOMEM, "out of memory");
        }
        json_decref(array);
        return r;
}

/* One -c: a Dockerfile instruction of the set docker allows for import. */
static int apply_change(json_t *config, const char *change, struct vs_error *err)
{
        const char *p = change + strspn(change, " \t");
        size_t len = strcspn(p, " \t");
        const char *arg = p + len + strspn(p + len, " \t");
        char word[16] = "";
        if (len < sizeof(word))
                memcpy(word, p, len);
        word[len < sizeof(word) ? len : 0] = '\0';
        if (!arg[0] && word[0])
                return vs_error_set(err, EINVAL, "%s requires at least one argument", word);
        if (strcasecmp(word, "CMD") == 0)
                return json_object_set_new(config, "Cmd", command_value(arg)) < 0 ? -ENOMEM : 0;
        if (strcasecmp(word, "ENTRYPOINT") == 0)
                return json_object_set_new(config, "Entrypoint", command_value(arg)) < 0 ? -ENOMEM : 0;
        if (strcasecmp(word, "USER") == 0)
                return json_object_set_new(config, "User", json_string(arg)) < 0 ? -ENOMEM : 0;
        if (strcasecmp(word, "WORKDIR") == 0)
                return json_object_set_new(config, "WorkingDir", json_string(arg)) < 0 ? -ENOMEM : 0;
        if (strcasecmp(word, "ENV") == 0)
                return change_env(config, arg, err);
        if (strcasecmp(word, "LABEL") == 0)
                return change_label(config, arg, err);
        if (strcasecmp(word, "EXPOSE") == 0)
                return change_set(config, "ExposedPorts", arg, true, err);
        if (strcasecmp(word, "VOLUME") == 0)
                return change_set(config, "Volumes", arg, false, err);
        return vs_error_set(err, EINVAL,
                            "%.*s is not a valid change command (use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, "
                            "VOLUME or WORKDIR)",
                            (int) (len ? len : strlen(p)), p);
}

static int import_source(const char *source, int *fd, struct vs_error *err)
{
        if (strcmp(source, "-") == 0) {
                *fd = -1;
                return 0;
        }
        if (strstr(source, "://"))
                return vs_error_set(err, ENOTSUP,
                                    "%s: importing from a URL is not supported: download the file "
                                    "and import it, or pipe it to \"vessel import -\"",
                                    source);
        *fd = open(source, O_RDONLY | O_CLOEXEC);
        if (*fd < 0)
                return vs_error_syscall(err, "cannot open %s", source);
        return 0;
}

static int import_run(const struct globals *g, const char *source, struct vs_import_options *opts)
{
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int fd = -1;
        struct vs_store *s = NULL;
        char id[VS_DIGEST_MAX];
        int r = import_source(source, &fd, &err);
        if (r == 0 && fd < 0 && isatty(STDIN_FILENO))
                r = vs_error_set(&err, EINVAL, "import from stdin, but stdin is a terminal");
        if (r == 0)
                r = open_store(g, &s, &err);
        if (r == 0)
                r = vs_archive_import(s, fd >= 0 ? fd : STDIN_FILENO, opts, id, &err);
        vs_store_close(s);
        if (r < 0) {
                vs_error_wrap(&err, "import");
                return fail(&err);
        }
        printf("%s\n", id);
        return 0;
}

int cmd_import(const struct globals *g, int argc, char **argv)
{
        enum {
                OPT_PLATFORM = 1000
        };
        static const struct option longopts[] = {
                {"change", required_argument, NULL, 'c'},
                {"message", required_argument, NULL, 'm'},
                {"platform", required_argument, NULL, OPT_PLATFORM},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        _cleanup_(json_decrefp) json_t *config = json_object();
        struct vs_platform platform = {0};
        struct vs_import_options opts = {.config = config};
        struct vs_error err = VS_ERROR_INIT;
        int c, r = 0;
        if (!config)
                return fail_usage("out of memory");
        while (r == 0 && (c = next_option(argc, argv, "c:m:h", longopts)) != -1) {
                switch (c) {
                case 'c':
                        if (apply_change(config, optarg, &err) < 0)
                                r = fail_usage("invalid change \"%s\": %s", optarg,
                                               err.msg[0] ? err.msg : "out of memory");
                        break;
                case 'm':
                        opts.message = optarg;
                        break;
                case OPT_PLATFORM:
                        vs_platform_free(&platform);
                        if (vs_platform_parse(optarg, &platform, &err) < 0)
                                r = fail_usage("%s", err.msg);
                        opts.platform = &platform;
                        break;
                case 'h':
                        print_help(import_usage, "Import the contents from a tarball to create a filesystem image",
                                   import_options);
                        vs_platform_free(&platform);
                        return 0;
                default:
                        r = 125;
                }
        }
        if (r == 0 && !want_args(argc, argv, 1, 2, import_usage))
                r = 125;
        if (r == 0) {
                opts.source = argv[optind];
                opts.name = optind + 1 < argc ? argv[optind + 1] : NULL;
                r = import_run(g, opts.source, &opts);
        }
        vs_platform_free(&platform);
        return r;
}
