/* vessel exec: a new process in a running container, in-process through the
 * runtime library (its namespaces, cgroups, user, capabilities and seccomp
 * filter), with docker's flags and exit statuses: the process's own, 126
 * when it cannot be executed, 127 when it is not found. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "container_admin.h"
#include "exec_tty.h"
#include "engine/run_options.h"
#include "engine/spec_gen.h"
#include "oci/names.h"
#include "runtime/exec.h"
#include "util/cleanup.h"

#define EXEC_USAGE "exec [OPTIONS] CONTAINER COMMAND [ARG...]"

struct exec_args {
        bool interactive, tty, detach, privileged;
        const char *user, *workdir;
        struct detach_keys keys; /* --detach-keys, for -t sessions */
        char **env;              /* -e and --env-file, in order, as run parses them */
        char **command;
};

/* -e, --env-file, -u, -w go through run's parser: the same values, the same
 * wording for bad ones. `pass` holds them as "--flag" "value" pairs. */
static int parse_env(char **pass, int n, struct exec_args *a, struct vs_run_options *o)
{
        char *argv[130];
        int argc = 0;
        argv[argc++] = (char *) "exec";
        for (int i = 0; i < n; i++)
                argv[argc++] = pass[i];
        argv[argc++] = (char *) "image";
        argv[argc] = NULL;
        struct vs_error err = VS_ERROR_INIT;
        optind = 0;
        if (vs_run_options_parse(argc, argv, o, &err) < 0)
                return fail_usage("%s", err.msg);
        a->env = o->env;
        a->user = o->user;
        a->workdir = o->workdir;
        if (a->workdir && a->workdir[0] != '/')
                return fail_usage("the working directory '%s' is invalid, it needs to be an absolute path", a->workdir);
        return 0;
}

static const char exec_help[] = "  -d, --detach               Detached mode: run command in the background\n"
                                "      --detach-keys string   Override the key sequence for detaching a container\n"
                                "  -e, --env list             Set environment variables\n"
                                "      --env-file list        Read in a file of environment variables\n"
                                "  -i, --interactive          Keep STDIN open even if not attached\n"
                                "      --privileged           Give extended privileges to the command\n"
                                "  -t, --tty                  Allocate a pseudo-TTY\n"
                                "  -u, --user string          Username or UID (format: \"<name|uid>[:<group|gid>]\")\n"
                                "  -w, --workdir string       Working directory inside the container\n";

static int parse_exec(int argc, char **argv, struct exec_args *a, struct vs_run_options *o)
{
        enum {
                OPT_ENV_FILE = 1000,
                OPT_PRIVILEGED,
                OPT_DETACH_KEYS
        };
        static const struct option longopts[] = {
                {"detach", no_argument, NULL, 'd'},
                {"detach-keys", required_argument, NULL, OPT_DETACH_KEYS},
                {"env", required_argument, NULL, 'e'},
                {"env-file", required_argument, NULL, OPT_ENV_FILE},
                {"interactive", no_argument, NULL, 'i'},
                {"privileged", no_argument, NULL, OPT_PRIVILEGED},
                {"tty", no_argument, NULL, 't'},
                {"user", required_argument, NULL, 'u'},
                {"workdir", required_argument, NULL, 'w'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        char *pass[128];
        const char *detach_keys = DETACH_KEYS_DEFAULT;
        int n = 0, c;
        while ((c = next_option(argc, argv, "+de:itu:w:h", longopts)) != -1) {
                static const char *const names[] = {['e'] = "-e", ['u'] = "-u", ['w'] = "-w"};
                switch (c) {
                case 'd':
                        a->detach = true;
                        break;
                case 'i':
                        a->interactive = true;
                        break;
                case 't':
                        a->tty = true;
                        break;
                case OPT_PRIVILEGED:
                        a->privileged = true;
                        break;
                case OPT_DETACH_KEYS: /* read by the terminal of an attached -t session (exec_tty.c) */
                        detach_keys = optarg;
                        break;
                case 'e':
                case 'u':
                case 'w':
                case OPT_ENV_FILE:
                        if (n + 2 >= (int) VS_ARRAY_SIZE(pass))
                                return fail_usage("too many flags");
                        pass[n++] = (char *) (c == OPT_ENV_FILE ? "--env-file" : names[c]);
                        pass[n++] = optarg;
                        break;
                case 'h':
                        print_help(EXEC_USAGE, "Execute a command in a running container", exec_help);
                        return 1;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 2, -1, EXEC_USAGE))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        if (detach_keys_parse(detach_keys, &a->keys, &err) < 0)
                return fail_usage("%s", err.msg);
        a->command = argv + optind + 1;
        int first = optind;
        int r = parse_env(pass, n, a, o);
        optind = first;
        return r;
}

/* KEY=VALUE replaces KEY's entry or is appended; a bare KEY removes it. */
static void env_set(json_t *env, const char *entry)
{
        const char *eq = strchr(entry, '=');
        size_t klen = eq ? (size_t) (eq - entry) : strlen(entry);
        for (size_t i = 0; i < json_array_size(env); i++) {
                const char *e = json_string_value(json_array_get(env, i));
                if (e && strncmp(e, entry, klen) == 0 && e[klen] == '=') {
                        if (eq)
                                json_array_set_new(env, i, json_string(entry));
                        else
                                json_array_remove(env, i);
                        return;
                }
        }
        if (eq)
                json_array_append_new(env, json_string(entry));
}

/* Every capability in our bounding set, for --privileged (the kernel's
 * last one may be more than this host grants). */
static json_t *all_capabilities(void)
{
        json_t *list = json_array();
        for (size_t i = 0; i < vs_oci_n_capability_names && i < 64; i++)
                if (prctl(PR_CAPBSET_READ, (unsigned long) i, 0, 0, 0) == 1)
                        json_array_append_new(list, json_string(vs_oci_capability_names[i]));
        return list;
}

static int set_user(json_t *proc, const struct ctr_paths *p, const char *user, struct vs_error *err)
{
        _cleanup_close_ int rootfd = open(p->merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return vs_error_syscall(err, "cannot open %s", p->merged);
        struct vs_spec_user u = {0};
        int r = vs_spec_resolve_user(rootfd, user, NULL, &u, err);
        if (r < 0)
                return r;
        json_t *gids = json_array();
        for (size_t i = 0; i < u.n_additional_gids; i++)
                json_array_append_new(gids, json_integer(u.additional_gids[i]));
        json_object_set_new(proc, "user",
                            json_pack("{s:I,s:I,s:o}", "uid", (json_int_t) u.uid, "gid", (json_int_t) u.gid,
                                      "additionalGids", gids));
        vs_spec_user_free(&u);
        return 0;
}

/* The runtime-spec process: the container's own, with the command, the
 * environment, the user and directory of the flags. */
static int exec_process(const struct ctr_paths *p, const struct exec_args *a, char **ret, struct vs_error *err)
{
        json_error_t jerr;
        json_t *cfg = json_load_file(p->config, 0, &jerr);
        json_t *proc = json_deep_copy(json_object_get(cfg, "process"));
        json_decref(cfg);
        if (!json_is_object(proc)) {
                json_decref(proc);
                return vs_error_set(err, EINVAL, "%s: no process object", p->config);
        }
        json_t *args = json_array();
        for (char **s = a->command; *s; s++)
                json_array_append_new(args, json_string(*s));
        json_object_set_new(proc, "args", args);
        json_t *env = json_object_get(proc, "env");
        if (!json_is_array(env))
                json_object_set_new(proc, "env", env = json_array());
        if (a->tty)
                env_set(env, "TERM=xterm");
        for (char **e = a->env; e && *e; e++)
                env_set(env, *e);
        json_object_set_new(proc, "terminal", json_boolean(a->tty));
        json_object_del(proc, "consoleSize");
        if (a->workdir)
                json_object_set_new(proc, "cwd", json_string(a->workdir));
        if (a->privileged) {
                json_object_set_new(proc, "capabilities",
                                    json_pack("{s:o,s:o,s:o}", "bounding", all_capabilities(), "effective",
                                              all_capabilities(), "permitted", all_capabilities()));
                json_object_set_new(proc, "noNewPrivileges", json_false());
        }
        int r = a->user ? set_user(proc, p, a->user, err) : 0;
        if (r == 0 && !(*ret = json_dumps(proc, JSON_COMPACT)))
                r = vs_error_set(err, ENOMEM, "out of memory");
        json_decref(proc);
        return r;
}

/* stdin is /dev/null without -i; everything is with -d (nobody reads it). */
static void redirect_stdio(const struct exec_args *a)
{
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0)
                return;
        if (!a->interactive || a->detach)
                dup2(null, STDIN_FILENO);
        if (a->detach) {
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
        }
        close(null);
}

/* docker's statuses: 127 not found, 126 not executable or any other failure to start it. */
static int exec_failure(const struct vs_error *err)
{
        fail(err);
        return err->code == ENOENT ? 127 : 126;
}

/* The process: with -t its terminal comes to our console socket and is
 * served by exec_tty.c; without, it has our stdio (or /dev/null with -d). */
static int start_exec(const struct exec_args *a, const struct ctr_paths *p, const char *id, const char *process,
                      struct vs_error *err)
{
        struct exec_console con = EXEC_CONSOLE_INIT;
        struct detach_keys keys = a->keys;
        int status = 0;
        if (a->tty && exec_console_open(p->rundir, &con, err) < 0) {
                exec_console_close(&con);
                return fail(err);
        }
        struct vs_exec_options eo = {
                .root = p->runtime_root,
                .id = id,
                .process_json = process,
                .origin = "exec",
                .detach = a->detach || a->tty,
                .console_socket = a->tty ? con.socket : NULL,
                .pid_file = a->tty ? con.pid_file : NULL,
        };
        redirect_stdio(a);
        int r = vs_container_exec(&eo, &status, err);
        if (r < 0) {
                exec_console_close(&con);
                return exec_failure(err);
        }
        bool detached = a->detach;
        if (a->tty)
                r = exec_tty_finish(&con, a->detach, a->interactive, &keys, &status, &detached, err);
        exec_console_close(&con);
        if (r < 0)
                return fail(err);
        if (detached && !a->detach)
                fprintf(stderr, "read escape sequence\n");
        return detached ? 0 : status;
}

static int run_exec(const struct globals *g, const struct exec_args *a, const char *name)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        struct vs_container c = {0};
        int r = engine_open(g, &s, &err);
        if (r == 0)
                r = container_find_running(g, s, name, &c, &err);
        if (r == 0 && container_paused(g, &c))
                r = vs_error_set(&err, EBUSY, "Container %.64s is paused, unpause the container before exec", c.id);
        struct ctr_paths p;
        _cleanup_free_ char *process = NULL;
        if (r == 0) {
                ctr_paths(g, c.id, &p);
                r = exec_process(&p, a, &process, &err);
        }
        if (r == 0) /* the sysinfo agent (vessel-procfs) listens before the runtime hands it the listener */
                r = procfs_ensure_for(&p, &err);
        if (s)
                vs_store_close(s);
        int status = 0;
        if (r == 0)
                status = start_exec(a, &p, c.id, process, &err);
        vs_container_free(&c);
        return r < 0 ? fail(&err) : status;
}

int cmd_exec(const struct globals *g, int argc, char **argv)
{
        struct exec_args a = {0};
        struct vs_run_options o = {0};
        int r = parse_exec(argc, argv, &a, &o);
        if (r == 0)
                r = run_exec(g, &a, argv[optind]);
        else if (r == 1)
                r = 0;
        vs_run_options_free(&o);
        return r;
}
