/* vessel-runtime exec: the process comes from --process FILE, or from the
 * container's own process object with the flags applied, as runc does. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "runtime/exec.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/files.h"

struct exec_args {
        struct vs_exec_options o;
        const char *process_file;
        const char *cwd;
        const char *user;
        const char *apparmor, *label;
        bool tty, no_new_privs;
        json_t *env, *gids, *caps; /* arrays of what the flags added */
};

static json_t *template_process(const struct globals *g, const char *id, struct vs_error *err)
{
        _cleanup_close_ int rootfd = vs_state_open_root(g->root, false, err);
        struct vs_state st;
        if (rootfd < 0 || vs_state_load(rootfd, id, &st, err) < 0) {
                vs_error_set(err, ENOENT, "container %s does not exist", id);
                return NULL;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/config.json", st.bundle);
        vs_state_clear(&st);
        json_error_t jerr;
        json_t *config = json_load_file(path, 0, &jerr);
        json_t *process = json_incref(json_object_get(config, "process"));
        json_decref(config);
        if (!json_is_object(process)) {
                json_decref(process);
                vs_error_set(err, EINVAL, "container %s: %s has no process to start from", id, path);
                return NULL;
        }
        return process;
}

/* "1000", "1000:1000" */
static int apply_user(json_t *process, const char *spec, struct vs_error *err)
{
        char *end;
        unsigned long uid = strtoul(spec, &end, 10), gid = 0;
        bool has_gid = *end == ':';
        if (has_gid)
                gid = strtoul(end + 1, &end, 10);
        if (end == spec || *end)
                return vs_error_set(err, EINVAL, "exec: --user: expected UID[:GID], got \"%s\"", spec);
        json_t *user = json_object_get(process, "user");
        if (!json_is_object(user)) {
                user = json_object();
                json_object_set_new(process, "user", user);
        }
        json_object_set_new(user, "uid", json_integer((json_int_t) uid));
        json_object_set_new(user, "gid", json_integer((json_int_t) (has_gid ? gid : 0)));
        return 0;
}

static void append_all(json_t *obj, const char *key, json_t *more)
{
        json_t *arr = json_object_get(obj, key);
        if (!json_is_array(arr)) {
                arr = json_array();
                json_object_set_new(obj, key, arr);
        }
        json_array_extend(arr, more);
}

static char *process_from_flags(const struct globals *g, struct exec_args *a, int argc, char **argv,
                                struct vs_error *err)
{
        json_t *p = template_process(g, a->o.id, err);
        if (!p)
                return NULL;
        json_t *args = json_array();
        for (int i = optind + 1; i < argc; i++)
                json_array_append_new(args, json_string(argv[i]));
        json_object_set_new(p, "args", args);
        json_object_set_new(p, "terminal", json_boolean(a->tty));
        if (a->cwd)
                json_object_set_new(p, "cwd", json_string(a->cwd));
        if (a->no_new_privs)
                json_object_set_new(p, "noNewPrivileges", json_true());
        if (a->apparmor)
                json_object_set_new(p, "apparmorProfile", json_string(a->apparmor));
        if (a->label)
                json_object_set_new(p, "selinuxLabel", json_string(a->label));
        append_all(p, "env", a->env);
        if (a->user && apply_user(p, a->user, err) < 0) {
                json_decref(p);
                return NULL;
        }
        if (json_array_size(a->gids)) {
                json_t *user = json_object_get(p, "user");
                if (json_is_object(user))
                        append_all(user, "additionalGids", a->gids);
        }
        if (json_array_size(a->caps)) {
                json_t *caps = json_object_get(p, "capabilities");
                if (!json_is_object(caps)) {
                        caps = json_object();
                        json_object_set_new(p, "capabilities", caps);
                }
                static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable", "ambient"};
                for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
                        append_all(caps, sets[i], a->caps);
        }
        char *text = json_dumps(p, JSON_COMPACT);
        json_decref(p);
        return text;
}

static int parse_exec(const struct globals *g, int argc, char **argv, struct exec_args *a)
{
        enum {
                OPT_PID_FILE = 1000,
                OPT_CONSOLE,
                OPT_PRESERVE,
                OPT_NNP,
                OPT_CWD,
                OPT_APPARMOR,
                OPT_LABEL,
                OPT_CGROUP,
                OPT_IGNORED
        };
        static const struct option longopts[] = {
                {"process", required_argument, NULL, 'p'},
                {"tty", no_argument, NULL, 't'},
                {"detach", no_argument, NULL, 'd'},
                {"env", required_argument, NULL, 'e'},
                {"user", required_argument, NULL, 'u'},
                {"additional-gids", required_argument, NULL, 'g'},
                {"cap", required_argument, NULL, 'c'},
                {"cwd", required_argument, NULL, OPT_CWD},
                {"no-new-privs", no_argument, NULL, OPT_NNP},
                {"pid-file", required_argument, NULL, OPT_PID_FILE},
                {"console-socket", required_argument, NULL, OPT_CONSOLE},
                {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
                {"apparmor", required_argument, NULL, OPT_APPARMOR},
                {"process-label", required_argument, NULL, OPT_LABEL},
                {"cgroup", required_argument, NULL, OPT_CGROUP},
                {"ignore-paused", no_argument, NULL, OPT_IGNORED},
                {0},
        };
        a->o.root = g->root;
        int c;
        while ((c = next_option(argc, argv, "+p:tde:u:g:c:", longopts, "exec")) != -1) {
                switch (c) {
                case 'p':
                        a->process_file = optarg;
                        break;
                case 't':
                        a->tty = true;
                        break;
                case 'd':
                        a->o.detach = true;
                        break;
                case 'e':
                        json_array_append_new(a->env, json_string(optarg));
                        break;
                case 'u':
                        a->user = optarg;
                        break;
                case 'g':
                        json_array_append_new(a->gids, json_integer(atoll(optarg)));
                        break;
                case 'c':
                        json_array_append_new(a->caps, json_string(optarg));
                        break;
                case OPT_CWD:
                        a->cwd = optarg;
                        break;
                case OPT_NNP:
                        a->no_new_privs = true;
                        break;
                case OPT_PID_FILE:
                        a->o.pid_file = optarg;
                        break;
                case OPT_CONSOLE:
                        a->o.console_socket = optarg;
                        break;
                case OPT_PRESERVE:
                        a->o.preserve_fds = atoi(optarg);
                        break;
                case OPT_APPARMOR:
                        a->apparmor = optarg;
                        break;
                case OPT_LABEL:
                        a->label = optarg;
                        break;
                case OPT_CGROUP:
                        if (a->o.n_sub_cgroups == sizeof(a->o.sub_cgroups) / sizeof(a->o.sub_cgroups[0])) {
                                struct vs_error err = VS_ERROR_INIT;
                                vs_error_set(&err, E2BIG, "exec: --cgroup: too many");
                                return fail(&err);
                        }
                        a->o.sub_cgroups[a->o.n_sub_cgroups++] = optarg;
                        break;
                case OPT_IGNORED:
                        break; /* no LSM here; --cgroup sub-cgroups come later */
                default:
                        return 1;
                }
        }
        if (argc - optind < 1 || (!a->process_file && argc - optind < 2)) {
                struct vs_error err = VS_ERROR_INIT;
                vs_error_set(&err, EINVAL,
                             "exec: usage: vessel-runtime exec [options] ID COMMAND [ARG...] | "
                             "exec --process FILE ID");
                return fail(&err);
        }
        a->o.id = argv[optind];
        return 0;
}

int cmd_exec(const struct globals *g, int argc, char **argv)
{
        struct exec_args a = {.env = json_array(), .gids = json_array(), .caps = json_array()};
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_free_ char *text = NULL, *origin = NULL;
        int r = parse_exec(g, argc, argv, &a);
        if (r == 0 && a.process_file) {
                if (vs_read_file(a.process_file, &text, NULL, &err) < 0)
                        r = fail(&err);
                else if (asprintf(&origin, "--process %s", a.process_file) < 0)
                        origin = NULL;
        } else if (r == 0) {
                text = process_from_flags(g, &a, argc, argv, &err);
                if (!text)
                        r = fail(&err);
        }
        json_decref(a.env);
        json_decref(a.gids);
        json_decref(a.caps);
        if (r)
                return r;
        a.o.process_json = text;
        a.o.origin = origin ? origin : "exec";
        int status = 0;
        if (vs_container_exec(&a.o, &status, &err) < 0)
                return fail(&err);
        return a.o.detach ? 0 : status;
}
