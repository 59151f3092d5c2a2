/* vessel-runtime pause / resume: freeze and thaw the container's cgroup. */
#include <errno.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "commands.h"
#include "runtime/state.h"
#include "util/cleanup.h"

int load_container(const struct globals *g, const char *id, int *ret_lockfd, struct vs_state *st, struct vs_error *err)
{
        return vs_state_open(g->root, id, NULL, ret_lockfd, st, err);
}

static int freeze_cmd(const struct globals *g, int argc, char **argv, bool freeze)
{
        static const struct option longopts[] = {{0}};
        const char *name = freeze ? "pause" : "resume";
        if (next_option(argc, argv, "+", longopts, name) != -1 ||
            !want_args(argc, argv, 1, freeze ? "pause ID" : "resume ID"))
                return 1;
        const char *id = argv[optind];
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int lockfd = -1;
        struct vs_state st;
        if (load_container(g, id, &lockfd, &st, &err) < 0)
                return fail(&err);
        int r = 0;
        if (freeze && st.status != VS_STATUS_RUNNING && st.status != VS_STATUS_CREATED)
                r = vs_error_set(&err, EINVAL, "cannot pause container %s: container not running (it is %s)", id,
                                 vs_status_name(st.status));
        else if (!freeze && st.status != VS_STATUS_PAUSED)
                r = vs_error_set(&err, EINVAL, "cannot resume container %s: container not paused (it is %s)", id,
                                 vs_status_name(st.status));
        else if (vs_cgroup_freeze(st.cgroup_dirs, freeze, &err) < 0)
                r = vs_error_wrap(&err, "cannot %s container %s", name, id);
        vs_state_clear(&st);
        return r < 0 ? fail(&err) : 0;
}

int cmd_pause(const struct globals *g, int argc, char **argv)
{
        return freeze_cmd(g, argc, argv, true);
}

int cmd_resume(const struct globals *g, int argc, char **argv)
{
        return freeze_cmd(g, argc, argv, false);
}
