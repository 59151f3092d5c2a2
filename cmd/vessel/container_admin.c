/* vessel pause, unpause, rename, restart, and what the live commands share
 * (container_admin.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container_admin.h"
#include "util/cleanup.h"

int container_find_running(const struct globals *g, struct vs_store *s, const char *text, struct vs_container *ret,
                           struct vs_error *err)
{
        int r = vs_container_find(s->db, text, ret, err);
        if (r < 0)
                return r;
        container_refresh(g, s, ret);
        if (strcmp(ret->state, "running") != 0) {
                r = vs_error_set(err, EINVAL, "container %.64s is not running", ret->id);
                vs_container_free(ret);
        }
        return r;
}

int container_runtime_state(const struct globals *g, const struct vs_container *c, struct vs_state *ret,
                            struct vs_error *err)
{
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        int r = vs_state_open(p.runtime_root, c->id, NULL, NULL, ret, err);
        return r < 0 ? vs_error_wrap(err, "container %.12s", c->id) : 0;
}

bool container_paused(const struct globals *g, const struct vs_container *c)
{
        struct vs_state st;
        struct vs_error ignored = VS_ERROR_INIT;
        if (container_runtime_state(g, c, &st, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return false;
        }
        bool paused = st.status == VS_STATUS_PAUSED;
        vs_state_clear(&st);
        return paused;
}

void container_mark_paused(const struct globals *g, struct vs_container *c)
{
        if (strcmp(c->state, "running") != 0 || !container_paused(g, c))
                return;
        char *paused = strdup("paused");
        if (paused) {
                free(c->state);
                c->state = paused;
        }
}

/* --- pause, unpause --- */

static int freeze_one(const struct globals *g, struct vs_store *s, const char *name, bool freeze, struct vs_error *err)
{
        struct vs_container c = {0};
        int r = vs_container_find(s->db, name, &c, err);
        if (r < 0)
                return r;
        container_refresh(g, s, &c);
        struct ctr_paths p;
        ctr_paths(g, c.id, &p);
        _cleanup_close_ int lockfd = -1;
        struct vs_state st = {0};
        if (strcmp(c.state, "running") != 0)
                r = vs_error_set(err, EINVAL, "Container %.64s is not running", c.id);
        else
                r = vs_state_open(p.runtime_root, c.id, NULL, &lockfd, &st, err);
        if (r == 0 && freeze && st.status == VS_STATUS_PAUSED)
                r = vs_error_set(err, EINVAL, "Container %.64s is already paused", c.id);
        else if (r == 0 && !freeze && st.status != VS_STATUS_PAUSED)
                r = vs_error_set(err, EINVAL, "Container %.64s is not paused", c.id);
        else if (r == 0 && vs_cgroup_freeze(st.cgroup_dirs, freeze, err) < 0)
                r = vs_error_wrap(err, "cannot %s container %.12s", freeze ? "pause" : "unpause", c.id);
        if (lockfd >= 0)
                vs_state_clear(&st);
        vs_container_free(&c);
        return r;
}

static int freeze_cmd(const struct globals *g, int argc, char **argv, bool freeze)
{
        static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0}};
        const char *usage = freeze ? "pause CONTAINER [CONTAINER...]" : "unpause CONTAINER [CONTAINER...]";
        int c;
        while ((c = next_option(argc, argv, "h", longopts)) != -1) {
                if (c != 'h')
                        return 125;
                print_help(usage,
                           freeze ? "Pause all processes within one or more containers"
                                  : "Unpause all processes within one or more containers",
                           "");
                return 0;
        }
        if (!want_args(argc, argv, 1, -1, usage))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (engine_open(g, &s, &err) < 0)
                return fail(&err);
        int status = 0;
        for (int i = optind; i < argc; i++) {
                if (freeze_one(g, s, argv[i], freeze, &err) < 0) {
                        status = fail(&err);
                        err = (struct vs_error) VS_ERROR_INIT;
                } else {
                        printf("%s\n", argv[i]);
                }
        }
        vs_store_close(s);
        return status;
}

int cmd_pause(const struct globals *g, int argc, char **argv)
{
        return freeze_cmd(g, argc, argv, true);
}

int cmd_unpause(const struct globals *g, int argc, char **argv)
{
        return freeze_cmd(g, argc, argv, false);
}

/* --- rename --- */

/* docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
static bool valid_name(const char *name)
{
        if (!isalnum((unsigned char) name[0]) || !name[1])
                return false;
        for (const char *p = name + 1; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '_' && *p != '.' && *p != '-')
                        return false;
        return true;
}

int cmd_rename(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0}};
        int c;
        while ((c = next_option(argc, argv, "h", longopts)) != -1) {
                if (c != 'h')
                        return 125;
                print_help("rename CONTAINER NEW_NAME", "Rename a container", "");
                return 0;
        }
        if (!want_args(argc, argv, 2, 2, "rename CONTAINER NEW_NAME"))
                return 125;
        const char *old = argv[optind], *name = argv[optind + 1];
        if (name[0] == '/')
                name++;
        if (!valid_name(name))
                return fail_usage("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        struct vs_container ctr = {0};
        int r = engine_open(g, &s, &err);
        if (r == 0)
                r = vs_container_find(s->db, old, &ctr, &err);
        if (r == 0 && strcmp(ctr.name, name) == 0)
                r = vs_error_set(&err, EINVAL, "Renaming a container with the same name as its current name");
        if (r == 0)
                r = vs_container_rename(s->db, ctr.id, name, &err);
        vs_container_free(&ctr);
        if (s)
                vs_store_close(s);
        return r < 0 ? fail(&err) : 0;
}

/* --- restart --- */

int container_restart(const struct globals *g, struct vs_store *s, struct vs_container *c, int timeout,
                      struct vs_error *err)
{
        /* The user's stop: the restart policy must not start it behind our back
         * (the start clears the mark). */
        int r = vs_container_set_stopped_by_user(s->db, c->id, true, err);
        if (r == 0)
                r = container_stop(g, s, c, timeout, err);
        if (r < 0)
                return r;
        /* The record again: the stop's cleanup wrote the exit (or removed a --rm container). */
        struct vs_container again = {0};
        r = vs_container_find(s->db, c->id, &again, err);
        if (r == 0)
                r = container_start(g, s, &again, NULL, err);
        vs_container_free(&again);
        return r;
}

static int parse_timeout(const char *text, int *ret)
{
        char *end;
        long v = strtol(text, &end, 10);
        if (!*text || *end || v < -1 || v > 100000)
                return fail_usage("invalid argument \"%s\" for \"-t, --time\" flag: strconv.ParseInt: parsing \"%s\": "
                                  "invalid syntax",
                                  text, text);
        *ret = (int) v;
        return 0;
}

int cmd_restart(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"time", required_argument, NULL, 't'},
                {"timeout", required_argument, NULL, 't'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int timeout = 10, c;
        while ((c = next_option(argc, argv, "t:h", longopts)) != -1) {
                switch (c) {
                case 't':
                        if (parse_timeout(optarg, &timeout) != 0)
                                return 125;
                        break;
                case 'h':
                        print_help("restart [OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers",
                                   "  -t, --time int   Seconds to wait before killing the container (default 10)\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 1, -1, "restart [OPTIONS] CONTAINER [CONTAINER...]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (engine_open(g, &s, &err) < 0)
                return fail(&err);
        int status = 0;
        for (int i = optind; i < argc; i++) {
                struct vs_container ctr = {0};
                int r = vs_container_find(s->db, argv[i], &ctr, &err);
                if (r == 0)
                        r = container_restart(g, s, &ctr, timeout < 0 ? 100000 : timeout, &err);
                vs_container_free(&ctr);
                if (r < 0) {
                        status = fail(&err);
                        err = (struct vs_error) VS_ERROR_INIT;
                } else {
                        printf("%s\n", argv[i]);
                }
        }
        vs_store_close(s);
        return status;
}
