/* vessel: restart policies (--restart no|on-failure[:N]|always|unless-stopped),
 * applied by `container cleanup`, the monitor's exit command, once the
 * exit is recorded. A container the user stopped (`vessel stop`, `kill`)
 * is left alone. Between restarts docker waits 100 ms, doubling each time
 * and back to 100 ms after a run of 10 s or more; here the doubling stops
 * at 800 ms so that a crashing container costs little and tests stay short. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "engine/run_json.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_SHIFT 3
#define BACKOFF_RESET_NS (10LL * 1000000000)

static bool policy_wants(const struct vs_container *c, const struct vs_run_host_summary *h)
{
        if (c->stopped_by_user || (strcmp(c->state, "exited") != 0 && strcmp(c->state, "restarting") != 0))
                return false;
        switch (h->restart) {
        case VS_RESTART_ALWAYS:
        case VS_RESTART_UNLESS_STOPPED:
                return true;
        case VS_RESTART_ON_FAILURE:
                return c->exit_code != 0 && (h->restart_max_retries == 0 || c->restart_count < h->restart_max_retries);
        case VS_RESTART_NO:
                break;
        }
        return false;
}

static unsigned backoff_ms(const struct vs_container *c)
{
        if (c->finished_at - c->started_at >= BACKOFF_RESET_NS)
                return BACKOFF_FIRST_MS;
        int shift = c->restart_count < BACKOFF_MAX_SHIFT ? c->restart_count : BACKOFF_MAX_SHIFT;
        return BACKOFF_FIRST_MS << shift;
}

/* Read the record again: the user may have stopped or removed it meanwhile. */
static int reread(struct vs_store *s, const char *id, struct vs_container *c, struct vs_run_host_summary *h, bool *want,
                  struct vs_error *err)
{
        vs_container_free(c);
        int r = vs_container_find(s->db, id, c, err);
        if (r == -ENOENT) {
                vs_error_ignore(err);
                *want = false;
                return 0;
        }
        if (r == 0)
                r = vs_run_host_summary(c->host_config, h, err);
        *want = r == 0 && policy_wants(c, h);
        return r;
}

/* The user stopped it while it was starting (stop saw "restarting" and had
 * nothing to kill): end it now; its exit finds stopped_by_user set. */
static void stop_if_stopped_meanwhile(const struct globals *g, struct vs_store *s, const char *id)
{
        struct vs_container c = {0};
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_container_find(s->db, id, &c, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return;
        }
        if (c.stopped_by_user) {
                struct ctr_paths p;
                ctr_paths(g, c.id, &p);
                if (runtime_kill(&p, &c, SIGKILL, true, &ignored) < 0)
                        vs_error_ignore(&ignored);
        }
        vs_container_free(&c);
}

int container_restart_by_policy(const struct globals *g, struct vs_store *s, const char *id, struct vs_error *err)
{
        struct vs_container c = {0};
        struct vs_run_host_summary h;
        bool want = false;
        int r = reread(s, id, &c, &h, &want, err);
        if (r == 0 && want) {
                /* docker's "restarting" while it waits; back to "exited" if it will not */
                r = vs_container_set_state(s->db, c.id, "exited", "restarting", err);
                if (r == 0)
                        usleep(backoff_ms(&c) * 1000u);
                if (r == 0)
                        r = reread(s, id, &c, &h, &want, err);
                if (r == 0 && !want && c.id)
                        r = vs_container_set_state(s->db, c.id, "restarting", "exited", err);
        }
        if (r == 0 && want) {
                r = vs_container_set_restart_count(s->db, c.id, c.restart_count + 1, err);
                c.policy_restart = true;
                if (r == 0)
                        r = container_start(g, s, &c, NULL, err);
                if (r < 0)
                        vs_error_wrap(err, "cannot restart container %.12s", c.id);
                else
                        stop_if_stopped_meanwhile(g, s, c.id);
        }
        vs_container_free(&c);
        return r;
}
