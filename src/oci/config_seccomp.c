/* vessel: config.json's linux.seccomp. Names are checked against the spec's
 * lists (names.c); which syscalls exist on the host is libseccomp's business
 * when the runtime builds the filter. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "oci/config_internal.h"
#include "oci/json.h"
#include "oci/names.h"
#include "util/cleanup.h"

/* A syscall's arguments are six registers (struct seccomp_data.args[6]). */
#define SECCOMP_ARG_INDEX_MAX 5

static int check_name_list(struct vs_oci_json *j, const char *key, char **names, const char *const *known,
                           const char *what)
{
        for (size_t i = 0; names && names[i]; i++)
                if (!vs_oci_name_in_list(known, names[i])) {
                        vs_oci_json_enter(j, key);
                        vs_oci_json_enter_index(j, i);
                        return vs_oci_json_fail(j, "unknown %s %s", what, VS_OCI_QUOTE(names[i]));
                }
        return 0;
}

static int parse_action(struct vs_oci_json *j, const json_t *obj, const char *key, char **ret)
{
        int r;
        if ((r = vs_oci_json_require(j, obj, key)) < 0 || (r = vs_oci_json_string_member(j, obj, key, ret)) < 0)
                return r;
        if (!vs_oci_name_in_list(vs_oci_seccomp_actions, *ret))
                return vs_oci_json_fail_at(j, key, "unknown action %s", VS_OCI_QUOTE(*ret));
        return 0;
}

/* The spec: an errno for an action that returns none MUST be an error. */
static int check_errno_ret(struct vs_oci_json *j, const char *key, const struct vs_oci_u64 *errno_ret,
                           const char *action)
{
        if (errno_ret->set && strcmp(action, "SCMP_ACT_ERRNO") != 0 && strcmp(action, "SCMP_ACT_TRACE") != 0)
                return vs_oci_json_fail_at(j, key, "is only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not %s", action);
        return 0;
}

static int parse_arg(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_seccomp_arg *a = slot;
        uint64_t index = 0;
        int r;
        if ((r = vs_oci_json_require(j, v, "index")) < 0 || (r = vs_oci_json_require(j, v, "value")) < 0 ||
            (r = vs_oci_json_require(j, v, "op")) < 0)
                return r;
        if ((r = vs_oci_json_uint_member(j, v, "index", SECCOMP_ARG_INDEX_MAX, NULL, &index)) < 0 ||
            (r = vs_oci_json_uint_member(j, v, "value", UINT64_MAX, NULL, &a->value)) < 0 ||
            (r = vs_oci_json_uint_member(j, v, "valueTwo", UINT64_MAX, NULL, &a->value_two)) < 0 ||
            (r = vs_oci_json_string_member(j, v, "op", &a->op)) < 0)
                return r;
        a->index = (uint32_t) index;
        if (!vs_oci_name_in_list(vs_oci_seccomp_operators, a->op))
                return vs_oci_json_fail_at(j, "op", "unknown operator %s", VS_OCI_QUOTE(a->op));
        return 0;
}

static int parse_syscall_names(struct vs_oci_json *j, const json_t *v, struct vs_oci_seccomp_syscall *s)
{
        size_t n = 0;
        int r;
        if ((r = vs_oci_json_require(j, v, "names")) < 0 ||
            (r = vs_oci_json_strv_member(j, v, "names", &s->names, &n)) < 0)
                return r;
        if (n == 0)
                return vs_oci_json_fail_at(j, "names", "must not be empty");
        for (size_t i = 0; i < n; i++)
                if (s->names[i][0] == '\0') {
                        vs_oci_json_enter(j, "names");
                        vs_oci_json_enter_index(j, i);
                        return vs_oci_json_fail(j, "must not be empty");
                }
        return 0;
}

static int parse_syscall(struct vs_oci_json *j, const json_t *v, void *slot)
{
        struct vs_oci_seccomp_syscall *s = slot;
        int r;
        if ((r = parse_syscall_names(j, v, s)) < 0 || (r = parse_action(j, v, "action", &s->action)) < 0 ||
            (r = vs_oci_json_uint_member(j, v, "errnoRet", UINT32_MAX, &s->errno_ret.set, &s->errno_ret.value)) < 0 ||
            (r = check_errno_ret(j, "errnoRet", &s->errno_ret, s->action)) < 0 ||
            (r = vs_oci_json_parse_array(j, v, "args", &s->args, &s->n_args, parse_arg)) < 0)
                return r;
        return 0;
}

/* SCMP_ACT_NOTIFY hands the syscall to a supervisor: it needs the socket to
 * reach one, and as the default action it would stop the container's every
 * syscall, including those that would reach the supervisor (runc refuses it). */
static int check_notify(struct vs_oci_json *j, const struct vs_oci_seccomp *s)
{
        if (strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0)
                return vs_oci_json_fail_at(j, "defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
        for (size_t i = 0; i < s->n_syscalls; i++)
                if (strcmp(s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0 &&
                    (!s->listener_path || !s->listener_path[0]))
                        return vs_oci_json_fail_at(j, "listenerPath", "is required when an action is SCMP_ACT_NOTIFY");
        return 0;
}

static int parse_seccomp_object(struct vs_oci_json *j, const json_t *obj, struct vs_oci_seccomp *s)
{
        int r;
        if ((r = parse_action(j, obj, "defaultAction", &s->default_action)) < 0 ||
            (r = vs_oci_json_uint_member(j, obj, "defaultErrnoRet", UINT32_MAX, &s->default_errno_ret.set,
                                         &s->default_errno_ret.value)) < 0 ||
            (r = check_errno_ret(j, "defaultErrnoRet", &s->default_errno_ret, s->default_action)) < 0 ||
            (r = vs_oci_json_strv_member(j, obj, "architectures", &s->architectures, NULL)) < 0 ||
            (r = check_name_list(j, "architectures", s->architectures, vs_oci_seccomp_archs, "architecture")) < 0 ||
            (r = vs_oci_json_strv_member(j, obj, "flags", &s->flags, NULL)) < 0 ||
            (r = check_name_list(j, "flags", s->flags, vs_oci_seccomp_known_flags, "flag")) < 0 ||
            (r = vs_oci_json_string_member(j, obj, "listenerPath", &s->listener_path)) < 0 ||
            (r = vs_oci_json_string_member(j, obj, "listenerMetadata", &s->listener_metadata)) < 0 ||
            (r = vs_oci_json_parse_array(j, obj, "syscalls", &s->syscalls, &s->n_syscalls, parse_syscall)) < 0)
                return r;
        return check_notify(j, s);
}

int vs_oci_parse_seccomp(struct vs_oci_json *j, const json_t *linux_obj, struct vs_oci_seccomp **ret)
{
        json_t *obj = NULL;
        int r = vs_oci_json_object_member(j, linux_obj, "seccomp", &obj);
        if (r < 0 || !obj)
                return r;
        *ret = calloc(1, sizeof(**ret));
        if (!*ret)
                return vs_oci_json_oom(j);
        size_t mark = vs_oci_json_enter(j, "seccomp");
        r = parse_seccomp_object(j, obj, *ret);
        if (r < 0)
                return r;
        vs_oci_json_leave(j, mark);
        return 0;
}

void vs_oci_seccomp_free(struct vs_oci_seccomp *s)
{
        if (!s)
                return;
        free(s->default_action);
        vs_strv_free(s->architectures);
        vs_strv_free(s->flags);
        free(s->listener_path);
        free(s->listener_metadata);
        for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++) {
                struct vs_oci_seccomp_syscall *call = &s->syscalls[i];
                vs_strv_free(call->names);
                free(call->action);
                for (size_t k = 0; call->args && k < call->n_args; k++)
                        free(call->args[k].op);
                free(call->args);
        }
        free(s->syscalls);
        free(s->compiled);
        free(s);
}
