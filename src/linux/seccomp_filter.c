#include "linux/seccomp_filter.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

static int parse_action(const char *name, uint64_t errno_ret, bool has_errno, uint32_t *ret)
{
        static const struct {
                const char *name;
                uint32_t action;
        } actions[] = {
                {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
                {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
                {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
                {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
                {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
                {"SCMP_ACT_LOG", SCMP_ACT_LOG},
                {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
        };
        /* ERRNO and TRACE carry a value: EPERM by default, as runc. */
        if (strcmp(name, "SCMP_ACT_ERRNO") == 0) {
                *ret = SCMP_ACT_ERRNO((uint16_t) (has_errno ? errno_ret : EPERM));
                return 0;
        }
        if (strcmp(name, "SCMP_ACT_TRACE") == 0) {
                *ret = SCMP_ACT_TRACE((uint16_t) (has_errno ? errno_ret : EPERM));
                return 0;
        }
        for (size_t i = 0; i < VS_ARRAY_SIZE(actions); i++)
                if (strcmp(actions[i].name, name) == 0) {
                        *ret = actions[i].action;
                        return 0;
                }
        return -EINVAL;
}

static int parse_op(const char *name, enum scmp_compare *ret)
{
        static const struct {
                const char *name;
                enum scmp_compare op;
        } ops[] = {
                {"SCMP_CMP_NE", SCMP_CMP_NE},
                {"SCMP_CMP_LT", SCMP_CMP_LT},
                {"SCMP_CMP_LE", SCMP_CMP_LE},
                {"SCMP_CMP_EQ", SCMP_CMP_EQ},
                {"SCMP_CMP_GE", SCMP_CMP_GE},
                {"SCMP_CMP_GT", SCMP_CMP_GT},
                {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
        };
        for (size_t i = 0; i < VS_ARRAY_SIZE(ops); i++)
                if (strcmp(ops[i].name, name) == 0) {
                        *ret = ops[i].op;
                        return 0;
                }
        return -EINVAL;
}

static int add_archs(scmp_filter_ctx ctx, char **archs, struct vs_error *err)
{
        for (char **a = archs; a && *a; a++) {
                /* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64" */
                char lower[64];
                const char *n = strncmp(*a, "SCMP_ARCH_", 10) == 0 ? *a + 10 : *a;
                size_t i;
                for (i = 0; n[i] && i < sizeof(lower) - 1; i++)
                        lower[i] = (char) (n[i] >= 'A' && n[i] <= 'Z' ? n[i] + 32 : n[i]);
                lower[i] = '\0';
                uint32_t arch = seccomp_arch_resolve_name(lower);
                if (arch == 0)
                        return vs_error_set(err, EINVAL, "linux.seccomp.architectures: unknown \"%s\"", *a);
                int r = seccomp_arch_add(ctx, arch);
                if (r < 0 && r != -EEXIST)
                        return vs_error_errno(err, -r, "linux.seccomp.architectures: cannot add %s", *a);
        }
        return 0;
}

static int set_flags(scmp_filter_ctx ctx, char **flags, struct vs_error *err)
{
        for (char **f = flags; f && *f; f++) {
                enum scmp_filter_attr attr;
                if (strcmp(*f, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
                        attr = SCMP_FLTATR_CTL_TSYNC;
                else if (strcmp(*f, "SECCOMP_FILTER_FLAG_LOG") == 0)
                        attr = SCMP_FLTATR_CTL_LOG;
                else if (strcmp(*f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
                        attr = SCMP_FLTATR_CTL_SSB;
                else
                        return vs_error_set(err, ENOTSUP, "linux.seccomp.flags: %s is not supported by this libseccomp",
                                            *f);
                int r = seccomp_attr_set(ctx, attr, 1);
                if (r < 0)
                        return vs_error_errno(err, -r, "linux.seccomp.flags: cannot set %s", *f);
        }
        return 0;
}

/* Arguments compared on the same index are alternatives (runc adds one rule
 * for each); arguments on distinct indexes must all match (one rule). */
static bool repeated_index(const struct vs_oci_seccomp_syscall *sc)
{
        for (size_t i = 0; i < sc->n_args; i++)
                for (size_t j = i + 1; j < sc->n_args; j++)
                        if (sc->args[i].index == sc->args[j].index)
                                return true;
        return false;
}

static int arg_of(const struct vs_oci_seccomp_arg *a, struct scmp_arg_cmp *out)
{
        enum scmp_compare op;
        if (parse_op(a->op, &op) < 0)
                return -EINVAL;
        *out = (struct scmp_arg_cmp){.arg = a->index, .op = op, .datum_a = a->value, .datum_b = a->value_two};
        return 0;
}

static int add_rule(scmp_filter_ctx ctx, size_t i, const struct vs_oci_seccomp_syscall *sc, uint32_t action,
                    struct vs_error *err)
{
        struct scmp_arg_cmp args[6];
        size_t nargs = sc->n_args < 6 ? sc->n_args : 6;
        for (size_t k = 0; k < nargs; k++)
                if (arg_of(&sc->args[k], &args[k]) < 0)
                        return vs_error_set(err, EINVAL, "linux.seccomp.syscalls[%zu].args[%zu].op: unknown \"%s\"", i,
                                            k, sc->args[k].op);
        bool alternatives = repeated_index(sc);
        for (char **name = sc->names; name && *name; name++) {
                int nr = seccomp_syscall_resolve_name(*name);
                if (nr == __NR_SCMP_ERROR)
                        continue; /* newer than libseccomp: skipped, as runc */
                int r = 0;
                if (alternatives)
                        for (size_t k = 0; k < nargs && r == 0; k++)
                                r = seccomp_rule_add_array(ctx, action, nr, 1, &args[k]);
                else
                        r = seccomp_rule_add_array(ctx, action, nr, (unsigned) nargs, args);
                if (r < 0)
                        return vs_error_errno(err, -r, "linux.seccomp.syscalls[%zu]: cannot add a rule for %s", i,
                                              *name);
        }
        return 0;
}

/* The process hands its listener to the runtime with one sendmsg, made
 * under the filter: were sendmsg notified, it would wait for an agent that
 * cannot have the listener yet, for ever (runc refuses write for the same
 * reason). Every later syscall may be notified: the agent holds it by then. */
static int check_notify_rule(size_t i, const struct vs_oci_seccomp_syscall *sc, struct vs_error *err)
{
        for (char **name = sc->names; name && *name; name++)
                if (strcmp(*name, "sendmsg") == 0)
                        return vs_error_set(err, EINVAL,
                                            "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY cannot apply to sendmsg: "
                                            "the runtime needs it to hand the listener to the agent",
                                            i);
        return 0;
}

bool vs_seccomp_uses_notify(const struct vs_oci_seccomp *s)
{
        for (size_t i = 0; s && i < s->n_syscalls; i++)
                if (strcmp(s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
                        return true;
        return false;
}

int vs_seccomp_build_ctx(const struct vs_oci_seccomp *s, void **ret_ctx, struct vs_error *err)
{
        uint32_t def;
        if (parse_action(s->default_action, s->default_errno_ret.value, s->default_errno_ret.set, &def) < 0)
                return vs_error_set(err, EINVAL, "linux.seccomp.defaultAction: unknown \"%s\"", s->default_action);
        if (def == SCMP_ACT_NOTIFY)
                return vs_error_set(err, EINVAL, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default");
        scmp_filter_ctx ctx = seccomp_init(def);
        if (!ctx)
                return vs_error_set(err, ENOMEM, "linux.seccomp: cannot create the filter");
        /* libseccomp sets no_new_privs on load unless told not to; whether
         * the process gets it is process.noNewPrivileges' say, not ours. */
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                r = vs_error_errno(err, -r, "linux.seccomp: cannot configure the filter");
        if (r == 0)
                r = add_archs(ctx, s->architectures, err);
        if (r == 0)
                r = set_flags(ctx, s->flags, err);
        for (size_t i = 0; r == 0 && i < s->n_syscalls; i++) {
                const struct vs_oci_seccomp_syscall *sc = &s->syscalls[i];
                uint32_t action;
                if (parse_action(sc->action, sc->errno_ret.value, sc->errno_ret.set, &action) < 0) {
                        r = vs_error_set(err, EINVAL, "linux.seccomp.syscalls[%zu].action: unknown \"%s\"", i,
                                         sc->action);
                        break;
                }
                if (action == SCMP_ACT_NOTIFY && (r = check_notify_rule(i, sc, err)) < 0)
                        break;
                if (action == def)
                        continue; /* libseccomp refuses a rule that repeats the default */
                r = add_rule(ctx, i, sc, action, err);
        }
        if (r < 0) {
                seccomp_release(ctx);
                return r;
        }
        *ret_ctx = ctx;
        return 0;
}

/* What the process loads: the program compiled by the runtime before it
 * cloned (linux.seccomp's `compiled`), or else a libseccomp filter. */
struct filter_handle {
        scmp_filter_ctx ctx;
        const struct vs_seccomp_program *program;
        bool notify;
};

int vs_seccomp_build(const struct vs_oci_seccomp *s, void **ret, struct vs_error *err)
{
        struct filter_handle *h = calloc(1, sizeof(*h));
        if (!h)
                return vs_error_set(err, ENOMEM, "linux.seccomp: out of memory");
        h->notify = vs_seccomp_uses_notify(s);
        h->program = s->compiled;
        int r = h->program ? 0 : vs_seccomp_build_ctx(s, (void **) &h->ctx, err);
        if (r < 0) {
                free(h);
                return r;
        }
        *ret = h;
        return 0;
}

void vs_seccomp_free(void *filter)
{
        struct filter_handle *h = filter;
        if (!h)
                return;
        if (h->ctx)
                seccomp_release(h->ctx);
        free(h);
}

/* seccomp(2) with the compiled program: the listener fd when notify, else 0. */
static int load_program(const struct vs_seccomp_program *p, bool notify)
{
        struct sock_fprog prog = {.len = p->len, .filter = (struct sock_filter *) p->insns};
        unsigned int flags = p->flags;
        if (notify) {
                flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
                if (flags & SECCOMP_FILTER_FLAG_TSYNC)
                        flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
        }
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
        return r < 0 ? -errno : (int) r;
}

int vs_seccomp_load(void *filter, struct vs_error *err)
{
        struct filter_handle *h = filter;
        int r = h->program ? load_program(h->program, false) : seccomp_load(h->ctx);
        vs_seccomp_free(h);
        if (r < 0)
                return vs_error_errno(err, -r, "linux.seccomp: cannot load the filter");
        return 0;
}

int vs_seccomp_load_notify(void *filter, int *ret_listener, struct vs_error *err)
{
        struct filter_handle *h = filter;
        if (h->program) {
                int fd = load_program(h->program, true);
                if (fd < 0)
                        return vs_error_errno(err, -fd, "linux.seccomp: cannot load the filter");
                *ret_listener = fd;
                return 0;
        }
        /* libseccomp asks the kernel for a listener
         * (SECCOMP_FILTER_FLAG_NEW_LISTENER) when a rule notifies. */
        int r = seccomp_load(h->ctx);
        if (r < 0)
                return vs_error_errno(err, -r, "linux.seccomp: cannot load the filter");
        int fd = seccomp_notify_fd(h->ctx);
        if (fd < 0)
                return vs_error_errno(err, fd == -EOPNOTSUPP ? ENOTSUP : -fd,
                                      "linux.seccomp: the filter was loaded without a listener for SCMP_ACT_NOTIFY");
        *ret_listener = fd;
        return 0;
}
