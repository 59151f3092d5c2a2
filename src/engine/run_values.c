/* vessel: the values of `run`/`create`'s flags: sizes, restart policies,
 * capabilities, namespaces, security options, ulimits, devices, throttles,
 * env and label files. Errors give the reason only; run_options.c names the
 * flag and the value around it. Mounts have their own file (run_mounts.c). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/run_internal.h"
#include "oci/names.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/files.h"

int vs_run_strv_add(char ***list, const char *s)
{
        size_t n = vs_run_strv_len(*list);
        char *copy = strdup(s);
        char **grown = copy ? realloc(*list, (n + 2) * sizeof(char *)) : NULL;
        if (!grown) {
                free(copy);
                return -ENOMEM;
        }
        grown[n] = copy;
        grown[n + 1] = NULL;
        *list = grown;
        return 0;
}

size_t vs_run_strv_len(char *const *list)
{
        size_t n = 0;
        while (list && list[n])
                n++;
        return n;
}

/* ---- sizes and numbers ---- */

static int64_t unit_multiplier(char c)
{
        switch (tolower((unsigned char) c)) {
        case 'k':
                return INT64_C(1) << 10;
        case 'm':
                return INT64_C(1) << 20;
        case 'g':
                return INT64_C(1) << 30;
        case 't':
                return INT64_C(1) << 40;
        case 'p':
                return INT64_C(1) << 50;
        default:
                return 0;
        }
}

/* go-units' RAMInBytes: ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$ */
int vs_parse_size(const char *text, int64_t *ret)
{
        const char *p = text;
        if (!isdigit((unsigned char) *p))
                return -EINVAL;
        while (isdigit((unsigned char) *p) || (*p == '.' && isdigit((unsigned char) p[1])))
                p++;
        double number = strtod(text, NULL);
        if (*p == ' ')
                p++;
        int64_t mult = 1;
        if (*p && unit_multiplier(*p)) {
                mult = unit_multiplier(*p);
                p++;
        }
        if (*p == 'i' || *p == 'I')
                p++;
        if (*p == 'b' || *p == 'B')
                p++;
        if (*p || !isfinite(number) || number * (double) mult >= 9.2e18)
                return -EINVAL;
        *ret = (int64_t) (number * (double) mult);
        return 0;
}

int vs_run_parse_int(const char *spec, int64_t min, int64_t max, int64_t *ret, struct vs_error *err)
{
        char *end;
        errno = 0;
        long long v = strtoll(spec, &end, 10);
        if (!*spec || *end || errno == ERANGE)
                return vs_error_set(err, EINVAL, "strconv.ParseInt: parsing \"%s\": invalid syntax", spec);
        if (v < min || v > max)
                return vs_error_set(err, ERANGE, "value out of range [%" PRId64 ", %" PRId64 "]", min, max);
        *ret = v;
        return 0;
}

/* --cpus 1.5: docker keeps nano-CPUs and refuses more precision than that. */
int vs_run_parse_cpus(const char *spec, int64_t *ret, struct vs_error *err)
{
        char *end;
        double v = strtod(spec, &end);
        if (!*spec || *end || !isfinite(v) || v < 0 || isspace((unsigned char) *spec))
                return vs_error_set(err, EINVAL, "failed to parse %s as a rational number", spec);
        double nano = v * 1e9;
        if (nano > 9.2e18)
                return vs_error_set(err, ERANGE, "value is too large");
        int64_t rounded = (int64_t) (nano + 0.5); /* no libm: v >= 0 */
        double diff = nano - (double) rounded;
        if (diff > 1e-3 || diff < -1e-3)
                return vs_error_set(err, EINVAL, "value is too precise");
        *ret = rounded;
        return 0;
}

/* "0-3,5": what cpuset.cpus and cpuset.mems take. */
int vs_run_parse_cpuset(const char *spec, struct vs_error *err)
{
        const char *p = spec;
        while (*p) {
                char *end;
                unsigned long a = strtoul(p, &end, 10), b = a;
                if (end == p || !isdigit((unsigned char) *p))
                        return vs_error_set(err, EINVAL, "invalid format: %s", spec);
                p = end;
                if (*p == '-') {
                        b = strtoul(++p, &end, 10);
                        if (end == p || !isdigit((unsigned char) *p) || b < a)
                                return vs_error_set(err, EINVAL, "invalid format: %s", spec);
                        p = end;
                }
                if (*p == ',' && p[1])
                        p++;
                else if (*p)
                        return vs_error_set(err, EINVAL, "invalid format: %s", spec);
        }
        return p == spec ? vs_error_set(err, EINVAL, "invalid format: %s", spec) : 0;
}

/* ---- restart, capabilities, namespaces ---- */

int vs_run_parse_restart(const char *spec, enum vs_restart_policy *ret, int *ret_max, struct vs_error *err)
{
        static const struct vs_oci_name_value policies[] = {
                {"no", VS_RESTART_NO},
                {"always", VS_RESTART_ALWAYS},
                {"unless-stopped", VS_RESTART_UNLESS_STOPPED},
                {"on-failure", VS_RESTART_ON_FAILURE},
        };
        _cleanup_free_ char *name = strdup(spec);
        if (!name)
                return vs_error_set(err, ENOMEM, "out of memory");
        char *count = strchr(name, ':');
        if (count)
                *count++ = '\0';
        const struct vs_oci_name_value *p = vs_oci_name_lookup(policies, VS_ARRAY_SIZE(policies), name);
        if (!p)
                return vs_error_set(err, EINVAL,
                                    "unknown policy '%s'; use one of 'no', 'always', 'on-failure', or "
                                    "'unless-stopped'",
                                    name);
        int64_t max = 0;
        if (count && p->value != VS_RESTART_ON_FAILURE)
                return vs_error_set(err, EINVAL, "maximum retry count can only be used with 'on-failure'");
        if (count && vs_run_parse_int(count, INT32_MIN, INT32_MAX, &max, err) < 0)
                return vs_error_set(err, EINVAL, "maximum retry count must be an integer");
        if (max < 0)
                return vs_error_set(err, EINVAL, "maximum retry count cannot be negative");
        *ret = (enum vs_restart_policy) p->value;
        *ret_max = (int) max;
        return 0;
}

int vs_run_parse_capability(const char *name, char **ret, struct vs_error *err)
{
        char upper[64];
        if (strcasecmp(name, "ALL") == 0) {
                *ret = strdup("ALL");
                return *ret ? 0 : vs_error_set(err, ENOMEM, "out of memory");
        }
        int n = snprintf(upper, sizeof(upper), "%s%s", strncasecmp(name, "CAP_", 4) == 0 ? "" : "CAP_", name);
        if (n < 0 || (size_t) n >= sizeof(upper))
                return vs_error_set(err, EINVAL, "unknown capability: \"%s\"", name);
        for (char *p = upper; *p; p++)
                *p = (char) toupper((unsigned char) *p);
        if (vs_oci_capability_number(upper) < 0)
                return vs_error_set(err, EINVAL, "unknown capability: \"%s\"", upper);
        *ret = strdup(upper);
        return *ret ? 0 : vs_error_set(err, ENOMEM, "out of memory");
}

/* `modes` lists what the flag takes beyond "container:NAME" (when it is in
 * the list as "container:"): "host", "private", "shareable", "none". */
int vs_run_parse_namespace(const char *spec, const char *const *modes, struct vs_run_namespace *ret,
                           struct vs_error *err)
{
        static const struct vs_oci_name_value names[] = {
                {"", VS_NS_MODE_PRIVATE},  {"private", VS_NS_MODE_PRIVATE},
                {"host", VS_NS_MODE_HOST}, {"shareable", VS_NS_MODE_SHAREABLE},
                {"none", VS_NS_MODE_NONE},
        };
        if (strncmp(spec, "container:", 10) == 0 && vs_oci_name_in_list(modes, "container:")) {
                if (!spec[10])
                        return vs_error_set(err, EINVAL, "container name or id is required");
                char *c = strdup(spec + 10);
                if (!c)
                        return vs_error_set(err, ENOMEM, "out of memory");
                free(ret->container);
                *ret = (struct vs_run_namespace){.mode = VS_NS_MODE_CONTAINER, .set = true, .container = c};
                return 0;
        }
        const struct vs_oci_name_value *m = vs_oci_name_lookup(names, VS_ARRAY_SIZE(names), spec);
        if (!m || (spec[0] && !vs_oci_name_in_list(modes, spec)))
                return vs_error_set(err, EINVAL, "invalid mode: %s", spec);
        free(ret->container);
        *ret = (struct vs_run_namespace){.mode = (enum vs_ns_mode) m->value, .set = spec[0] != '\0'};
        return 0;
}

/* ---- --security-opt ---- */

/* "no-new-privileges", "no-new-privileges:true", "no-new-privileges=false". */
static int parse_no_new_privileges(const char *value, bool *ret, struct vs_error *err)
{
        if (!value || strcmp(value, "true") == 0)
                *ret = true;
        else if (strcmp(value, "false") == 0)
                *ret = false;
        else
                return vs_error_set(err, EINVAL, "invalid --security-opt 2: \"no-new-privileges=%s\"", value);
        return 0;
}

static int replace(char **field, const char *value, struct vs_error *err)
{
        char *copy = strdup(value);
        if (!copy)
                return vs_error_set(err, ENOMEM, "out of memory");
        free(*field);
        *field = copy;
        return 0;
}

int vs_run_parse_security_opt(const char *spec, struct vs_run_options *o, struct vs_error *err)
{
        if (strncmp(spec, "no-new-privileges", 17) == 0 && (!spec[17] || spec[17] == ':' || spec[17] == '='))
                return parse_no_new_privileges(spec[17] ? spec + 18 : NULL, &o->no_new_privileges, err);
        const char *eq = strpbrk(spec, "=:");
        if (!eq || !eq[1])
                return vs_error_set(err, EINVAL, "invalid --security-opt 1: \"%s\"", spec);
        const char *value = eq + 1;
        size_t klen = (size_t) (eq - spec);
        if (klen == 7 && strncmp(spec, "seccomp", 7) == 0) {
                o->seccomp_unconfined = strcmp(value, "unconfined") == 0;
                if (o->seccomp_unconfined) {
                        free(o->seccomp_profile);
                        o->seccomp_profile = NULL;
                        return 0;
                }
                return replace(&o->seccomp_profile, value, err);
        }
        if (klen == 8 && strncmp(spec, "apparmor", 8) == 0)
                return replace(&o->apparmor_profile, value, err);
        if (klen == 11 && strncmp(spec, "systempaths", 11) == 0 && strcmp(value, "unconfined") == 0) {
                o->systempaths_unconfined = true;
                return 0;
        }
        if (klen == 5 && strncmp(spec, "label", 5) == 0) {
                static const char *const label_keys[] = {"user:", "role:", "type:", "level:", NULL};
                bool known = strcmp(value, "disable") == 0 || strcmp(value, "nested") == 0;
                for (size_t i = 0; !known && label_keys[i]; i++)
                        known = strncmp(value, label_keys[i], strlen(label_keys[i])) == 0;
                if (!known)
                        return vs_error_set(err, EINVAL, "invalid --security-opt 2: \"%s\"", spec);
                return vs_run_strv_add(&o->label_opts, value) < 0 ? vs_error_set(err, ENOMEM, "out of memory") : 0;
        }
        return vs_error_set(err, EINVAL, "invalid --security-opt 2: \"%s\"", spec);
}

/* ---- --ulimit, --device, --device-*-bps/iops, --log-opt, --sysctl ---- */

static int parse_limit(const char *text, uint64_t *ret)
{
        if (strcmp(text, "unlimited") == 0 || strcmp(text, "-1") == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 10);
        if (!isdigit((unsigned char) *text) || *end || errno == ERANGE)
                return -EINVAL;
        *ret = v;
        return 0;
}

int vs_run_parse_ulimit(const char *spec, struct vs_run_ulimit *ret, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(spec);
        if (!copy)
                return vs_error_set(err, ENOMEM, "out of memory");
        char *value = strchr(copy, '=');
        if (!value)
                return vs_error_set(err, EINVAL, "invalid ulimit argument: %s", spec);
        *value++ = '\0';
        char type[32];
        snprintf(type, sizeof(type), "RLIMIT_%s", copy);
        for (char *p = type; *p; p++)
                *p = (char) toupper((unsigned char) *p);
        if (!vs_oci_name_lookup(vs_oci_rlimits, vs_oci_n_rlimits, type) || strlen(copy) > 20)
                return vs_error_set(err, EINVAL, "invalid ulimit type: %s", copy);
        char *hard = strchr(value, ':');
        if (hard)
                *hard++ = '\0';
        uint64_t soft_v, hard_v;
        if (parse_limit(value, &soft_v) < 0 || (hard && parse_limit(hard, &hard_v) < 0))
                return vs_error_set(err, EINVAL, "invalid ulimit argument: %s", spec);
        if (!hard)
                hard_v = soft_v;
        if (soft_v > hard_v)
                return vs_error_set(err, EINVAL, "ulimit soft limit must be less than or equal to hard limit: %s",
                                    spec);
        ret->name = strdup(copy);
        ret->type = strdup(type);
        ret->soft = soft_v;
        ret->hard = hard_v;
        return ret->name && ret->type ? 0 : vs_error_set(err, ENOMEM, "out of memory");
}

static bool valid_permissions(const char *p)
{
        if (!*p || strlen(p) > 3)
                return false;
        for (; *p; p++)
                if (!strchr("rwm", *p) || strchr(p + 1, *p))
                        return false;
        return true;
}

int vs_run_parse_device(const char *spec, struct vs_run_device *ret, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(spec);
        if (!copy)
                return vs_error_set(err, ENOMEM, "out of memory");
        char *parts[4] = {copy, NULL, NULL, NULL};
        size_t n = 1;
        for (char *p = copy; (p = strchr(p, ':')) && n < 4; n++) {
                *p++ = '\0';
                parts[n] = p;
        }
        if (n > 3)
                return vs_error_set(err, EINVAL, "invalid device specification: %s", spec);
        const char *host = parts[0], *container = parts[0], *perms = "rwm";
        if (n == 2 && valid_permissions(parts[1]))
                perms = parts[1];
        else if (n >= 2)
                container = parts[1];
        if (n == 3)
                perms = parts[2];
        if (host[0] != '/' || container[0] != '/')
                return vs_error_set(err, EINVAL, "%s is not an absolute path", host[0] != '/' ? host : container);
        if (!valid_permissions(perms))
                return vs_error_set(err, EINVAL, "invalid device mode: %s", perms);
        ret->host_path = strdup(host);
        ret->container_path = strdup(container);
        ret->permissions = strdup(perms);
        if (!ret->host_path || !ret->container_path || !ret->permissions)
                return vs_error_set(err, ENOMEM, "out of memory");
        return 0;
}

int vs_run_parse_throttle(const char *spec, bool bytes, struct vs_run_throttle *ret, struct vs_error *err)
{
        const char *colon = strrchr(spec, ':');
        if (!colon || colon == spec || strncmp(spec, "/dev/", 5) != 0)
                return vs_error_set(err, EINVAL, "bad format: %s", spec);
        int64_t rate;
        if (bytes ? vs_parse_size(colon + 1, &rate) < 0
                  : vs_run_parse_int(colon + 1, 0, INT64_MAX, &rate, err) < 0 || rate < 0)
                return vs_error_set(err, EINVAL, "invalid rate for device: %s. The correct format is <device-path>:%s",
                                    spec,
                                    bytes ? "<number>[<unit>]. Number must be a positive integer. Unit is "
                                            "optional and can be kb, mb, or gb"
                                          : "<number>. Number must be a positive integer");
        ret->path = strndup(spec, (size_t) (colon - spec));
        ret->rate = (uint64_t) rate;
        return ret->path ? 0 : vs_error_set(err, ENOMEM, "out of memory");
}

int vs_run_parse_log_opt(const char *spec, struct vs_run_options *o, struct vs_error *err)
{
        const char *eq = strchr(spec, '=');
        if (!eq)
                return vs_error_set(err, EINVAL, "invalid key value pair format in log options: %s", spec);
        if (strncmp(spec, "max-size=", 9) == 0) {
                if (vs_parse_size(eq + 1, &o->log_max_size) < 0 || o->log_max_size <= 0)
                        return vs_error_set(err, EINVAL, "invalid size: '%s'", eq + 1);
        } else if (strncmp(spec, "max-file=", 9) == 0) {
                int64_t n;
                if (vs_run_parse_int(eq + 1, 1, INT32_MAX, &n, err) < 0)
                        return vs_error_set(err, EINVAL, "max-file must be a positive integer: %s", eq + 1);
                o->log_max_file = (int) n;
        } else if (strncmp(spec, "compress=", 9) != 0 && strncmp(spec, "labels=", 7) != 0 &&
                   strncmp(spec, "env=", 4) != 0 && strncmp(spec, "tag=", 4) != 0) {
                return vs_error_set(err, EINVAL, "unknown log opt '%.*s' for json-file log driver", (int) (eq - spec),
                                    spec);
        }
        return vs_run_strv_add(&o->log_opts, spec) < 0 ? vs_error_set(err, ENOMEM, "out of memory") : 0;
}

/* Docker's namespaced sysctls: the IPC ones and net.*, which the container's
 * own namespaces scope; anything else would change the host. */
int vs_run_parse_sysctl(const char *spec, struct vs_error *err)
{
        static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",          "kernel.msgmni",
                                          "kernel.sem",    "kernel.shmall",          "kernel.shmmax",
                                          "kernel.shmmni", "kernel.shm_rmid_forced", NULL};
        const char *eq = strchr(spec, '=');
        if (!eq || eq == spec)
                return vs_error_set(err, EINVAL, "sysctl '%s' is not allowed: want KEY=VALUE", spec);
        _cleanup_free_ char *key = strndup(spec, (size_t) (eq - spec));
        if (!key)
                return vs_error_set(err, ENOMEM, "out of memory");
        if (vs_oci_name_in_list(ipc, key) || strncmp(key, "fs.mqueue.", 10) == 0 || strncmp(key, "net.", 4) == 0)
                return 0;
        return vs_error_set(err, EINVAL, "sysctl '%s' is not allowed", key);
}

/* ---- -e and --env-file, -l and --label-file ---- */

int vs_run_env_value(const char *text, char **ret)
{
        const char *value = strchr(text, '=') ? NULL : getenv(text);
        if (value) {
                if (asprintf(ret, "%s=%s", text, value) < 0)
                        return -ENOMEM;
                return 0;
        }
        *ret = strdup(text);
        return *ret ? 0 : -ENOMEM;
}

/* docker's ParseEnvFile: leading blanks dropped, blank and # lines skipped,
 * a variable name without whitespace, a bare name looked up in the
 * environment (env files) or given an empty value (label files). */
static int kv_line(const char *path, unsigned lineno, char *line, bool lookup_env, char ***list, struct vs_error *err)
{
        while (*line == ' ' || *line == '\t')
                line++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line || *line == '#')
                return 0;
        size_t name_len = strcspn(line, "=");
        if (name_len == 0)
                return vs_error_set(err, EINVAL, "%s:%u: no variable name", path, lineno);
        if (strcspn(line, " \t\n\v\f\r") < name_len)
                return vs_error_set(err, EINVAL, "%s:%u: variable '%.*s' contains whitespaces", path, lineno,
                                    (int) name_len, line);
        _cleanup_free_ char *entry = NULL;
        int r;
        if (lookup_env)
                r = vs_run_env_value(line, &entry);
        else if (line[name_len])
                r = (entry = strdup(line)) ? 0 : -ENOMEM;
        else if (asprintf(&entry, "%s=", line) < 0)
                r = -ENOMEM, entry = NULL;
        else
                r = 0;
        if (r < 0 || vs_run_strv_add(list, entry) < 0)
                return vs_error_set(err, ENOMEM, "out of memory");
        return 0;
}

int vs_run_read_kv_file(const char *path, bool lookup_env, char ***list, struct vs_error *err)
{
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = vs_read_file(path, &text, &len, err);
        if (r < 0)
                return r;
        if (strlen(text) != len)
                return vs_error_set(err, EINVAL, "%s: the file holds a NUL byte", path);
        char *line = text;
        if (strncmp(line, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte order mark */
                line += 3;
        unsigned lineno = 0;
        while (line && *line) {
                char *next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if ((r = kv_line(path, ++lineno, line, lookup_env, list, err)) < 0)
                        return r;
                line = next;
        }
        return 0;
}
