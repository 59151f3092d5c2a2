/* Unit tests for src/procfs and src/cgroup/figures.c: a cgroup's figures
 * read from v1 and v2 fixtures (tests/unit/data/procfs/{v1,v2}), then every
 * renderer against the host files of data/procfs/host. No root, no FUSE. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/sysinfo.h>

#include <cmocka.h>

#include "cgroup/figures.h"
#include "procfs/procfs.h"
#include "util/cleanup.h"
#include "util/files.h"

static char data_dir[1024];

static char *host_file(const char *name)
{
        char path[1200];
        snprintf(path, sizeof(path), "%s/procfs/host/%s", data_dir, name);
        char *text = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_read_file(path, &text, NULL, &err), 0);
        return text;
}

/* The value of "Key:" in a rendered meminfo, in kB (-1 when absent). */
static long long kb(const char *text, const char *key)
{
        uint64_t v = 0;
        return vs_procfs_meminfo_value(text, key, &v) ? (long long) v : -1;
}

/* A hosts list whose hierarchies are the fixture's directories. */
struct fixture {
        struct vs_cgroup_hierarchy h[6];
        struct vs_cgroup_hosts hosts;
        char paths[6][1200];
        char *dirs[7];
        char dir_paths[6][1300];
};

static void fixture_v1(struct fixture *f)
{
        static const char *const ctrls[] = {"memory", "cpu,cpuacct", "cpuset", "blkio", "pids"};
        memset(f, 0, sizeof(*f));
        for (size_t i = 0; i < VS_ARRAY_SIZE(ctrls); i++) {
                snprintf(f->paths[i], sizeof(f->paths[i]), "%s/procfs/v1/%s", data_dir, ctrls[i]);
                f->h[i] = (struct vs_cgroup_hierarchy){.mount_point = f->paths[i], .controllers = (char *) ctrls[i]};
                snprintf(f->dir_paths[i], sizeof(f->dir_paths[i]), "%s/ctr", f->paths[i]);
                f->dirs[i] = f->dir_paths[i];
        }
        f->hosts = (struct vs_cgroup_hosts){.h = f->h, .n = VS_ARRAY_SIZE(ctrls)};
}

static void fixture_v2(struct fixture *f)
{
        memset(f, 0, sizeof(*f));
        snprintf(f->paths[0], sizeof(f->paths[0]), "%s/procfs/v2", data_dir);
        f->h[0] = (struct vs_cgroup_hierarchy){
                .mount_point = f->paths[0], .controllers = (char *) "cpuset cpu io memory pids", .v2 = true};
        snprintf(f->dir_paths[0], sizeof(f->dir_paths[0]), "%s/ctr", f->paths[0]);
        f->dirs[0] = f->dir_paths[0];
        f->hosts = (struct vs_cgroup_hosts){.h = f->h, .n = 1};
}

static void read_figures(struct fixture *fx, struct vs_cgroup_figures *f)
{
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_cgroup_figures_read(&fx->hosts, fx->dirs, VS_FIGURES_ALL, f, &err), 0);
}

static void test_figures_v1(void **state)
{
        (void) state;
        struct fixture fx;
        struct vs_cgroup_figures f;
        fixture_v1(&fx);
        read_figures(&fx, &f);
        assert_true(f.has_memory);
        assert_int_equal(f.mem_limit, 256u << 20);
        assert_int_equal(f.mem_usage, 100u << 20);
        assert_int_equal(f.mem_cache, 30u << 20);
        assert_int_equal(f.mem_anon, 70u << 20);
        assert_true(f.has_swap);
        assert_int_equal(f.swap_limit, 256u << 20); /* memsw 512 MiB - memory 256 MiB */
        assert_int_equal(f.swap_usage, 10u << 20);
        assert_true(f.has_cpuset);
        assert_string_equal(f.cpus, "0-1,3");
        assert_true(f.has_quota);
        assert_int_equal(f.cfs_quota, 150000);
        assert_int_equal(f.cfs_period, 100000);
        assert_true(f.has_cpu_usage);
        assert_int_equal(f.cpu_user_ns, 3000000000u);
        assert_int_equal(f.cpu_system_ns, 1000000000u);
        assert_true(f.has_tasks); /* the fixture's task is pid 1, whose /proc/1/stat this test reads */
        assert_int_equal(f.tasks_total, 1);
        assert_true(f.has_io);
        assert_int_equal(f.n_io, 1);
        assert_int_equal(f.io[0].major, 8);
        assert_int_equal(f.io[0].read_bytes, 4096000);
        assert_int_equal(f.io[0].writes, 200);
}

static void test_figures_v2(void **state)
{
        (void) state;
        struct fixture fx;
        struct vs_cgroup_figures f;
        fixture_v2(&fx);
        read_figures(&fx, &f);
        assert_true(f.has_memory);
        assert_int_equal(f.mem_limit, 128u << 20);
        assert_int_equal(f.mem_usage, 64u << 20);
        assert_int_equal(f.mem_cache, 20u << 20);
        assert_int_equal(f.mem_slab_reclaimable, 1u << 20);
        assert_true(f.has_swap);
        assert_int_equal(f.swap_limit, 64u << 20);
        assert_int_equal(f.swap_usage, 1u << 20);
        assert_string_equal(f.cpus, "2");
        assert_int_equal(f.cfs_quota, 50000);
        assert_int_equal(f.cpu_user_ns, 4000000000u);
        assert_int_equal(f.n_io, 2);
        assert_int_equal(f.io[0].write_bytes, 2097152);
        assert_int_equal(f.io[0].reads, 10);
}

/* A process in a sub-cgroup of the container sees the container's limit:
 * the lowest memory.max above it (v2), hierarchical_memory_limit (v1). */
static void test_figures_nested(void **state)
{
        (void) state;
        struct fixture fx;
        struct vs_cgroup_figures f;
        struct vs_error err = VS_ERROR_INIT;
        fixture_v2(&fx);
        strcat(fx.dir_paths[0], "/sub");
        assert_int_equal(vs_cgroup_figures_read(&fx.hosts, fx.dirs, VS_FIGURES_MEMORY, &f, &err), 0);
        assert_int_equal(f.mem_limit, 128u << 20);
        assert_int_equal(f.mem_usage, 4096);
        fixture_v1(&fx);
        read_figures(&fx, &f);
        assert_int_equal(f.mem_limit, 256u << 20);
}

/* Only the parts asked for are read. */
static void test_figures_parts(void **state)
{
        (void) state;
        struct fixture fx;
        struct vs_cgroup_figures f;
        struct vs_error err = VS_ERROR_INIT;
        fixture_v2(&fx);
        assert_int_equal(vs_cgroup_figures_read(&fx.hosts, fx.dirs, VS_FIGURES_MEMORY, &f, &err), 0);
        assert_true(f.has_memory);
        assert_false(f.has_cpuset || f.has_quota || f.has_cpu_usage || f.has_tasks || f.has_io);
}

/* A directory that no hierarchy holds is an error naming it. */
static void test_figures_unknown(void **state)
{
        (void) state;
        struct fixture fx;
        struct vs_cgroup_figures f;
        struct vs_error err = VS_ERROR_INIT;
        fixture_v2(&fx);
        char *dirs[] = {(char *) "/nowhere/x", NULL};
        assert_int_equal(vs_cgroup_figures_read(&fx.hosts, dirs, VS_FIGURES_ALL, &f, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "/nowhere/x"));
}

static void test_dirs_of_text(void **state)
{
        (void) state;
        struct fixture fx;
        fixture_v1(&fx);
        _cleanup_strv_ char **dirs = NULL;
        struct vs_error err = VS_ERROR_INIT;
        const char *text = "12:name=systemd:/x\n5:memory:/vessel/abc\n3:cpu,cpuacct:/vessel/abc\n2:pids:/\n0::/y\n";
        assert_int_equal(vs_cgroup_dirs_of_text(&fx.hosts, text, &dirs, &err), 0);
        char want[1300];
        snprintf(want, sizeof(want), "%s/vessel/abc", fx.paths[0]);
        assert_string_equal(dirs[0], want);
        snprintf(want, sizeof(want), "%s/vessel/abc", fx.paths[1]);
        assert_string_equal(dirs[1], want);
        assert_string_equal(dirs[2], fx.paths[4]); /* the root: the mount point itself */
        assert_null(dirs[3]);                      /* name=systemd and the v2 line: no such mount here */
}

static void test_meminfo_v1(void **state)
{
        (void) state;
        struct fixture fx;
        struct vs_cgroup_figures f;
        fixture_v1(&fx);
        read_figures(&fx, &f);
        _cleanup_free_ char *host = host_file("meminfo"), *out = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_procfs_meminfo(host, &f, &out, &err), 0);
        assert_int_equal(kb(out, "MemTotal"), 262144);
        assert_int_equal(kb(out, "MemFree"), 262144 - 102400);
        assert_int_equal(kb(out, "MemAvailable"), 262144 - 102400 + 30720);
        assert_int_equal(kb(out, "Cached"), 30720);
        assert_int_equal(kb(out, "Buffers"), 0);
        assert_int_equal(kb(out, "SwapTotal"), 262144);
        assert_int_equal(kb(out, "SwapFree"), 262144 - 10240);
        assert_int_equal(kb(out, "SReclaimable"), 0); /* free(1) counts it as cache */
        assert_int_equal(kb(out, "Dirty"), 100);      /* a line the cgroup does not know: the host's */
        assert_non_null(strstr(out, "MemTotal:         262144 kB\n"));
        assert_non_null(strstr(out, "HugePages_Total:       0\n"));
}

static void test_meminfo_v2_and_host(void **state)
{
        (void) state;
        struct fixture fx;
        struct vs_cgroup_figures f;
        fixture_v2(&fx);
        read_figures(&fx, &f);
        _cleanup_free_ char *host = host_file("meminfo"), *out = NULL, *same = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_procfs_meminfo(host, &f, &out, &err), 0);
        assert_int_equal(kb(out, "MemTotal"), 131072);
        assert_int_equal(kb(out, "MemFree"), 65536);
        assert_int_equal(kb(out, "SwapTotal"), 65536);
        assert_int_equal(kb(out, "SReclaimable"), 1024);
        /* no memory controller: the host's file, unchanged */
        struct vs_cgroup_figures none = {0};
        assert_int_equal(vs_procfs_meminfo(host, &none, &same, &err), 0);
        assert_string_equal(same, host);
}

/* A limit above the host's memory shows the host's total. */
static void test_meminfo_above_host(void **state)
{
        (void) state;
        struct vs_cgroup_figures f = {.has_memory = true, .mem_limit = UINT64_MAX, .mem_usage = 1u << 30};
        _cleanup_free_ char *host = host_file("meminfo"), *out = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_procfs_meminfo(host, &f, &out, &err), 0);
        assert_int_equal(kb(out, "MemTotal"), 8000000);
        assert_int_equal(kb(out, "MemFree"), 8000000 - 1048576);
        assert_int_equal(kb(out, "SwapTotal"), 2000000); /* swap not accounted: the host's lines */
}

static void test_cpus(void **state)
{
        (void) state;
        struct vs_procfs_cpus c;
        assert_int_equal(vs_procfs_cpus_parse("0-3,8,10-11\n", &c), 0);
        assert_int_equal(c.n, 7);
        assert_int_equal(c.id[4], 8);
        assert_int_equal(vs_procfs_cpus_parse("", &c), -EINVAL);
        assert_int_equal(vs_procfs_cpus_parse("3-1", &c), -EINVAL);
        assert_int_equal(vs_procfs_cpus_parse("a", &c), -EINVAL);
        assert_int_equal(vs_procfs_cpus_parse("1,", &c), 0);
        assert_int_equal(vs_procfs_cpus_parse("99999", &c), -EINVAL);

        struct vs_cgroup_figures f = {.has_cpuset = true, .has_quota = true, .cfs_quota = 150000, .cfs_period = 100000};
        snprintf(f.cpus, sizeof(f.cpus), "1-3");
        vs_procfs_visible_cpus("0-3", &f, false, &c);
        assert_int_equal(c.n, 3);
        assert_int_equal(c.id[0], 1);
        vs_procfs_visible_cpus("0-3", &f, true, &c); /* 1.5 cpus of quota: 2 */
        assert_int_equal(c.n, 2);
        f.cfs_quota = 10000; /* a tenth: never fewer than one */
        vs_procfs_visible_cpus("0-3", &f, true, &c);
        assert_int_equal(c.n, 1);
        snprintf(f.cpus, sizeof(f.cpus), "7"); /* a cpuset naming no online cpu: the host's */
        f.has_quota = false;
        vs_procfs_visible_cpus("0-3", &f, true, &c);
        assert_int_equal(c.n, 4);
}

static void test_cpuinfo_and_online(void **state)
{
        (void) state;
        struct fixture fx;
        struct vs_cgroup_figures f;
        fixture_v1(&fx);
        read_figures(&fx, &f);
        struct vs_procfs_cpus c;
        vs_procfs_visible_cpus("0-3", &f, false, &c); /* cpuset 0-1,3 */
        _cleanup_free_ char *host = host_file("cpuinfo"), *out = NULL, *online = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_procfs_cpuinfo(host, &c, &out, &err), 0);
        assert_non_null(strstr(
                out, "processor\t: 2\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU @ 2.00GHz\ncore id\t\t: 3\n"));
        assert_null(strstr(out, "processor\t: 3"));
        assert_null(strstr(out, "core id\t\t: 2\n"));
        assert_int_equal(vs_procfs_cpu_online(&c, &online, &err), 0);
        assert_string_equal(online, "0-2\n");
        free(online);
        vs_procfs_visible_cpus("0-3", &f, true, &c); /* --enable-cfs: quota 1.5 */
        assert_int_equal(vs_procfs_cpu_online(&c, &online, &err), 0);
        assert_string_equal(online, "0-1\n");
}

static void test_stat(void **state)
{
        (void) state;
        struct fixture fx;
        struct vs_cgroup_figures f;
        fixture_v2(&fx); /* cpuset "2", user 4 s, system 1 s */
        read_figures(&fx, &f);
        f.tasks_running = 3;
        struct vs_procfs_cpus c;
        vs_procfs_visible_cpus("0-3", &f, false, &c);
        _cleanup_free_ char *host = host_file("stat"), *out = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_procfs_stat(host, &f, &c, 100.0, 100, &out, &err), 0);
        /* 100 s x 1 cpu x 100 ticks = 10000 ticks, 400 user, 100 system, the rest idle */
        assert_non_null(strstr(out, "cpu  400 0 100 9500 0 0 0 0 0 0\ncpu0 400 0 100 9500 0 0 0 0 0 0\nintr"));
        assert_null(strstr(out, "cpu1"));
        assert_non_null(strstr(out, "btime 1700000000\n"));
        assert_non_null(strstr(out, "procs_running 3\nprocs_blocked 0\n"));
        /* no cpu time known: the host's lines of the visible cpus, renumbered */
        free(out);
        struct vs_cgroup_figures cpuset_only = {.has_cpuset = true};
        snprintf(cpuset_only.cpus, sizeof(cpuset_only.cpus), "2-3");
        vs_procfs_visible_cpus("0-3", &cpuset_only, false, &c);
        assert_int_equal(vs_procfs_stat(host, &cpuset_only, &c, 100.0, 100, &out, &err), 0);
        assert_non_null(strstr(out, "\ncpu0 1000 0 500 22500 25 0 20 0 0 0\ncpu1 1000 0 500"));
        assert_non_null(strstr(out, "procs_running 7\n"));
}

static void test_uptime_loadavg(void **state)
{
        (void) state;
        struct vs_cgroup_figures f = {.has_tasks = true,
                                      .start_seconds = 1000.5,
                                      .has_cpu_usage = true,
                                      .cpu_user_ns = 3000000000u,
                                      .cpu_system_ns = 1000000000u,
                                      .tasks_running = 2,
                                      .tasks_total = 5,
                                      .last_pid = 42};
        _cleanup_free_ char *out = NULL, *load = NULL, *host_load = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_procfs_uptime(1010.5, 5000.0, &f, 2, &out, &err), 0);
        assert_string_equal(out, "10.00 16.00\n"); /* 2 cpus x 10 s less 4 s of cpu time */
        double avg[3] = {0};
        for (int i = 0; i < 12; i++) /* a minute of 2 running tasks */
                vs_procfs_load_update(avg, 2);
        assert_true(avg[0] > 1.2 && avg[0] < 1.3); /* 2 x (1 - e^-1) */
        assert_true(avg[1] < avg[0] && avg[2] < avg[1]);
        assert_int_equal(vs_procfs_loadavg("9.99 9.99 9.99 1/100 7\n", avg, &f, &load, &err), 0);
        char want[64];
        snprintf(want, sizeof(want), "%.2f %.2f %.2f 2/5 42\n", avg[0], avg[1], avg[2]);
        assert_string_equal(load, want);
        struct vs_cgroup_figures none = {0};
        assert_int_equal(vs_procfs_loadavg("9.99 9.99 9.99 1/100 7\n", avg, &none, &host_load, &err), 0);
        assert_string_equal(host_load, "9.99 9.99 9.99 1/100 7\n");
        free(out);
        struct vs_cgroup_figures later = {.has_tasks = true, .start_seconds = 2000}; /* clock skew: the host's */
        assert_int_equal(vs_procfs_uptime(1010.5, 5000.0, &later, 2, &out, &err), 0);
        assert_string_equal(out, "1010.50 2021.00\n");
}

static void test_diskstats(void **state)
{
        (void) state;
        struct fixture fx;
        struct vs_cgroup_figures f;
        fixture_v2(&fx);
        read_figures(&fx, &f);
        _cleanup_free_ char *host = host_file("diskstats"), *out = NULL, *v1 = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_procfs_diskstats(host, &f, &out, &err), 0);
        /* only sda, where the cgroup did I/O; as many fields as the host's (17) */
        assert_string_equal(out, "   8       0 sda 10 0 2048 0 20 0 4096 0 0 0 0 0 0 0 0 0 0\n");
        fixture_v1(&fx);
        read_figures(&fx, &f);
        assert_int_equal(vs_procfs_diskstats(host, &f, &v1, &err), 0);
        assert_string_equal(v1, "   8       0 sda 100 0 8000 0 200 0 16000 0 0 0 0 0 0 0 0 0 0\n");
}

static void test_swaps(void **state)
{
        (void) state;
        struct fixture fx;
        struct vs_cgroup_figures f;
        fixture_v2(&fx);
        read_figures(&fx, &f);
        _cleanup_free_ char *host = host_file("swaps"), *out = NULL, *no_swap = NULL;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_procfs_swaps(host, 2000000, &f, &out, &err), 0);
        assert_non_null(strstr(out, "Filename\t"));
        assert_non_null(strstr(
                out, "\nnone                                    virtual         65536           1024            0\n"));
        assert_null(strstr(out, "/dev/sda2"));
        assert_int_equal(vs_procfs_swaps(host, 0, &f, &no_swap, &err), 0); /* the host has no swap */
        assert_string_equal(no_swap, host);
}

static void test_sysinfo(void **state)
{
        (void) state;
        struct sysinfo host = {.uptime = 5000,
                               .totalram = 8000000,
                               .freeram = 4000000,
                               .totalswap = 1000000,
                               .freeswap = 1000000,
                               .procs = 300,
                               .mem_unit = 1024,
                               .loads = {1, 2, 3}};
        struct vs_cgroup_figures f = {.has_memory = true,
                                      .mem_limit = 256u << 20,
                                      .mem_usage = 100u << 20,
                                      .mem_shmem = 1u << 20,
                                      .has_swap = true,
                                      .swap_limit = 64u << 20,
                                      .swap_usage = 16u << 20,
                                      .has_tasks = true,
                                      .tasks_total = 4};
        double load[3] = {0.5, 0.25, 0.125};
        struct sysinfo out;
        vs_procfs_sysinfo(&host, &f, 12.7, load, &out);
        assert_int_equal(out.totalram, 262144);
        assert_int_equal(out.freeram, 262144 - 102400);
        assert_int_equal(out.sharedram, 1024);
        assert_int_equal(out.totalswap, 65536);
        assert_int_equal(out.freeswap, 65536 - 16384);
        assert_int_equal(out.uptime, 12);
        assert_int_equal(out.procs, 4);
        assert_int_equal(out.loads[0], 32768);
        assert_int_equal(out.mem_unit, 1024);
        struct vs_cgroup_figures none = {0};
        vs_procfs_sysinfo(&host, &none, 12.7, load, &out);
        assert_int_equal(out.totalram, 8000000);
        assert_int_equal(out.uptime, 5000);
        assert_int_equal(out.loads[2], 3);
}

/* The quota's cpus, and a mask narrowed to its first n cpus (no pinning: only the copy). */
static void test_affinity(void **state)
{
        (void) state;
        struct vs_cgroup_figures f = {.has_quota = true, .cfs_quota = 150000, .cfs_period = 100000};
        assert_int_equal(vs_procfs_quota_cpus(&f), 2);
        f.cfs_quota = 1000; /* a sliver is still one cpu */
        assert_int_equal(vs_procfs_quota_cpus(&f), 1);
        f.has_quota = false;
        assert_int_equal(vs_procfs_quota_cpus(&f), 0);
        unsigned long mask[2] = {0};
        size_t size = sizeof(mask);
        int cpus[] = {1, 3, 4, 70};
        for (size_t i = 0; i < VS_ARRAY_SIZE(cpus); i++)
                CPU_SET_S(cpus[i], size, (cpu_set_t *) mask);
        assert_int_equal(vs_procfs_affinity_limit(mask, size, 2), 2);
        assert_true(CPU_ISSET_S(1, size, (cpu_set_t *) mask) && CPU_ISSET_S(3, size, (cpu_set_t *) mask));
        assert_int_equal(CPU_COUNT_S(size, (cpu_set_t *) mask), 2);
        assert_int_equal(vs_procfs_affinity_limit(mask, size, 8), 2); /* fewer than n: unchanged */
        assert_int_equal(CPU_COUNT_S(size, (cpu_set_t *) mask), 2);
}

/* The cgroup's threads, from the v1 pids hierarchy or v2 cgroup.threads. */
static void test_threads(void **state)
{
        (void) state;
        struct fixture fx;
        fixture_v1(&fx);
        _cleanup_free_ char *v1 = vs_cgroup_figures_threads(&fx.hosts, fx.dirs);
        assert_non_null(v1);
        assert_int_equal(atoi(v1), 1);
        fixture_v2(&fx);
        _cleanup_free_ char *v2 = vs_cgroup_figures_threads(&fx.hosts, fx.dirs);
        assert_non_null(v2);
        assert_int_equal(atoi(v2), 1);
        char *none[] = {fx.paths[0], NULL}; /* the hierarchy's root: the host, never listed */
        assert_null(vs_cgroup_figures_threads(&fx.hosts, none));
}

static void test_blkio_parsers(void **state)
{
        (void) state;
        struct vs_cgroup_figures f = {0};
        vs_cgroup_figures_parse_blkio("8:0 Read 10\n8:0 Write 20\n8:16 Read 5\nTotal 35\n",
                                      "8:0 Read 1\n8:16 Write 2\n", &f);
        assert_int_equal(f.n_io, 2);
        assert_int_equal(f.io[0].read_bytes, 10);
        assert_int_equal(f.io[0].write_bytes, 20);
        assert_int_equal(f.io[0].reads, 1);
        assert_int_equal(f.io[1].writes, 2);
        struct vs_cgroup_figures g = {0};
        vs_cgroup_figures_parse_io_stat("259:0 rbytes=7 wbytes=8 rios=9 wios=10 dbytes=0 dios=0\nbad line\n", &g);
        assert_int_equal(g.n_io, 1);
        assert_int_equal(g.io[0].major, 259);
        assert_int_equal(g.io[0].read_bytes, 7);
        assert_int_equal(g.io[0].writes, 10);
}

int main(void)
{
        const char *d = getenv("VESSEL_TEST_DATA");
        snprintf(data_dir, sizeof(data_dir), "%s", d ? d : "tests/unit/data");
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_figures_v1),
                cmocka_unit_test(test_figures_v2),
                cmocka_unit_test(test_figures_parts),
                cmocka_unit_test(test_figures_nested),
                cmocka_unit_test(test_figures_unknown),
                cmocka_unit_test(test_dirs_of_text),
                cmocka_unit_test(test_meminfo_v1),
                cmocka_unit_test(test_meminfo_v2_and_host),
                cmocka_unit_test(test_meminfo_above_host),
                cmocka_unit_test(test_cpus),
                cmocka_unit_test(test_cpuinfo_and_online),
                cmocka_unit_test(test_stat),
                cmocka_unit_test(test_uptime_loadavg),
                cmocka_unit_test(test_diskstats),
                cmocka_unit_test(test_swaps),
                cmocka_unit_test(test_sysinfo),
                cmocka_unit_test(test_blkio_parsers),
                cmocka_unit_test(test_affinity),
                cmocka_unit_test(test_threads),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
