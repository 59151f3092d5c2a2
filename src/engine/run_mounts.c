/* vessel: -v, --mount and --tmpfs, parsed as docker's client and daemon do on
 * Linux. A source that is a path makes a bind mount, anything else names a
 * volume; "./x" is taken relative to the current directory, as docker's
 * client does since 23.0. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/run_internal.h"
#include "oci/mount_options.h"
#include "oci/names.h"
#include "util/cleanup.h"

#define OOM(err) vs_error_set(err, ENOMEM, "out of memory")

static const char *const propagations[] = {"shared", "slave", "private", "rshared", "rslave", "rprivate", NULL};

void vs_run_mount_clear(struct vs_run_mount *m)
{
        free(m->source);
        free(m->destination);
        free(m->propagation);
        vs_strv_free(m->options);
        vs_strv_free(m->volume_options);
        *m = (struct vs_run_mount){0};
}

static const char *type_name(enum vs_run_mount_type type)
{
        return type == VS_RUN_MOUNT_BIND ? "bind" : type == VS_RUN_MOUNT_VOLUME ? "volume" : "tmpfs";
}

/* Docker's local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
static bool valid_volume_name(const char *name)
{
        if (!isalnum((unsigned char) name[0]) || !name[1])
                return false;
        for (const char *p = name + 1; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("_.-", *p))
                        return false;
        return true;
}

static int check_destination(const char *spec, const struct vs_run_mount *m, struct vs_error *err)
{
        if (m->destination[0] != '/')
                return vs_error_set(err, EINVAL,
                                    "invalid mount config for type \"%s\": invalid mount path: '%s' mount path must "
                                    "be absolute",
                                    type_name(m->type), m->destination);
        if (strcmp(m->destination, "/") == 0)
                return vs_error_set(err, EINVAL,
                                    "invalid mount config for type \"%s\": invalid specification: destination can't "
                                    "be '/'",
                                    type_name(m->type));
        return 0;
}

/* The source of -v: an absolute path, "./x" or "../x" made absolute, or a volume name. */
static int set_source(const char *source, struct vs_run_mount *m, struct vs_error *err)
{
        if (source[0] == '/') {
                m->type = VS_RUN_MOUNT_BIND;
                m->source = strdup(source);
        } else if (source[0] == '.' && (source[1] == '/' || !source[1] || strncmp(source + 1, "./", 2) == 0 ||
                                        strcmp(source + 1, ".") == 0)) {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                if (!cwd)
                        return vs_error_syscall(err, "cannot resolve %s: cannot get the current directory", source);
                m->type = VS_RUN_MOUNT_BIND;
                if (asprintf(&m->source, "%s/%s", cwd, source) < 0)
                        m->source = NULL;
        } else {
                if (!valid_volume_name(source))
                        return vs_error_set(err, EINVAL,
                                            "\"%s\" includes invalid characters for a local volume name, only "
                                            "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a "
                                            "host directory, use absolute path",
                                            source);
                m->type = VS_RUN_MOUNT_VOLUME;
                m->source = strdup(source);
        }
        return m->source ? 0 : OOM(err);
}

/* One word of -v's MODE. Each kind (rw/ro, z/Z, propagation, nocopy) at most once. */
static int apply_mode_word(const char *word, struct vs_run_mount *m, unsigned *seen, struct vs_error *err)
{
        unsigned kind;
        if (strcmp(word, "ro") == 0 || strcmp(word, "rw") == 0) {
                kind = 1;
                m->readonly = word[1] == 'o';
        } else if (strcmp(word, "z") == 0 || strcmp(word, "Z") == 0) {
                kind = 2;
                m->relabel = word[0];
        } else if (vs_oci_name_in_list(propagations, word) && m->type == VS_RUN_MOUNT_BIND) {
                kind = 4;
                if (!(m->propagation = strdup(word)))
                        return OOM(err);
        } else if (strcmp(word, "nocopy") == 0 && m->type == VS_RUN_MOUNT_VOLUME) {
                kind = 8;
                m->nocopy = true;
        } else if (strcmp(word, "consistent") == 0 || strcmp(word, "cached") == 0 || strcmp(word, "delegated") == 0) {
                kind = 16; /* macOS file sharing hints: nothing to do on Linux */
        } else {
                return -EINVAL;
        }
        if (*seen & kind)
                return -EINVAL;
        *seen |= kind;
        return 0;
}

static int apply_mode(const char *mode, struct vs_run_mount *m, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(mode);
        unsigned seen = 0;
        if (!copy)
                return OOM(err);
        char *save = NULL;
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                int r = apply_mode_word(w, m, &seen, err);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return vs_error_set(err, EINVAL, "invalid mode: %s", mode);
        }
        return seen ? 0 : vs_error_set(err, EINVAL, "invalid mode: %s", mode);
}

/* Whether every word of `text` is a valid -v mode (to tell DST:MODE from SRC:DST). */
static bool is_mode(const char *text)
{
        struct vs_run_mount probe = {.type = VS_RUN_MOUNT_VOLUME};
        struct vs_error ignored = VS_ERROR_INIT;
        bool ok = apply_mode(text, &probe, &ignored) == 0;
        vs_run_mount_clear(&probe);
        return ok;
}

static int parse_volume_parts(char **parts, size_t n, struct vs_run_mount *m, struct vs_error *err)
{
        int r;
        const char *source = NULL, *mode = NULL;
        if (n == 1 || (n == 2 && is_mode(parts[1]))) {
                mode = n == 2 ? parts[1] : NULL;
                m->type = VS_RUN_MOUNT_VOLUME; /* anonymous */
        } else {
                source = parts[0];
                parts++;
                mode = n == 3 ? parts[1] : NULL;
        }
        if (source && (r = set_source(source, m, err)) < 0)
                return r;
        if (!(m->destination = strdup(parts[0])))
                return OOM(err);
        if ((r = check_destination(NULL, m, err)) < 0)
                return r;
        return mode ? apply_mode(mode, m, err) : 0;
}

int vs_run_parse_volume(const char *spec, struct vs_run_mount *ret, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(spec);
        if (!copy)
                return OOM(err);
        char *parts[4] = {NULL};
        size_t n = 0;
        for (char *p = copy; p && n < 4; n++) {
                parts[n] = p;
                if ((p = strchr(p, ':')))
                        *p++ = '\0';
        }
        if (n > 3 || !*parts[0] || (n >= 2 && !*parts[1]) || (n == 3 && !*parts[2]))
                return vs_error_set(err, EINVAL, "invalid volume specification: '%s'", spec);
        struct vs_run_mount m = {0};
        int r = parse_volume_parts(parts, n, &m, err);
        if (r < 0) {
                vs_run_mount_clear(&m);
                return r;
        }
        *ret = m;
        return 0;
}

/* ---- --mount type=...,source=...,target=...,... ---- */

/* Go's strconv.ParseBool, with a bare key meaning true. */
static int parse_bool(const char *value, bool *ret)
{
        static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True", NULL};
        static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False", NULL};
        if (!value || vs_oci_name_in_list(yes, value))
                *ret = true;
        else if (vs_oci_name_in_list(no, value))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

static int set_string(char **field, const char *value, struct vs_error *err)
{
        free(*field);
        *field = strdup(value);
        return *field ? 0 : OOM(err);
}

/* bit 1: a bind-* key was given, bit 2: a volume-* key, bit 4: a tmpfs-* key. */
static int mount_field_bind(const char *key, const char *value, struct vs_run_mount *m, unsigned *uses,
                            struct vs_error *err)
{
        *uses |= 1;
        bool b = false;
        if (strcmp(key, "bind-propagation") == 0) {
                if (!value || !vs_oci_name_in_list(propagations, value))
                        return vs_error_set(err, EINVAL, "invalid propagation mode: %s", value ? value : "");
                return set_string(&m->propagation, value, err);
        }
        if (strcmp(key, "bind-nonrecursive") == 0 && parse_bool(value, &b) == 0) {
                m->bind_nonrecursive = b;
                return 0;
        }
        if (strcmp(key, "bind-recursive") == 0 && value &&
            (strcmp(value, "enabled") == 0 || strcmp(value, "disabled") == 0)) {
                m->bind_nonrecursive = strcmp(value, "disabled") == 0;
                return 0;
        }
        return -EINVAL;
}

static int mount_field_tmpfs(const char *key, const char *value, struct vs_run_mount *m, unsigned *uses,
                             struct vs_error *err)
{
        *uses |= 4;
        int64_t v;
        char opt[64];
        if (!value)
                return -EINVAL;
        if (strcmp(key, "tmpfs-size") == 0) {
                if (vs_parse_size(value, &v) < 0)
                        return vs_error_set(err, EINVAL, "invalid value for %s: %s", key, value);
                snprintf(opt, sizeof(opt), "size=%lldk", (long long) ((v + 1023) / 1024));
        } else if (strcmp(key, "tmpfs-mode") == 0) {
                char *end;
                unsigned long mode = strtoul(value, &end, 8);
                if (!*value || *end || mode > 07777)
                        return vs_error_set(err, EINVAL, "invalid value for %s: %s", key, value);
                snprintf(opt, sizeof(opt), "mode=%lo", mode);
        } else {
                return -EINVAL;
        }
        return vs_run_strv_add(&m->options, opt) < 0 ? OOM(err) : 0;
}

static int mount_field(const char *key, const char *value, struct vs_run_mount *m, unsigned *uses, struct vs_error *err)
{
        bool b = false;
        if (strcmp(key, "type") == 0 && value) {
                static const char *const types[] = {"bind", "volume", "tmpfs", NULL};
                if (!vs_oci_name_in_list(types, value))
                        return vs_error_set(err, EINVAL, "invalid mount type: %s", value);
                m->type = value[0] == 'b'   ? VS_RUN_MOUNT_BIND
                          : value[0] == 'v' ? VS_RUN_MOUNT_VOLUME
                                            : VS_RUN_MOUNT_TMPFS;
                return 0;
        }
        if ((strcmp(key, "source") == 0 || strcmp(key, "src") == 0) && value)
                return set_string(&m->source, value, err);
        if ((strcmp(key, "target") == 0 || strcmp(key, "destination") == 0 || strcmp(key, "dst") == 0) && value)
                return set_string(&m->destination, value, err);
        if ((strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0) && parse_bool(value, &b) == 0) {
                m->readonly = b;
                return 0;
        }
        if (strcmp(key, "consistency") == 0)
                return 0;
        if (strncmp(key, "bind-", 5) == 0)
                return mount_field_bind(key, value, m, uses, err);
        if (strncmp(key, "tmpfs-", 6) == 0)
                return mount_field_tmpfs(key, value, m, uses, err);
        if (strcmp(key, "volume-nocopy") == 0 && parse_bool(value, &b) == 0) {
                *uses |= 2;
                m->nocopy = b;
                return 0;
        }
        if (strcmp(key, "volume-opt") == 0 && value && strchr(value, '=')) {
                *uses |= 2;
                return vs_run_strv_add(&m->volume_options, value) < 0 ? OOM(err) : 0;
        }
        if (strcmp(key, "volume-driver") == 0 && value) {
                *uses |= 2;
                return strcmp(value, "local") == 0 ? 0 : vs_error_set(err, EINVAL, "unknown volume driver: %s", value);
        }
        return -EINVAL;
}

static int check_mount(const struct vs_run_mount *m, unsigned uses, struct vs_error *err)
{
        static const unsigned allowed[] = {
                [VS_RUN_MOUNT_BIND] = 1, [VS_RUN_MOUNT_VOLUME] = 2, [VS_RUN_MOUNT_TMPFS] = 4};
        static const char *const prefix[] = {"", "bind", "volume", "", "tmpfs"};
        if (!m->destination)
                return vs_error_set(err, EINVAL, "target is required");
        unsigned stray = uses & ~allowed[m->type];
        if (stray)
                return vs_error_set(err, EINVAL, "cannot mix '%s-*' options with mount type '%s'",
                                    prefix[stray & 1   ? 1
                                           : stray & 2 ? 2
                                                       : 4],
                                    type_name(m->type));
        if (m->type == VS_RUN_MOUNT_BIND && !m->source)
                return vs_error_set(err, EINVAL,
                                    "invalid mount config for type \"bind\": field Source must not be "
                                    "empty");
        if (m->type == VS_RUN_MOUNT_BIND && m->source[0] != '/')
                return vs_error_set(err, EINVAL,
                                    "invalid mount config for type \"bind\": invalid mount path: '%s' mount path "
                                    "must be absolute",
                                    m->source);
        if (m->type == VS_RUN_MOUNT_TMPFS && m->source)
                return vs_error_set(err, EINVAL,
                                    "invalid mount config for type \"tmpfs\": field Source must not be "
                                    "specified");
        if (m->type == VS_RUN_MOUNT_VOLUME && m->source && !valid_volume_name(m->source))
                return vs_error_set(err, EINVAL, "\"%s\" includes invalid characters for a local volume name",
                                    m->source);
        return check_destination(NULL, m, err);
}

static int parse_mount_fields(char *copy, const char *spec, struct vs_run_mount *m, struct vs_error *err)
{
        unsigned uses = 0;
        char *save = NULL;
        for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
                char *value = strchr(f, '=');
                if (value)
                        *value++ = '\0';
                if (!value && strcmp(f, "readonly") != 0 && strcmp(f, "ro") != 0 && strcmp(f, "volume-nocopy") != 0 &&
                    strcmp(f, "bind-nonrecursive") != 0)
                        return vs_error_set(err, EINVAL, "invalid field '%s' must be a key=value pair", f);
                int r = mount_field(f, value, m, &uses, err);
                if (r == -EINVAL && !err->code)
                        return vs_error_set(err, EINVAL, "unexpected key '%s' in '%s%s%s'", f, f, value ? "=" : "",
                                            value ? value : "");
                if (r < 0)
                        return r;
        }
        return check_mount(m, uses, err);
}

int vs_run_parse_mount(const char *spec, struct vs_run_mount *ret, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(spec);
        struct vs_run_mount m = {.type = VS_RUN_MOUNT_VOLUME};
        if (!copy)
                return OOM(err);
        err->code = 0;
        int r = parse_mount_fields(copy, spec, &m, err);
        if (r < 0) {
                vs_run_mount_clear(&m);
                return r;
        }
        *ret = m;
        return 0;
}

/* ---- --tmpfs /dst[:options] ---- */

static bool valid_tmpfs_option(const char *opt)
{
        static const char *const data_keys[] = {
                "size=", "mode=", "uid=", "gid=", "nr_inodes=", "nr_blocks=", "mpol=", "huge=", NULL};
        struct vs_oci_mount_option_info info;
        if (vs_oci_mount_option_lookup(opt, &info))
                return info.kind == VS_OCI_MOUNT_OPT_FLAG || info.kind == VS_OCI_MOUNT_OPT_EXTENSION;
        for (size_t i = 0; data_keys[i]; i++)
                if (strncmp(opt, data_keys[i], strlen(data_keys[i])) == 0 && opt[strlen(data_keys[i])])
                        return true;
        return false;
}

static int parse_tmpfs_options(const char *options, struct vs_run_mount *m, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(options);
        char *save = NULL;
        if (!copy)
                return OOM(err);
        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                if (!valid_tmpfs_option(o))
                        return vs_error_set(err, EINVAL, "invalid tmpfs option \"%s\"", o);
                if (strcmp(o, "ro") == 0 || strcmp(o, "rw") == 0)
                        m->readonly = o[1] == 'o';
                else if (vs_run_strv_add(&m->options, o) < 0)
                        return OOM(err);
        }
        return 0;
}

int vs_run_parse_tmpfs(const char *spec, struct vs_run_mount *ret, struct vs_error *err)
{
        struct vs_run_mount m = {.type = VS_RUN_MOUNT_TMPFS};
        const char *colon = strchr(spec, ':');
        int r = 0;
        m.destination = colon ? strndup(spec, (size_t) (colon - spec)) : strdup(spec);
        if (!m.destination)
                r = OOM(err);
        if (r == 0)
                r = check_destination(spec, &m, err);
        if (r == 0 && colon)
                r = parse_tmpfs_options(colon + 1, &m, err);
        if (r < 0) {
                vs_run_mount_clear(&m);
                return r;
        }
        *ret = m;
        return 0;
}
