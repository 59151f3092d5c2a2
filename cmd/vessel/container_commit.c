/* vessel commit: a container's changes (its overlay upper dir) as a new
 * image on top of its image, with docker's -c changes: the Dockerfile
 * instructions CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR
 * and STOPSIGNAL applied to the config. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container_fs.h"
#include "image/commit.h"
#include "runtime/state.h"
#include "util/files.h"

#define COMMIT_USAGE "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]"
#define MAX_CHANGES 64

struct commit_args {
        bool no_pause;
        const char *author, *message;
        const char *changes[MAX_CHANGES];
        size_t n_changes;
};

/* The words of an instruction's argument: blanks split, quotes group, a
 * backslash escapes (as the Dockerfile parser reads ENV and LABEL). */
static int split_words(const char *text, json_t *words)
{
        char buf[4096];
        size_t n = 0;
        bool in_word = false;
        char quote = 0;
        for (const char *p = text;; p++) {
                if (*p == '\0' || (!quote && isspace((unsigned char) *p))) {
                        if (in_word && json_array_append_new(words, json_stringn(buf, n)) < 0)
                                return -ENOMEM;
                        in_word = false;
                        n = 0;
                        if (*p == '\0')
                                return quote ? -EINVAL : 0;
                        continue;
                }
                in_word = true;
                if (quote && *p == quote) {
                        quote = 0;
                        continue;
                }
                if (!quote && (*p == '"' || *p == '\'')) {
                        quote = *p;
                        continue;
                }
                if (*p == '\\' && p[1] && quote != '\'')
                        p++;
                if (n + 1 >= sizeof(buf))
                        return -E2BIG;
                buf[n++] = *p;
        }
}

/* CMD, ENTRYPOINT: a JSON array (exec form) or a shell command. */
static json_t *command_value(const char *arg)
{
        if (arg[0] == '[') {
                json_t *v = json_loads(arg, 0, NULL);
                bool ok = json_is_array(v);
                for (size_t i = 0; ok && i < json_array_size(v); i++)
                        ok = json_is_string(json_array_get(v, i));
                if (ok)
                        return v;
                json_decref(v);
        }
        return json_pack("[s,s,s]", "/bin/sh", "-c", arg);
}

/* ENV and LABEL: "k=v k2=v2", or the old "k v" form (ENV only). */
static int pairs(const char *arg, bool old_form, json_t *out)
{
        json_t *words = json_array();
        int r = words ? split_words(arg, words) : -ENOMEM;
        const char *first = json_string_value(json_array_get(words, 0));
        if (r == 0 && !first)
                r = -EINVAL;
        if (r == 0 && old_form && !strchr(first, '=')) {
                const char *space = arg + strcspn(arg, " \t");
                const char *value = space + strspn(space, " \t");
                r = *value && json_object_set_new(out, first, json_string(value)) < 0 ? -ENOMEM : *value ? 0 : -EINVAL;
        } else {
                for (size_t i = 0; r == 0 && i < json_array_size(words); i++) {
                        const char *w = json_string_value(json_array_get(words, i));
                        const char *eq = strchr(w, '=');
                        char *key = eq && eq != w ? strndup(w, (size_t) (eq - w)) : NULL;
                        if (!key)
                                r = -EINVAL;
                        else if (json_object_set_new(out, key, json_string(eq + 1)) < 0)
                                r = -ENOMEM;
                        free(key);
                }
        }
        json_decref(words);
        return r;
}

/* ENV: each pair replaces the variable of that name or is appended. */
static int apply_env(json_t *cfg, json_t *vars)
{
        json_t *env = json_object_get(cfg, "Env");
        if (!json_is_array(env) && json_object_set_new(cfg, "Env", env = json_array()) < 0)
                return -ENOMEM;
        const char *key;
        json_t *value;
        json_object_foreach (vars, key, value) {
                char *item = NULL;
                if (asprintf(&item, "%s=%s", key, json_string_value(value)) < 0)
                        return -ENOMEM;
                size_t i, klen = strlen(key);
                for (i = 0; i < json_array_size(env); i++) {
                        const char *e = json_string_value(json_array_get(env, i));
                        if (e && strncmp(e, key, klen) == 0 && e[klen] == '=')
                                break;
                }
                int r = i < json_array_size(env) ? json_array_set_new(env, i, json_string(item))
                                                 : json_array_append_new(env, json_string(item));
                free(item);
                if (r < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* EXPOSE 80 53/udp: "80/tcp", "53/udp" in ExposedPorts. */
static int apply_expose(json_t *cfg, json_t *words)
{
        json_t *ports = json_object_get(cfg, "ExposedPorts");
        if (!json_is_object(ports) && json_object_set_new(cfg, "ExposedPorts", ports = json_object()) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < json_array_size(words); i++) {
                const char *w = json_string_value(json_array_get(words, i));
                char *end = NULL, key[64];
                long port = strtol(w, &end, 10);
                const char *proto = *end == '/' ? end + 1 : "tcp";
                if (end == w || port < 1 || port > 65535 || (*end && *end != '/') ||
                    (strcasecmp(proto, "tcp") != 0 && strcasecmp(proto, "udp") != 0 && strcasecmp(proto, "sctp") != 0))
                        return -EINVAL;
                snprintf(key, sizeof(key), "%ld/%s", port, proto);
                for (char *k = key; *k; k++)
                        *k = (char) tolower((unsigned char) *k);
                if (json_object_set_new(ports, key, json_object()) < 0)
                        return -ENOMEM;
        }
        return json_array_size(words) ? 0 : -EINVAL;
}

/* VOLUME ["/a", "/b"] or VOLUME /a /b. */
static int apply_volume(json_t *cfg, const char *arg)
{
        json_t *list = arg[0] == '[' ? json_loads(arg, 0, NULL) : json_array();
        int r = !json_is_array(list) ? -EINVAL : arg[0] == '[' ? 0 : split_words(arg, list);
        json_t *vols = json_object_get(cfg, "Volumes");
        if (r == 0 && !json_is_object(vols) && json_object_set_new(cfg, "Volumes", vols = json_object()) < 0)
                r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < json_array_size(list); i++) {
                const char *v = json_string_value(json_array_get(list, i));
                r = !v || !v[0] ? -EINVAL : json_object_set_new(vols, v, json_object()) < 0 ? -ENOMEM : 0;
        }
        if (r == 0 && json_array_size(list) == 0)
                r = -EINVAL;
        json_decref(list);
        return r;
}

/* WORKDIR: relative to the current one, as in a Dockerfile. */
static int apply_workdir(json_t *cfg, const char *arg)
{
        const char *cur = json_string_value(json_object_get(cfg, "WorkingDir"));
        char *dir = NULL;
        if (asprintf(&dir, "%s%s%s", arg[0] == '/' ? "" : (cur && cur[0] ? cur : "/"),
                     arg[0] == '/' || (cur && cur[0] && cur[strlen(cur) - 1] == '/') || !(cur && cur[0]) ? "" : "/",
                     arg) < 0)
                return -ENOMEM;
        int r = json_object_set_new(cfg, "WorkingDir", json_string(dir)) < 0 ? -ENOMEM : 0;
        free(dir);
        return r;
}

static int apply_keyed(json_t *cfg, const char *field, const char *arg, bool old_form)
{
        json_t *vars = json_object();
        int r = vars ? pairs(arg, old_form, vars) : -ENOMEM;
        json_t *labels = json_object_get(cfg, field);
        if (r == 0 && strcmp(field, "Env") == 0)
                r = apply_env(cfg, vars);
        else if (r == 0 && !json_is_object(labels) && json_object_set_new(cfg, field, labels = json_object()) < 0)
                r = -ENOMEM;
        else if (r == 0 && json_object_update(labels, vars) < 0)
                r = -ENOMEM;
        json_decref(vars);
        return r;
}

/* One -c change applied to the config object; `cmd_set` tells whether a
 * CMD came (an ENTRYPOINT clears the image's CMD otherwise, as in a build). */
static int apply_change(json_t *cfg, const char *change, bool *cmd_set, bool *entrypoint_set, struct vs_error *err)
{
        const char *p = change + strspn(change, " \t");
        size_t n = strcspn(p, " \t");
        char word[32];
        snprintf(word, sizeof(word), "%.*s", (int) (n < sizeof(word) ? n : sizeof(word) - 1), p);
        const char *arg = p + n + strspn(p + n, " \t");
        int r = 0;
        static const char *const known[] = {"CMD",    "ENTRYPOINT", "ENV",  "LABEL",     "EXPOSE",
                                            "VOLUME", "WORKDIR",    "USER", "STOPSIGNAL"};
        bool valid = false;
        for (size_t i = 0; i < VS_ARRAY_SIZE(known) && !valid; i++)
                valid = strcasecmp(word, known[i]) == 0;
        if (!valid)
                return vs_error_set(err, EINVAL, "invalid change \"%s\": %s is not a valid change command", change,
                                    n ? word : "(empty)");
        if (!arg[0])
                return vs_error_set(err, EINVAL, "invalid change \"%s\": %s requires an argument", change, word);
        if (strcasecmp(word, "CMD") == 0 || strcasecmp(word, "ENTRYPOINT") == 0) {
                bool cmd = strcasecmp(word, "CMD") == 0;
                json_t *v = command_value(arg);
                r = v && json_object_set_new(cfg, cmd ? "Cmd" : "Entrypoint", v) == 0 ? 0 : -ENOMEM;
                *(cmd ? cmd_set : entrypoint_set) = true;
        } else if (strcasecmp(word, "ENV") == 0) {
                r = apply_keyed(cfg, "Env", arg, true);
        } else if (strcasecmp(word, "LABEL") == 0) {
                r = apply_keyed(cfg, "Labels", arg, false);
        } else if (strcasecmp(word, "EXPOSE") == 0) {
                json_t *words = json_array();
                r = words ? split_words(arg, words) : -ENOMEM;
                if (r == 0)
                        r = apply_expose(cfg, words);
                json_decref(words);
        } else if (strcasecmp(word, "VOLUME") == 0) {
                r = apply_volume(cfg, arg);
        } else if (strcasecmp(word, "WORKDIR") == 0) {
                r = apply_workdir(cfg, arg);
        } else { /* USER, STOPSIGNAL */
                r = json_object_set_new(cfg, strcasecmp(word, "USER") == 0 ? "User" : "StopSignal", json_string(arg)) <
                                    0
                            ? -ENOMEM
                            : 0;
        }
        if (r == -EINVAL)
                return vs_error_set(err, EINVAL, "invalid change \"%s\": bad %s argument", change, word);
        return r < 0 ? vs_error_set(err, -r, "invalid change \"%s\": %s", change, strerror(-r)) : 0;
}

/* The base's "config" with the changes applied. */
static int changed_config(struct vs_store *s, const struct vs_container *c, const struct commit_args *a, json_t **ret,
                          struct vs_error *err)
{
        json_t *doc = NULL;
        int r = vs_image_config_json(s, c->image_id, &doc, err);
        if (r < 0)
                return r;
        json_t *cfg = json_object_get(doc, "config");
        cfg = json_is_object(cfg) ? json_deep_copy(cfg) : json_object();
        json_decref(doc);
        bool cmd_set = false, entrypoint_set = false;
        for (size_t i = 0; cfg && r == 0 && i < a->n_changes; i++)
                r = apply_change(cfg, a->changes[i], &cmd_set, &entrypoint_set, err);
        if (!cfg)
                r = vs_error_set(err, ENOMEM, "out of memory");
        if (r == 0 && entrypoint_set && !cmd_set)
                json_object_set_new(cfg, "Cmd", json_null());
        if (r < 0) {
                json_decref(cfg);
                return r;
        }
        *ret = cfg;
        return 0;
}

/* history's created_by: the container's command, as docker joins it. */
static char *created_by(const struct vs_container *c)
{
        json_t *args = json_loads(c->command ? c->command : "[]", 0, NULL);
        size_t len = 1;
        for (size_t i = 0; i < json_array_size(args); i++)
                len += strlen(json_string_value(json_array_get(args, i)) ?: "") + 1;
        char *out = calloc(1, len);
        for (size_t i = 0; out && i < json_array_size(args); i++) {
                if (i)
                        strcat(out, " ");
                strcat(out, json_string_value(json_array_get(args, i)) ?: "");
        }
        json_decref(args);
        return out;
}

/* Freeze (or thaw) a running container's cgroup, as docker's -p does: the
 * layer is then the state of one moment. *frozen tells whether it was us. */
static int set_frozen(const struct globals *g, const struct vs_container *c, bool freeze, bool *frozen,
                      struct vs_error *err)
{
        if (strcmp(c->state, "running") != 0)
                return 0;
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        _cleanup_close_ int lockfd = -1;
        struct vs_state st = {0};
        int r = vs_state_open(p.runtime_root, c->id, NULL, &lockfd, &st, err);
        if (r < 0)
                return r;
        if (!freeze || st.status == VS_STATUS_RUNNING) {
                r = vs_cgroup_freeze(st.cgroup_dirs, freeze, err);
                if (r < 0)
                        vs_error_wrap(err, "cannot %s container %s", freeze ? "pause" : "unpause", c->name);
                else
                        *frozen = freeze;
        }
        vs_state_clear(&st);
        return r;
}

static int commit(const struct globals *g, const struct commit_args *a, const char *name, const char *repo,
                  char id[VS_DIGEST_MAX], struct vs_error *err)
{
        _cleanup_store_ struct vs_store *s = NULL;
        struct vs_container c = {0};
        json_t *cfg = NULL;
        _cleanup_close_ int upperfd = -1;
        _cleanup_free_ char *by = NULL;
        int r = engine_open(g, &s, err);
        if (r == 0)
                r = ctr_lookup(g, s, name, &c, err);
        if (r == 0)
                r = changed_config(s, &c, a, &cfg, err);
        if (r == 0) {
                struct ctr_paths p;
                ctr_paths(g, c.id, &p);
                upperfd = open(p.upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (upperfd < 0)
                        r = vs_error_syscall(err, "cannot open the changes of container %s", c.name);
                by = created_by(&c);
        }
        if (r == 0) {
                struct vs_commit_options o = {
                        .base = c.image_id,
                        .upperfd = upperfd,
                        .config = cfg,
                        .author = a->author,
                        .message = a->message,
                        .created_by = by,
                        .container_id = c.id,
                        .name = repo,
                };
                bool frozen = false;
                r = a->no_pause ? 0 : set_frozen(g, &c, true, &frozen, err);
                if (r == 0)
                        r = vs_image_commit(s, &o, id, err);
                struct vs_error thaw = VS_ERROR_INIT;
                if (frozen && set_frozen(g, &c, false, &frozen, &thaw) < 0) {
                        if (r == 0) {
                                *err = thaw;
                                r = -thaw.code;
                        } else {
                                vs_error_ignore(&thaw);
                        }
                }
        }
        json_decref(cfg);
        vs_container_free(&c);
        return r;
}

static int parse_commit(int argc, char **argv, struct commit_args *a)
{
        static const struct option longopts[] = {
                {"author", required_argument, NULL, 'a'},  {"change", required_argument, NULL, 'c'},
                {"message", required_argument, NULL, 'm'}, {"pause", optional_argument, NULL, 'p'},
                {"help", no_argument, NULL, 'h'},          {0},
        };
        int c;
        while ((c = next_option(argc, argv, "a:c:m:ph", longopts)) != -1) {
                switch (c) {
                case 'a':
                        a->author = optarg;
                        break;
                case 'c':
                        if (a->n_changes == MAX_CHANGES)
                                return fail_usage("too many --change flags (at most %d)", MAX_CHANGES), -1;
                        a->changes[a->n_changes++] = optarg;
                        break;
                case 'm':
                        a->message = optarg;
                        break;
                case 'p':
                        if (optarg && strcmp(optarg, "true") != 0 && strcmp(optarg, "false") != 0)
                                return fail_usage("invalid argument \"%s\" for \"-p, --pause\" flag", optarg), -1;
                        a->no_pause = optarg && strcmp(optarg, "false") == 0;
                        break;
                case 'h':
                        print_help(
                                COMMIT_USAGE, "Create a new image from a container's changes",
                                "  -a, --author string    Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")\n"
                                "  -c, --change list      Apply Dockerfile instruction to the created image\n"
                                "  -m, --message string   Commit message\n"
                                "  -p, --pause            Pause container during commit (default true)\n");
                        return 1;
                default:
                        return -1;
                }
        }
        return want_args(argc, argv, 1, 2, COMMIT_USAGE) ? 0 : -1;
}

int cmd_commit(const struct globals *g, int argc, char **argv)
{
        struct commit_args a = {0};
        int p = parse_commit(argc, argv, &a);
        if (p != 0)
                return p > 0 ? 0 : 125;
        struct vs_error err = VS_ERROR_INIT;
        char id[VS_DIGEST_MAX];
        if (commit(g, &a, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, id, &err) < 0)
                return fail(&err);
        printf("%s\n", id);
        return 0;
}
