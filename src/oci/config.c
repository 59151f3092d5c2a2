/* vessel: config.json -> struct vs_oci_config: the top level, process, mounts
 * and hooks, the checks that span sections, and freeing. The "linux" object
 * is in config_linux.c. */
#include "oci/config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/config_internal.h"
#include "oci/json.h"
#include "oci/names.h"
#include "util/cleanup.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* A config.json larger than this is not a config.json. */
#define CONFIG_SIZE_MAX (64u << 20)

/* ---- small shared helpers ---- */

const char *vs_oci_quote(char *buf, size_t size, const char *s)
{
        static const char hex[] = "0123456789abcdef";
        size_t o = 0;
        /* Room for the closing quote, "..." and the NUL. */
        size_t limit = size > 6 ? size - 6 : 0;
        buf[o++] = '"';
        for (; *s && o < limit; s++) {
                unsigned char c = (unsigned char) *s;
                if (c == '"' || c == '\\') {
                        buf[o++] = '\\';
                        buf[o++] = (char) c;
                } else if (c < 0x20 || c == 0x7f) {
                        if (o + 4 >= limit)
                                break;
                        buf[o++] = '\\';
                        buf[o++] = 'x';
                        buf[o++] = hex[c >> 4];
                        buf[o++] = hex[c & 0xf];
                } else {
                        buf[o++] = (char) c;
                }
        }
        if (*s) {
                memcpy(buf + o, "...", 3);
                o += 3;
        }
        buf[o++] = '"';
        buf[o] = '\0';
        return buf;
}

int vs_oci_check_absolute(struct vs_oci_json *j, const char *key, const char *path)
{
        if (path[0] != '/')
                return vs_oci_json_fail_at(j, key, "must be an absolute path, got %s", VS_OCI_QUOTE(path));
        return 0;
}

static int require_string(struct vs_oci_json *j, const json_t *obj, const char *key, char **ret)
{
        int r = vs_oci_json_require(j, obj, key);
        if (r < 0)
                return r;
        return vs_oci_json_string_member(j, obj, key, ret);
}

/* ---- namespaces ---- */

static const struct {
        const char *name;
        int flag;
} namespaces[VS_NS_COUNT] = {
        [VS_NS_PID] = {"pid", CLONE_NEWPID},          [VS_NS_NETWORK] = {"network", CLONE_NEWNET},
        [VS_NS_MOUNT] = {"mount", CLONE_NEWNS},       [VS_NS_IPC] = {"ipc", CLONE_NEWIPC},
        [VS_NS_UTS] = {"uts", CLONE_NEWUTS},          [VS_NS_USER] = {"user", CLONE_NEWUSER},
        [VS_NS_CGROUP] = {"cgroup", CLONE_NEWCGROUP}, [VS_NS_TIME] = {"time", CLONE_NEWTIME},
};

const char *vs_oci_ns_name(enum vs_oci_ns_type type)
{
        if ((unsigned) type >= VS_NS_COUNT)
                return NULL;
        return namespaces[type].name;
}

int vs_oci_ns_clone_flag(enum vs_oci_ns_type type)
{
        if ((unsigned) type >= VS_NS_COUNT)
                return 0;
        return namespaces[type].flag;
}

const struct vs_oci_namespace *vs_oci_config_namespace(const struct vs_oci_config *config, enum vs_oci_ns_type type)
{
        if (!config || !config->linux_)
                return NULL;
        for (size_t i = 0; i < config->linux_->n_namespaces; i++)
                if (config->linux_->namespaces[i].type == type)
                        return &config->linux_->namespaces[i];
        return NULL;
}

/* ---- root, mounts ---- */

static int parse_root(struct vs_oci_json *j, const json_t *top, struct vs_oci_config *c)
{
        json_t *obj = NULL;
        int r = vs_oci_json_object_member(j, top, "root", &obj);
        if (r < 0)
                return r;
        /* The spec makes root optional for VM runtimes; a Linux container needs one. */
        if (!obj)
                return vs_oci_json_fail_at(j, "root", "is required");
        size_t mark = vs_oci_json_enter(j, "root");
        r = require_string(j, obj, "path", &c->root_path);
        if (r < 0)
                return r;
        if (c->root_path[0] == '\0')
                return vs_oci_json_fail_at(j, "path", "must not be empty");
        r = vs_oci_json_bool_member(j, obj, "readonly", NULL, &c->root_readonly);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static int parse_mount(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_mount *m = slot;
        int r = require_string(j, v, "destination", &m->destination);
        if (r < 0)
                return r;
        r = vs_oci_check_absolute(j, "destination", m->destination);
        if (r < 0)
                return r;
        r = vs_oci_json_string_member(j, v, "type", &m->type);
        if (r < 0)
                return r;
        r = vs_oci_json_string_member(j, v, "source", &m->source);
        if (r < 0)
                return r;
        r = vs_oci_json_strv_member(j, v, "options", &m->options, &m->n_options);
        if (r < 0)
                return r;
        r = vs_oci_parse_idmaps(j, v, "uidMappings", &m->uid_mappings, &m->n_uid_mappings);
        if (r < 0)
                return r;
        r = vs_oci_parse_idmaps(j, v, "gidMappings", &m->gid_mappings, &m->n_gid_mappings);
        if (r < 0)
                return r;
        /* An idmapped mount maps both: the kernel takes one user namespace for the two. */
        if (m->n_uid_mappings > 0 && m->n_gid_mappings == 0)
                return vs_oci_json_fail_at(j, "gidMappings", "is required when uidMappings is set");
        if (m->n_gid_mappings > 0 && m->n_uid_mappings == 0)
                return vs_oci_json_fail_at(j, "uidMappings", "is required when gidMappings is set");
        return 0;
}

static void mount_free(struct vs_oci_mount *m)
{
        free(m->destination);
        free(m->type);
        free(m->source);
        vs_strv_free(m->options);
        free(m->uid_mappings);
        free(m->gid_mappings);
}

/* ---- process ---- */

static int parse_console_size(struct vs_oci_json *j, const json_t *obj, struct vs_oci_process *p)
{
        json_t *size = NULL;
        int r = vs_oci_json_object_member(j, obj, "consoleSize", &size);
        if (r < 0 || !size)
                return r;
        size_t mark = vs_oci_json_enter(j, "consoleSize");
        r = vs_oci_json_u32_member(j, size, "height", &p->console_height);
        if (r < 0)
                return r;
        r = vs_oci_json_u32_member(j, size, "width", &p->console_width);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        p->has_console_size = true;
        return 0;
}

static int parse_additional_gids(struct vs_oci_json *j, const json_t *user, struct vs_oci_user *u)
{
        json_t *arr = NULL;
        int r = vs_oci_json_array_member(j, user, "additionalGids", &arr);
        if (r < 0 || !arr)
                return r;
        size_t n = json_array_size(arr);
        if (n == 0)
                return 0;
        u->additional_gids = calloc(n, sizeof(uint32_t));
        if (!u->additional_gids)
                return vs_oci_json_oom(j);
        u->n_additional_gids = n;
        size_t mark = vs_oci_json_enter(j, "additionalGids");
        for (size_t i = 0; i < n; i++) {
                uint64_t gid;
                size_t elem_mark = vs_oci_json_enter_index(j, i);
                r = vs_oci_json_get_uint(j, json_array_get(arr, i), UINT32_MAX, &gid);
                if (r < 0)
                        return r;
                u->additional_gids[i] = (uint32_t) gid;
                vs_oci_json_leave(j, elem_mark);
        }
        vs_oci_json_leave(j, mark);
        return 0;
}

static int parse_user(struct vs_oci_json *j, const json_t *obj, struct vs_oci_user *u)
{
        json_t *user = NULL;
        int r = vs_oci_json_object_member(j, obj, "user", &user);
        if (r < 0 || !user)
                return r;
        size_t mark = vs_oci_json_enter(j, "user");
        r = vs_oci_json_u32_member(j, user, "uid", &u->uid);
        if (r < 0)
                return r;
        r = vs_oci_json_u32_member(j, user, "gid", &u->gid);
        if (r < 0)
                return r;
        r = vs_oci_json_uint_member(j, user, "umask", UINT32_MAX, &u->umask.set, &u->umask.value);
        if (r < 0)
                return r;
        r = parse_additional_gids(j, user, u);
        if (r < 0)
                return r;
        r = vs_oci_json_string_member(j, user, "username", &u->username);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static int parse_capability_set(struct vs_oci_json *j, const json_t *caps, const char *key, char ***ret)
{
        int r = vs_oci_json_strv_member(j, caps, key, ret, NULL);
        if (r < 0 || !*ret)
                return r;
        for (size_t i = 0; (*ret)[i]; i++)
                if (vs_oci_capability_number((*ret)[i]) < 0) {
                        size_t mark = vs_oci_json_enter(j, key);
                        vs_oci_json_enter_index(j, i);
                        r = vs_oci_json_fail(j, "unknown capability %s", VS_OCI_QUOTE((*ret)[i]));
                        vs_oci_json_leave(j, mark);
                        return r;
                }
        return 0;
}

static int parse_capabilities(struct vs_oci_json *j, const json_t *obj, struct vs_oci_process *p)
{
        json_t *caps = NULL;
        int r = vs_oci_json_object_member(j, obj, "capabilities", &caps);
        if (r < 0 || !caps)
                return r;
        p->capabilities = calloc(1, sizeof(*p->capabilities));
        if (!p->capabilities)
                return vs_oci_json_oom(j);
        struct vs_oci_capabilities *c = p->capabilities;
        size_t mark = vs_oci_json_enter(j, "capabilities");
        if ((r = parse_capability_set(j, caps, "bounding", &c->bounding)) < 0 ||
            (r = parse_capability_set(j, caps, "effective", &c->effective)) < 0 ||
            (r = parse_capability_set(j, caps, "inheritable", &c->inheritable)) < 0 ||
            (r = parse_capability_set(j, caps, "permitted", &c->permitted)) < 0 ||
            (r = parse_capability_set(j, caps, "ambient", &c->ambient)) < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static void capabilities_free(struct vs_oci_capabilities *c)
{
        if (!c)
                return;
        vs_strv_free(c->bounding);
        vs_strv_free(c->effective);
        vs_strv_free(c->inheritable);
        vs_strv_free(c->permitted);
        vs_strv_free(c->ambient);
        free(c);
}

static int parse_rlimit(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_rlimit *rl = slot;
        int r = require_string(j, v, "type", &rl->type);
        if (r < 0)
                return r;
        const struct vs_oci_name_value *known = vs_oci_name_lookup(vs_oci_rlimits, vs_oci_n_rlimits, rl->type);
        if (!known)
                return vs_oci_json_fail_at(j, "type", "unknown rlimit %s", VS_OCI_QUOTE(rl->type));
        rl->resource = known->value;
        if ((r = vs_oci_json_require(j, v, "hard")) < 0 || (r = vs_oci_json_require(j, v, "soft")) < 0)
                return r;
        if ((r = vs_oci_json_uint_member(j, v, "hard", UINT64_MAX, NULL, &rl->hard)) < 0 ||
            (r = vs_oci_json_uint_member(j, v, "soft", UINT64_MAX, NULL, &rl->soft)) < 0)
                return r;
        if (rl->soft > rl->hard)
                return vs_oci_json_fail_at(j, "soft", "%" PRIu64 " exceeds the hard limit %" PRIu64, rl->soft,
                                           rl->hard);
        return 0;
}

static int parse_rlimits(struct vs_oci_json *j, const json_t *obj, struct vs_oci_process *p)
{
        int r = vs_oci_json_parse_array(j, obj, "rlimits", &p->rlimits, &p->n_rlimits, parse_rlimit);
        if (r < 0)
                return r;
        /* The spec: a runtime MUST error out on two rlimits of one type. */
        for (size_t i = 1; i < p->n_rlimits; i++)
                for (size_t k = 0; k < i; k++)
                        if (p->rlimits[i].resource == p->rlimits[k].resource) {
                                size_t mark = vs_oci_json_enter(j, "rlimits");
                                vs_oci_json_enter_index(j, i);
                                r = vs_oci_json_fail_at(j, "type", "duplicate rlimit %s",
                                                        VS_OCI_QUOTE(p->rlimits[i].type));
                                vs_oci_json_leave(j, mark);
                                return r;
                        }
        return 0;
}

static int check_scheduler(struct vs_oci_json *j, const struct vs_oci_scheduler *s)
{
        for (size_t i = 0; s->flags && s->flags[i]; i++)
                if (!vs_oci_name_in_list(vs_oci_sched_flags, s->flags[i])) {
                        vs_oci_json_enter(j, "flags");
                        vs_oci_json_enter_index(j, i);
                        return vs_oci_json_fail(j, "unknown scheduler flag %s", VS_OCI_QUOTE(s->flags[i]));
                }
        /* As runc: the fields sched_setattr(2) would ignore are a mistake in the config. */
        if (s->priority != 0 && s->policy_value != SCHED_FIFO && s->policy_value != SCHED_RR)
                return vs_oci_json_fail_at(j, "priority", "is only for SCHED_FIFO and SCHED_RR, not %s", s->policy);
        if (strcmp(s->policy, "SCHED_DEADLINE") != 0 && (s->runtime || s->deadline || s->period))
                return vs_oci_json_fail(j, "runtime, deadline and period are only for SCHED_DEADLINE, not %s",
                                        s->policy);
        return 0;
}

static int parse_scheduler(struct vs_oci_json *j, const json_t *obj, struct vs_oci_process *p)
{
        json_t *sched = NULL;
        int r = vs_oci_json_object_member(j, obj, "scheduler", &sched);
        if (r < 0 || !sched)
                return r;
        p->scheduler = calloc(1, sizeof(*p->scheduler));
        if (!p->scheduler)
                return vs_oci_json_oom(j);
        struct vs_oci_scheduler *s = p->scheduler;
        size_t mark = vs_oci_json_enter(j, "scheduler");
        r = require_string(j, sched, "policy", &s->policy);
        if (r < 0)
                return r;
        const struct vs_oci_name_value *known =
                vs_oci_name_lookup(vs_oci_sched_policies, vs_oci_n_sched_policies, s->policy);
        if (!known)
                return vs_oci_json_fail_at(j, "policy", "unknown scheduler policy %s", VS_OCI_QUOTE(s->policy));
        s->policy_value = known->value;
        int64_t nice = 0;
        if ((r = vs_oci_json_int_member(j, sched, "nice", -20, 19, NULL, &nice)) < 0 ||
            (r = vs_oci_json_i32_member(j, sched, "priority", &s->priority)) < 0 ||
            (r = vs_oci_json_strv_member(j, sched, "flags", &s->flags, NULL)) < 0 ||
            (r = vs_oci_json_uint_member(j, sched, "runtime", UINT64_MAX, NULL, &s->runtime)) < 0 ||
            (r = vs_oci_json_uint_member(j, sched, "deadline", UINT64_MAX, NULL, &s->deadline)) < 0 ||
            (r = vs_oci_json_uint_member(j, sched, "period", UINT64_MAX, NULL, &s->period)) < 0)
                return r;
        s->nice = (int32_t) nice;
        r = check_scheduler(j, s);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static void scheduler_free(struct vs_oci_scheduler *s)
{
        if (!s)
                return;
        free(s->policy);
        vs_strv_free(s->flags);
        free(s);
}

static int parse_io_priority(struct vs_oci_json *j, const json_t *obj, struct vs_oci_process *p)
{
        json_t *prio = NULL;
        int r = vs_oci_json_object_member(j, obj, "ioPriority", &prio);
        if (r < 0 || !prio)
                return r;
        p->io_priority = calloc(1, sizeof(*p->io_priority));
        if (!p->io_priority)
                return vs_oci_json_oom(j);
        struct vs_oci_io_priority *io = p->io_priority;
        size_t mark = vs_oci_json_enter(j, "ioPriority");
        r = require_string(j, prio, "class", &io->class_name);
        if (r < 0)
                return r;
        const struct vs_oci_name_value *known =
                vs_oci_name_lookup(vs_oci_ioprio_classes, vs_oci_n_ioprio_classes, io->class_name);
        if (!known)
                return vs_oci_json_fail_at(j, "class", "unknown I/O priority class %s", VS_OCI_QUOTE(io->class_name));
        io->class_value = known->value;
        /* The kernel has 8 levels per class (IOPRIO_NR_LEVELS). */
        int64_t level = 0;
        r = vs_oci_json_int_member(j, prio, "priority", 0, 7, NULL, &level);
        if (r < 0)
                return r;
        io->priority = (int32_t) level;
        vs_oci_json_leave(j, mark);
        return 0;
}

static int parse_exec_cpu_affinity(struct vs_oci_json *j, const json_t *obj, struct vs_oci_process *p)
{
        json_t *aff = NULL;
        int r = vs_oci_json_object_member(j, obj, "execCPUAffinity", &aff);
        if (r < 0 || !aff)
                return r;
        size_t mark = vs_oci_json_enter(j, "execCPUAffinity");
        if ((r = vs_oci_json_string_member(j, aff, "initial", &p->exec_cpu_affinity_initial)) < 0 ||
            (r = vs_oci_json_string_member(j, aff, "final", &p->exec_cpu_affinity_final)) < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static int check_env(struct vs_oci_json *j, const struct vs_oci_process *p)
{
        for (size_t i = 0; i < p->n_env; i++) {
                const char *eq = strchr(p->env[i], '=');
                if (!eq || eq == p->env[i]) {
                        vs_oci_json_enter(j, "env");
                        vs_oci_json_enter_index(j, i);
                        return vs_oci_json_fail(j, "must have the form NAME=VALUE, got %s", VS_OCI_QUOTE(p->env[i]));
                }
        }
        return 0;
}

static int check_process(struct vs_oci_json *j, const struct vs_oci_process *p)
{
        if (p->n_args == 0)
                return vs_oci_json_fail_at(j, "args", "must not be empty");
        if (p->args[0][0] == '\0') {
                vs_oci_json_enter(j, "args");
                vs_oci_json_enter_index(j, 0);
                return vs_oci_json_fail(j, "must not be empty");
        }
        if (!p->cwd)
                return vs_oci_json_fail_at(j, "cwd", "is required");
        int r = vs_oci_check_absolute(j, "cwd", p->cwd);
        if (r < 0)
                return r;
        return check_env(j, p);
}

/* Parse the process object `obj`, with j's path on it, into the zeroed *p. */
static int parse_process_object(struct vs_oci_json *j, const json_t *obj, struct vs_oci_process *p)
{
        int r;
        if ((r = vs_oci_json_bool_member(j, obj, "terminal", NULL, &p->terminal)) < 0 ||
            (r = parse_console_size(j, obj, p)) < 0 || (r = parse_user(j, obj, &p->user)) < 0 ||
            (r = vs_oci_json_strv_member(j, obj, "args", &p->args, &p->n_args)) < 0 ||
            (r = vs_oci_json_string_member(j, obj, "commandLine", &p->command_line)) < 0 ||
            (r = vs_oci_json_strv_member(j, obj, "env", &p->env, &p->n_env)) < 0 ||
            (r = vs_oci_json_string_member(j, obj, "cwd", &p->cwd)) < 0 || (r = parse_capabilities(j, obj, p)) < 0 ||
            (r = parse_rlimits(j, obj, p)) < 0 ||
            (r = vs_oci_json_bool_member(j, obj, "noNewPrivileges", NULL, &p->no_new_privileges)) < 0 ||
            (r = vs_oci_json_string_member(j, obj, "apparmorProfile", &p->apparmor_profile)) < 0 ||
            (r = vs_oci_json_int_member(j, obj, "oomScoreAdj", -1000, 1000, &p->oom_score_adj.set,
                                        &p->oom_score_adj.value)) < 0 ||
            (r = parse_scheduler(j, obj, p)) < 0 ||
            (r = vs_oci_json_string_member(j, obj, "selinuxLabel", &p->selinux_label)) < 0 ||
            (r = parse_io_priority(j, obj, p)) < 0 || (r = parse_exec_cpu_affinity(j, obj, p)) < 0)
                return r;
        return check_process(j, p);
}

static void process_clear(struct vs_oci_process *p)
{
        free(p->user.additional_gids);
        free(p->user.username);
        vs_strv_free(p->args);
        free(p->command_line);
        vs_strv_free(p->env);
        free(p->cwd);
        capabilities_free(p->capabilities);
        for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
                free(p->rlimits[i].type);
        free(p->rlimits);
        free(p->apparmor_profile);
        scheduler_free(p->scheduler);
        free(p->selinux_label);
        if (p->io_priority)
                free(p->io_priority->class_name);
        free(p->io_priority);
        free(p->exec_cpu_affinity_initial);
        free(p->exec_cpu_affinity_final);
}

void vs_oci_process_free(struct vs_oci_process *process)
{
        if (!process)
                return;
        process_clear(process);
        free(process);
}

static int parse_process(struct vs_oci_json *j, const json_t *top, struct vs_oci_config *c)
{
        json_t *obj = NULL;
        int r = vs_oci_json_object_member(j, top, "process", &obj);
        if (r < 0 || !obj)
                return r;
        c->process = calloc(1, sizeof(*c->process));
        if (!c->process)
                return vs_oci_json_oom(j);
        size_t mark = vs_oci_json_enter(j, "process");
        r = parse_process_object(j, obj, c->process);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

/* ---- hooks ---- */

static int parse_hook(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_hook *h = slot;
        int r = require_string(j, v, "path", &h->path);
        if (r < 0)
                return r;
        if ((r = vs_oci_check_absolute(j, "path", h->path)) < 0 ||
            (r = vs_oci_json_strv_member(j, v, "args", &h->args, NULL)) < 0 ||
            (r = vs_oci_json_strv_member(j, v, "env", &h->env, NULL)) < 0 ||
            (r = vs_oci_json_i64_member(j, v, "timeout", &h->timeout)) < 0)
                return r;
        if (h->timeout.set && h->timeout.value <= 0)
                return vs_oci_json_fail_at(j, "timeout", "must be greater than zero, got %" PRId64, h->timeout.value);
        return 0;
}

static void hook_list_free(struct vs_oci_hook *hooks, size_t n)
{
        for (size_t i = 0; hooks && i < n; i++) {
                free(hooks[i].path);
                vs_strv_free(hooks[i].args);
                vs_strv_free(hooks[i].env);
        }
        free(hooks);
}

static int parse_hooks(struct vs_oci_json *j, const json_t *top, struct vs_oci_hooks *h)
{
        json_t *obj = NULL;
        int r = vs_oci_json_object_member(j, top, "hooks", &obj);
        if (r < 0 || !obj)
                return r;
        size_t mark = vs_oci_json_enter(j, "hooks");
        if ((r = vs_oci_json_parse_array(j, obj, "prestart", &h->prestart, &h->n_prestart, parse_hook)) < 0 ||
            (r = vs_oci_json_parse_array(j, obj, "createRuntime", &h->create_runtime, &h->n_create_runtime,
                                         parse_hook)) < 0 ||
            (r = vs_oci_json_parse_array(j, obj, "createContainer", &h->create_container, &h->n_create_container,
                                         parse_hook)) < 0 ||
            (r = vs_oci_json_parse_array(j, obj, "startContainer", &h->start_container, &h->n_start_container,
                                         parse_hook)) < 0 ||
            (r = vs_oci_json_parse_array(j, obj, "poststart", &h->poststart, &h->n_poststart, parse_hook)) < 0 ||
            (r = vs_oci_json_parse_array(j, obj, "poststop", &h->poststop, &h->n_poststop, parse_hook)) < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

static void hooks_clear(struct vs_oci_hooks *h)
{
        hook_list_free(h->prestart, h->n_prestart);
        hook_list_free(h->create_runtime, h->n_create_runtime);
        hook_list_free(h->create_container, h->n_create_container);
        hook_list_free(h->start_container, h->n_start_container);
        hook_list_free(h->poststart, h->n_poststart);
        hook_list_free(h->poststop, h->n_poststop);
}

/* ---- the top level ---- */

static int parse_oci_version(struct vs_oci_json *j, const json_t *top, struct vs_oci_config *c)
{
        int r = require_string(j, top, "ociVersion", &c->oci_version);
        if (r < 0)
                return r;
        /* Versions keep compatibility within a major version; this runtime speaks 1.x. */
        const char *v = c->oci_version;
        if (v[0] != '1' || (v[1] != '\0' && v[1] != '.'))
                return vs_oci_json_fail_at(j, "ociVersion", "unsupported version %s (the major version must be 1)",
                                           VS_OCI_QUOTE(v));
        return 0;
}

/* runc: "unable to set hostname without a private UTS namespace". Joining a
 * UTS namespace and renaming it would rename someone else's host. */
static int check_uts(struct vs_oci_json *j, const struct vs_oci_config *c)
{
        const struct vs_oci_namespace *uts = vs_oci_config_namespace(c, VS_NS_UTS);
        bool private_uts = uts && !uts->path;
        if (c->hostname && c->hostname[0] && !private_uts)
                return vs_oci_json_fail_at(j, "hostname",
                                           "cannot be set without a new uts namespace in "
                                           "linux.namespaces");
        if (c->domainname && c->domainname[0] && !private_uts)
                return vs_oci_json_fail_at(j, "domainname",
                                           "cannot be set without a new uts namespace in "
                                           "linux.namespaces");
        return 0;
}

static int parse_config(struct vs_oci_json *j, const json_t *top, struct vs_oci_config *c)
{
        int r;
        if ((r = parse_oci_version(j, top, c)) < 0 || (r = parse_root(j, top, c)) < 0 ||
            (r = vs_oci_json_parse_array(j, top, "mounts", &c->mounts, &c->n_mounts, parse_mount)) < 0 ||
            (r = parse_process(j, top, c)) < 0 ||
            (r = vs_oci_json_string_member(j, top, "hostname", &c->hostname)) < 0 ||
            (r = vs_oci_json_string_member(j, top, "domainname", &c->domainname)) < 0 ||
            (r = parse_hooks(j, top, &c->hooks)) < 0 ||
            (r = vs_oci_json_kv_member(j, top, "annotations", false, &c->annotations, &c->n_annotations)) < 0 ||
            (r = vs_oci_parse_linux(j, top, &c->linux_)) < 0)
                return r;
        return check_uts(j, c);
}

static int load_object(const char *data, size_t len, const char *origin, json_t **ret, struct vs_error *err)
{
        json_t *top = NULL;
        int r = vs_oci_json_load(data, len, origin, &top, err);
        if (r < 0)
                return r;
        if (!json_is_object(top)) {
                r = vs_error_set(err, EINVAL, "%s: expected a JSON object at the top level, got %s", origin,
                                 vs_oci_json_type_name(top));
                json_decref(top);
                return r;
        }
        *ret = top;
        return 0;
}

int vs_oci_config_parse(const char *data, size_t len, const char *origin, struct vs_oci_config **ret,
                        struct vs_error *err)
{
        if (!origin)
                origin = "config.json";
        _cleanup_oci_json_ json_t *top = NULL;
        int r = load_object(data, len, origin, &top, err);
        if (r < 0)
                return r;
        _cleanup_config_ struct vs_oci_config *config = calloc(1, sizeof(*config));
        if (!config)
                return vs_error_set(err, ENOMEM, "%s: out of memory", origin);
        struct vs_oci_json j;
        vs_oci_json_init(&j, origin, err);
        r = parse_config(&j, top, config);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(config);
        return 0;
}

int vs_oci_process_parse(const char *data, size_t len, const char *origin, struct vs_oci_process **ret,
                         struct vs_error *err)
{
        if (!origin)
                origin = "process.json";
        _cleanup_oci_json_ json_t *top = NULL;
        int r = load_object(data, len, origin, &top, err);
        if (r < 0)
                return r;
        struct vs_oci_process *process = calloc(1, sizeof(*process));
        if (!process)
                return vs_error_set(err, ENOMEM, "%s: out of memory", origin);
        struct vs_oci_json j;
        vs_oci_json_init(&j, origin, err);
        r = parse_process_object(&j, top, process);
        if (r < 0) {
                vs_oci_process_free(process);
                return r;
        }
        *ret = process;
        return 0;
}

/* Read all of fd: config.json is small, but may be a pipe (`--bundle /dev/fd`). */
static int read_all(int fd, const char *path, char **ret, size_t *ret_len, struct vs_error *err)
{
        size_t size = 0, cap = 64 * 1024;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return vs_error_set(err, ENOMEM, "cannot read %s: out of memory", path);
        for (;;) {
                if (size == cap) {
                        if (cap >= CONFIG_SIZE_MAX)
                                return vs_error_set(err, EFBIG, "cannot read %s: larger than %u MiB", path,
                                                    CONFIG_SIZE_MAX >> 20);
                        char *bigger = realloc(buf, cap * 2);
                        if (!bigger)
                                return vs_error_set(err, ENOMEM, "cannot read %s: out of memory", path);
                        buf = bigger;
                        cap *= 2;
                }
                ssize_t n = read(fd, buf + size, cap - size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return vs_error_syscall(err, "cannot read %s", path);
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        *ret = TAKE_PTR(buf);
        *ret_len = size;
        return 0;
}

int vs_oci_config_load(const char *path, struct vs_oci_config **ret, struct vs_error *err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s", path);
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_all(fd, path, &data, &len, err);
        if (r < 0)
                return r;
        const char *slash = strrchr(path, '/');
        return vs_oci_config_parse(data, len, slash ? slash + 1 : path, ret, err);
}

void vs_oci_config_free(struct vs_oci_config *config)
{
        if (!config)
                return;
        free(config->oci_version);
        free(config->root_path);
        for (size_t i = 0; config->mounts && i < config->n_mounts; i++)
                mount_free(&config->mounts[i]);
        free(config->mounts);
        vs_oci_process_free(config->process);
        free(config->hostname);
        free(config->domainname);
        hooks_clear(&config->hooks);
        vs_oci_kv_free(config->annotations, config->n_annotations);
        vs_oci_linux_free(config->linux_);
        free(config);
}
