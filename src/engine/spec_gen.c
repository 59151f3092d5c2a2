/* vessel: config.json for `vessel run`/`create`: the process (args, env,
 * user, cwd, capabilities, rlimits), the root, the hostname; the mounts and
 * the "linux" object have their own files. Keys are added in runc's order,
 * so the text is stable. */
#include "engine/spec_gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/run_internal.h"
#include "engine/spec_internal.h"
#include "oci/json.h"
#include "util/cleanup.h"
#include "vessel-config.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define INIT_PATH "/sbin/vessel-init"

/* ---- args ---- */

static int append_all(char ***list, const char *const *items)
{
        for (; items && *items; items++)
                if (vs_run_strv_add(list, *items) < 0)
                        return -ENOMEM;
        return 0;
}

int vs_spec_process_args(const struct vs_run_options *o, const struct vs_image_config *image,
                         const char *const *command, char ***ret, struct vs_error *err)
{
        const char *const *cmd = command ? command : (const char *const *) o->command;
        const char *const *entrypoint = image ? (const char *const *) image->entrypoint : NULL;
        const char *user_entrypoint[] = {o->entrypoint, NULL};
        if (o->has_entrypoint) {
                /* docker: a given entrypoint drops the image's Cmd; "" resets the entrypoint too. */
                entrypoint = o->entrypoint && o->entrypoint[0] ? user_entrypoint : NULL;
        } else if (!cmd && image) {
                cmd = (const char *const *) image->cmd;
        }
        _cleanup_strv_ char **args = NULL;
        if (append_all(&args, entrypoint) < 0 || append_all(&args, cmd) < 0)
                return VS_SPEC_OOM(err);
        if (!args || !args[0][0])
                return vs_error_set(err, EINVAL, "no command specified");
        *ret = TAKE_PTR(args);
        return 0;
}

/* ---- env ---- */

static size_t key_len(const char *entry)
{
        return strcspn(entry, "=");
}

/* docker's ReplaceOrAppendEnvValues: replace a key in place, append a new
 * one, and drop the key for a bare "K". */
static int replace_or_append(char ***env, const char *entry)
{
        size_t klen = key_len(entry), n = vs_run_strv_len(*env);
        for (size_t i = 0; i < n; i++) {
                if (key_len((*env)[i]) != klen || strncmp((*env)[i], entry, klen) != 0)
                        continue;
                free((*env)[i]);
                if (!entry[klen]) {
                        memmove(&(*env)[i], &(*env)[i + 1], (n - i) * sizeof(char *));
                        return 0;
                }
                return ((*env)[i] = strdup(entry)) ? 0 : -ENOMEM;
        }
        return entry[klen] ? vs_run_strv_add(env, entry) : 0;
}

static bool has_key(char *const *env, const char *key)
{
        for (; env && *env; env++)
                if (key_len(*env) == strlen(key) && strncmp(*env, key, strlen(key)) == 0)
                        return true;
        return false;
}

int vs_spec_process_env(const struct vs_run_options *o, const struct vs_image_config *image, const char *hostname,
                        const char *home, char ***ret, struct vs_error *err)
{
        _cleanup_strv_ char **env = NULL;
        _cleanup_free_ char *host = NULL, *home_entry = NULL;
        if (asprintf(&host, "HOSTNAME=%s", hostname) < 0 || asprintf(&home_entry, "HOME=%s", home ? home : "/") < 0)
                return VS_SPEC_OOM(err);
        if (vs_run_strv_add(&env, DEFAULT_PATH) < 0 || vs_run_strv_add(&env, host) < 0 ||
            (o->tty && vs_run_strv_add(&env, "TERM=xterm") < 0))
                return VS_SPEC_OOM(err);
        for (char **e = image ? image->env : NULL; e && *e; e++)
                if (replace_or_append(&env, *e) < 0)
                        return VS_SPEC_OOM(err);
        for (char **e = o->env; e && *e; e++)
                if (replace_or_append(&env, *e) < 0)
                        return VS_SPEC_OOM(err);
        /* runc sets HOME from the container's passwd at exec; vessel's runtime leaves it to the spec. */
        if (!has_key(env, "HOME") && vs_run_strv_add(&env, home_entry) < 0)
                return VS_SPEC_OOM(err);
        *ret = TAKE_PTR(env);
        return 0;
}

const char *vs_spec_user_arg(const struct vs_run_options *o, const struct vs_image_config *image)
{
        const char *user = o->user ? o->user : image ? image->user : NULL;
        return user && user[0] ? user : NULL;
}

/* ---- process ---- */

/* The placeholder of UINT64_MAX in the JSON tree, as src/oci/json.c keeps
 * integers jansson cannot hold: a string "\0<digits>". vs_spec_dump writes
 * it back as the bare number. */
#define BIG_MAX_TEXT "18446744073709551615"
#define BIG_MAX_QUOTED "\"\\u0000" BIG_MAX_TEXT "\""

static json_t *rlimit_value(uint64_t v)
{
        return v == UINT64_MAX ? json_stringn("\0" BIG_MAX_TEXT, sizeof(BIG_MAX_TEXT)) : json_integer((json_int_t) v);
}

static json_t *user_json(const struct vs_spec_user *u)
{
        json_t *user = json_pack("{s:I, s:I}", "uid", (json_int_t) u->uid, "gid", (json_int_t) u->gid);
        if (!user || !u->n_additional_gids)
                return user;
        json_t *gids = json_array();
        if (json_object_set_new(user, "additionalGids", gids) < 0) {
                json_decref(user);
                return NULL;
        }
        for (size_t i = 0; i < u->n_additional_gids; i++)
                if (!vs_spec_append(gids, json_integer(u->additional_gids[i]))) {
                        json_decref(user);
                        return NULL;
                }
        return user;
}

static json_t *rlimits_json(const struct vs_run_options *o)
{
        json_t *rlimits = json_array();
        for (size_t i = 0; rlimits && i < o->n_ulimits; i++) {
                const struct vs_run_ulimit *u = &o->ulimits[i];
                if (!vs_spec_append(rlimits, json_pack("{s:s, s:o, s:o}", "type", u->type, "hard",
                                                       rlimit_value(u->hard), "soft", rlimit_value(u->soft)))) {
                        json_decref(rlimits);
                        return NULL;
                }
        }
        return rlimits;
}

static int process_cwd(const struct vs_run_options *o, const struct vs_image_config *image, char **ret,
                       struct vs_error *err)
{
        const char *dir = o->workdir ? o->workdir : image && image->working_dir ? image->working_dir : "";
        if (o->workdir && o->workdir[0] != '/')
                return vs_error_set(err, EINVAL,
                                    "the working directory '%s' is invalid, it needs to be an absolute path (-w, "
                                    "--workdir)",
                                    o->workdir);
        return asprintf(ret, "%s%s", dir[0] == '/' ? "" : "/", dir) < 0 ? VS_SPEC_OOM(err) : 0;
}

struct process_parts {
        char **args, **env, *cwd;
        json_t *caps;
};

static void process_parts_free(struct process_parts *p)
{
        vs_strv_free(p->args);
        vs_strv_free(p->env);
        free(p->cwd);
        json_decref(p->caps);
}

static int process_json(const struct vs_spec_input *in, const struct vs_spec_user *user, const char *hostname,
                        json_t **ret, struct vs_error *err)
{
        const struct vs_run_options *o = in->options;
        struct process_parts p = {0};
        int r = vs_spec_process_args(o, in->image, in->command, &p.args, err);
        if (r == 0 && o->init) {
                const char *prefix[] = {INIT_PATH, "--", NULL};
                char **with_init = NULL;
                if (append_all(&with_init, prefix) < 0 || append_all(&with_init, (const char *const *) p.args) < 0)
                        r = VS_SPEC_OOM(err);
                vs_strv_free(p.args);
                p.args = with_init;
        }
        if (r == 0)
                r = vs_spec_process_env(o, in->image, hostname, user->home, &p.env, err);
        if (r == 0)
                r = process_cwd(o, in->image, &p.cwd, err);
        if (r == 0)
                r = vs_spec_capabilities(o, &p.caps, err);
        json_t *process = NULL;
        if (r == 0 && !(process = json_pack(
                                "{s:b, s:o, s:o, s:o, s:s, s:{s:O, s:O, s:O}, s:o, s:b}", "terminal", o->tty, "user",
                                user_json(user), "args", vs_oci_json_string_array((const char *const *) p.args), "env",
                                vs_oci_json_string_array((const char *const *) p.env), "cwd", p.cwd, "capabilities",
                                "bounding", p.caps, "effective", p.caps, "permitted", p.caps, "rlimits",
                                rlimits_json(o), "noNewPrivileges", o->no_new_privileges && !o->privileged)))
                r = VS_SPEC_OOM(err);
        process_parts_free(&p);
        if (r < 0)
                return r;
        if (json_array_size(json_object_get(process, "rlimits")) == 0)
                json_object_del(process, "rlimits");
        if (o->has_oom_score_adj && json_object_set_new(process, "oomScoreAdj", json_integer(o->oom_score_adj)) < 0)
                r = VS_SPEC_OOM(err);
        if (r == 0 && o->apparmor_profile && strcmp(o->apparmor_profile, "unconfined") != 0 &&
            json_object_set_new(process, "apparmorProfile", json_string(o->apparmor_profile)) < 0)
                r = VS_SPEC_OOM(err);
        if (r < 0) {
                json_decref(process);
                return r;
        }
        *ret = process;
        return 0;
}

/* ---- hostname ---- */

static bool network_is(const struct vs_run_options *o, const char *mode)
{
        return o->network && strcmp(o->network, mode) == 0;
}

static int hostname_of(const struct vs_spec_input *in, char *buf, size_t size, struct vs_error *err)
{
        const struct vs_run_options *o = in->options;
        if (o->hostname)
                snprintf(buf, size, "%s", o->hostname);
        else if (network_is(o, "host") && in->host_hostname)
                snprintf(buf, size, "%s", in->host_hostname);
        else if (network_is(o, "host") || o->uts.mode == VS_NS_MODE_HOST) {
                if (gethostname(buf, size) < 0)
                        return vs_error_syscall(err, "cannot get the host's name");
        } else
                snprintf(buf, size, "%.12s", in->id);
        return 0;
}

/* ---- the whole ---- */

int vs_spec_dump(const json_t *spec, char **ret, struct vs_error *err)
{
        _cleanup_free_ char *text = NULL;
        int r = vs_oci_json_dump(spec, "config.json", &text, err);
        if (r < 0)
                return r;
        /* Only rlimits hold the placeholder, and no other string can start with NUL. */
        for (char *p = text; (p = strstr(p, BIG_MAX_QUOTED));) {
                size_t quoted = strlen(BIG_MAX_QUOTED);
                memcpy(p, BIG_MAX_TEXT, strlen(BIG_MAX_TEXT));
                memmove(p + strlen(BIG_MAX_TEXT), p + quoted, strlen(p + quoted) + 1);
        }
        *ret = TAKE_PTR(text);
        return 0;
}

static int check_input(const struct vs_spec_input *in, struct vs_error *err)
{
        if (!in->id || !in->id[0] || !in->rootfs || !in->options)
                return vs_error_set(err, EINVAL,
                                    "cannot build config.json: the container's id, rootfs and options "
                                    "are required");
        return 0;
}

static int resolve_default_user(const struct vs_spec_input *in, struct vs_spec_user *ret, struct vs_error *err)
{
        int r = vs_spec_resolve_user(-1, vs_spec_user_arg(in->options, in->image), in->options->group_add, ret, err);
        return r < 0 ? vs_error_wrap(err, "user") : 0;
}

int vs_spec_generate(const struct vs_spec_input *in, json_t **ret, struct vs_error *err)
{
        char hostname[256];
        struct vs_spec_user numeric = {0};
        json_t *process = NULL, *mounts = NULL, *linux_ = NULL;
        int r = check_input(in, err);
        if (r == 0 && !in->user)
                r = resolve_default_user(in, &numeric, err);
        if (r == 0)
                r = hostname_of(in, hostname, sizeof(hostname), err);
        if (r == 0)
                r = process_json(in, in->user ? in->user : &numeric, hostname, &process, err);
        vs_spec_user_free(&numeric);
        if (r == 0)
                r = vs_spec_mounts(in, &mounts, err);
        if (r == 0)
                r = vs_spec_linux(in, &linux_, err);
        if (r < 0) {
                json_decref(process);
                json_decref(mounts);
                json_decref(linux_);
                return r;
        }
        json_t *spec = json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", VESSEL_OCI_VERSION, "process",
                                 process, "root", "path", in->rootfs, "readonly", in->options->read_only, "hostname",
                                 hostname, "mounts", mounts, "linux", linux_);
        if (!spec)
                return VS_SPEC_OOM(err);
        /* Without a UTS namespace of its own the container cannot have its own name. */
        if (in->options->uts.mode == VS_NS_MODE_HOST)
                json_object_del(spec, "hostname");
        *ret = spec;
        return 0;
}
