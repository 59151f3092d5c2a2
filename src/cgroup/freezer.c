/* vessel: pause and resume: the v1 freezer where a freezer hierarchy
 * exists, else cgroup v2's cgroup.freeze. Both are asynchronous in the
 * kernel: wait until the cgroup reports it is frozen. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cgroup/cgroup.h"
#include "cgroup/layout.h"
#include "util/cleanup.h"

#define FREEZE_WAIT_MS 10000

static bool is_frozen(const struct vs_cgroup_dir *d)
{
        _cleanup_free_ char *text = NULL;
        struct vs_error e = VS_ERROR_INIT;
        uint64_t frozen = 0;
        if (vs_cgroup_read(d, d->v2 ? "cgroup.events" : "freezer.state", &text, &e) < 0) {
                vs_error_ignore(&e);
                return false;
        }
        if (d->v2)
                return vs_cgroup_keyed(text, "frozen", &frozen) && frozen == 1;
        return strncmp(text, "FROZEN", 6) == 0;
}

bool vs_cgroup_frozen(char **dirs)
{
        struct vs_cgroup_layout l;
        struct vs_error e = VS_ERROR_INIT;
        if (vs_cgroup_layout_load(dirs, &l, &e) < 0) {
                vs_error_ignore(&e);
                return false;
        }
        const struct vs_cgroup_dir *d = vs_cgroup_layout_find(&l, VS_CG_FREEZER);
        _cleanup_free_ char *text = NULL;
        if (!d || vs_cgroup_read(d, d->v2 ? "cgroup.freeze" : "freezer.state", &text, &e) < 0) {
                vs_error_ignore(&e);
                return false;
        }
        /* FREEZING counts: a pause in progress (or stuck) is not "running". */
        return d->v2 ? text[0] == '1' : strncmp(text, "FROZEN", 6) == 0 || strncmp(text, "FREEZING", 8) == 0;
}

static int request(const struct vs_cgroup_dir *d, bool freeze, struct vs_error *err)
{
        if (d->v2)
                return vs_cgroup_writef(d, "cgroup.freeze", "cgroup.freeze", err, "%d", freeze ? 1 : 0);
        return vs_cgroup_writef(d, "freezer.state", "freezer.state", err, "%s", freeze ? "FROZEN" : "THAWED");
}

int vs_cgroup_freeze(char **dirs, bool freeze, struct vs_error *err)
{
        struct vs_cgroup_layout l;
        int r = vs_cgroup_layout_load(dirs, &l, err);
        if (r < 0)
                return r;
        const struct vs_cgroup_dir *d = vs_cgroup_layout_find(&l, VS_CG_FREEZER);
        if (!d)
                return vs_error_set(err, ENOTSUP, "no freezer: neither a v1 freezer hierarchy nor cgroup v2 here");
        if (request(d, freeze, err) < 0)
                return -err->code;
        if (!freeze)
                return 0;
        for (int ms = 0; ms < FREEZE_WAIT_MS; ms += 1) {
                if (is_frozen(d))
                        return 0;
                /* v1 can stay FREEZING when a task was busy: asking again retries it. */
                if (!d->v2 && ms % 10 == 9 && request(d, true, err) < 0)
                        return -err->code;
                nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
        }
        struct vs_error ignored = VS_ERROR_INIT;
        (void) request(d, false, &ignored);
        vs_error_ignore(&ignored);
        return vs_error_set(err, ETIMEDOUT, "cannot freeze %s: still not frozen after %d s", d->path,
                            FREEZE_WAIT_MS / 1000);
}
