/* vessel-runtime events: the container's cgroup figures as runc prints
 * them ({"type":"stats","id":ID,"data":{...}}), once with --stats, else every
 * --interval, with {"type":"oom","id":ID} when the kernel's OOM killer hits
 * the container (v1: an eventfd on memory.oom_control; v2: the oom_kill
 * count of memory.events). The stream ends when the container stops. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/stats.h"
#include "commands.h"
#include "runtime/state.h"
#include "util/cleanup.h"

static json_t *mem_entry(const struct vs_cgroup_mem_entry *e)
{
        return json_pack("{s:I,s:I,s:I,s:I}", "limit", (json_int_t) e->limit, "usage", (json_int_t) e->usage, "max",
                         (json_int_t) e->max_usage, "failcnt", (json_int_t) e->failcnt);
}

static json_t *blkio_list(const struct vs_cgroup_blkio_entry *e, size_t n)
{
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_pack("{s:I,s:I,s:s,s:I}", "major", (json_int_t) e[i].major, "minor",
                                                   (json_int_t) e[i].minor, "op", e[i].op, "value",
                                                   (json_int_t) e[i].value));
        return a;
}

static json_t *stats_json(const struct vs_cgroup_stats *s)
{
        json_t *hugetlb = json_object();
        for (size_t i = 0; i < s->n_hugetlb; i++)
                json_object_set_new(hugetlb, s->hugetlb[i].page_size,
                                    json_pack("{s:I,s:I,s:I}", "usage", (json_int_t) s->hugetlb[i].usage, "max",
                                              (json_int_t) s->hugetlb[i].max_usage, "failcnt",
                                              (json_int_t) s->hugetlb[i].failcnt));
        return json_pack("{s:{s:{s:I,s:I,s:I},s:{s:I,s:I,s:I}},s:{s:I,s:o,s:o,s:o},s:{s:I,s:I},s:{s:o,s:o},s:o}", "cpu",
                         "usage", "total", (json_int_t) s->cpu.total, "kernel", (json_int_t) s->cpu.system, "user",
                         (json_int_t) s->cpu.user, "throttling", "periods", (json_int_t) s->cpu.periods,
                         "throttledPeriods", (json_int_t) s->cpu.throttled_periods, "throttledTime",
                         (json_int_t) s->cpu.throttled_time, "memory", "cache", (json_int_t) s->memory.cache, "usage",
                         mem_entry(&s->memory.usage), "swap", mem_entry(&s->memory.swap), "kernel",
                         mem_entry(&s->memory.kernel), "pids", "current", (json_int_t) s->pids.current, "limit",
                         (json_int_t) s->pids.limit, "blkio", "ioServiceBytesRecursive",
                         blkio_list(s->io_bytes, s->n_io_bytes), "ioServicedRecursive",
                         blkio_list(s->io_ops, s->n_io_ops), "hugetlb", hugetlb);
}

static int print_event(const char *type, const char *id, json_t *data)
{
        json_t *ev = json_pack("{s:s,s:s}", "type", type, "id", id);
        if (data)
                json_object_set_new(ev, "data", data);
        char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
        json_decref(ev);
        if (!text)
                return -ENOMEM;
        printf("%s\n", text);
        fflush(stdout);
        free(text);
        return 0;
}

static int print_stats(const char *id, char **dirs, struct vs_error *err)
{
        struct vs_cgroup_stats s;
        if (vs_cgroup_stats(dirs, &s, err) < 0)
                return -err->code;
        return print_event("stats", id, stats_json(&s));
}

/* v1: an eventfd the kernel signals on every OOM in the cgroup. */
static int oom_eventfd(char **dirs)
{
        for (char **d = dirs; d && *d; d++) {
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/memory.oom_control", *d);
                _cleanup_close_ int ofd = open(path, O_RDONLY | O_CLOEXEC);
                if (ofd < 0)
                        continue;
                _cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
                snprintf(path, sizeof(path), "%s/cgroup.event_control", *d);
                _cleanup_close_ int cfd = open(path, O_WRONLY | O_CLOEXEC);
                char line[64];
                int len = snprintf(line, sizeof(line), "%d %d", efd, ofd);
                if (efd >= 0 && cfd >= 0 && write(cfd, line, (size_t) len) == len)
                        return TAKE_FD(efd);
        }
        return -1;
}

static uint64_t oom_kills(char **dirs)
{
        struct vs_cgroup_stats s;
        struct vs_error e = VS_ERROR_INIT;
        if (vs_cgroup_stats(dirs, &s, &e) < 0) {
                vs_error_ignore(&e);
                return 0;
        }
        return s.memory.oom_kills;
}

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An OOM since the last look? The eventfd says so on v1; the counter is
 * the truth on both (and tells an OOM from the eventfd's wake-up when the
 * cgroup is removed). */
static bool oom_happened(char **dirs, int efd, uint64_t *kills)
{
        uint64_t ticks = 0, now = oom_kills(dirs);
        bool woke = efd >= 0 && read(efd, &ticks, sizeof(ticks)) == sizeof(ticks);
        bool more = now > *kills;
        *kills = now > *kills ? now : *kills;
        return more || (woke && dirs && dirs[0] && access(dirs[0], F_OK) == 0);
}

static int stream(const char *id, const struct vs_state *st, int64_t interval_ms, struct vs_error *err)
{
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, st->pid, 0);
        if (pidfd < 0 || vs_proc_start_time(st->pid) != st->pid_start_time)
                return 0; /* already stopped */
        _cleanup_close_ int efd = oom_eventfd(st->cgroup_dirs);
        uint64_t kills = oom_kills(st->cgroup_dirs);
        int64_t next = now_ms() + interval_ms;
        for (;;) {
                struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = efd, .events = POLLIN}};
                int64_t wait = next - now_ms();
                wait = wait < 0 ? 0 : wait > 200 ? 200 : wait; /* v2 has no eventfd: look at the counter */
                if (poll(p, efd >= 0 ? 2 : 1, (int) wait) < 0 && errno != EINTR)
                        return vs_error_syscall(err, "events");
                if (oom_happened(st->cgroup_dirs, efd, &kills) && print_event("oom", id, NULL) < 0)
                        return vs_error_errno(err, ENOMEM, "events");
                if (p[0].revents & POLLIN)
                        return 0; /* the container's init has exited */
                if (now_ms() >= next) {
                        if (print_stats(id, st->cgroup_dirs, err) < 0)
                                return -err->code;
                        next += interval_ms;
                }
        }
}

/* runc's durations: "5s", "500ms", "1m"; a bare number is seconds. */
static int parse_interval(const char *text, int64_t *ret_ms, struct vs_error *err)
{
        char *end;
        double v = strtod(text, &end);
        double mult = strcmp(end, "ms") == 0           ? 1
                      : strcmp(end, "s") == 0 || !*end ? 1000
                      : strcmp(end, "m") == 0          ? 60000
                                                       : -1;
        if (end == text || mult < 0 || v * mult < 1)
                return vs_error_set(err, EINVAL, "events: --interval: expected a duration like 5s or 500ms, got \"%s\"",
                                    text);
        *ret_ms = (int64_t) (v * mult);
        return 0;
}

int cmd_events(const struct globals *g, int argc, char **argv)
{
        enum {
                OPT_STATS = 1000,
                OPT_INTERVAL
        };
        static const struct option longopts[] = {
                {"stats", no_argument, NULL, OPT_STATS}, {"interval", required_argument, NULL, OPT_INTERVAL}, {0}};
        bool once = false;
        const char *interval = "5s";
        int c;
        while ((c = next_option(argc, argv, "+", longopts, "events")) != -1) {
                if (c == OPT_STATS)
                        once = true;
                else if (c == OPT_INTERVAL)
                        interval = optarg;
                else
                        return 1;
        }
        if (!want_args(argc, argv, 1, "events [--stats] [--interval DURATION] ID"))
                return 1;
        struct vs_error err = VS_ERROR_INIT;
        int64_t interval_ms = 5000;
        if (parse_interval(interval, &interval_ms, &err) < 0)
                return fail(&err);
        const char *id = argv[optind];
        struct vs_state st;
        if (load_container(g, id, NULL, &st, &err) < 0)
                return fail(&err);
        int r;
        if (st.status == VS_STATUS_STOPPED)
                r = vs_error_set(&err, EINVAL, "events: container %s not running", id);
        else
                r = once ? print_stats(id, st.cgroup_dirs, &err) : stream(id, &st, interval_ms, &err);
        vs_state_clear(&st);
        return r < 0 ? fail(&err) : 0;
}
