/* Unit tests for src/engine/run_options.c, run_values.c and run_mounts.c:
 * docker's run/create flags into struct vs_run_options. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/run_options.h"
#include "util/cleanup.h"

#define ARGV(...) ((char *[]){"run", __VA_ARGS__, NULL})
#define ARGC(v) ((int) (sizeof(v) / sizeof(char *) - 1))
#define PARSE(o, ...) parse_ok(o, ARGC(ARGV(__VA_ARGS__)), ARGV(__VA_ARGS__))
#define PARSE_BAD(msg, ...) parse_bad(msg, ARGC(ARGV(__VA_ARGS__)), ARGV(__VA_ARGS__))

static void parse_ok(struct vs_run_options *o, int argc, char **argv)
{
        struct vs_error err = VS_ERROR_INIT;
        if (vs_run_options_parse(argc, argv, o, &err) < 0)
                fail_msg("unexpected error: %s", err.msg);
}

/* One error, one line, containing `want`; nothing left in the struct. */
static void parse_bad(const char *want, int argc, char **argv)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_run_options o;
        memset(&o, 0xab, sizeof(o));
        if (vs_run_options_parse(argc, argv, &o, &err) == 0) {
                vs_run_options_free(&o);
                fail_msg("no error for %s (want \"%s\")", argv[1], want);
        }
        assert_int_equal(err.code, EINVAL);
        if (!strstr(err.msg, want))
                fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
        assert_null(strchr(err.msg, '\n'));
        assert_null(o.image);
        assert_null(o.env);
        assert_int_equal(o.n_mounts, 0);
}

static void test_basic(void **state)
{
        struct vs_run_options o;
        PARSE(&o, "-d", "--rm", "--name", "web", "-it", "-w", "/srv", "-u", "1000:1000", "-h", "box", "busybox", "sh",
              "-c", "echo hi");
        assert_true(o.detach && o.remove && o.interactive && o.tty && o.sig_proxy);
        assert_false(o.privileged || o.init || o.help);
        assert_string_equal(o.name, "web");
        assert_string_equal(o.workdir, "/srv");
        assert_string_equal(o.user, "1000:1000");
        assert_string_equal(o.hostname, "box");
        assert_string_equal(o.image, "busybox");
        assert_string_equal(o.command[0], "sh");
        assert_string_equal(o.command[1], "-c");
        assert_string_equal(o.command[2], "echo hi");
        assert_null(o.command[3]);
        assert_int_equal(o.restart, VS_RESTART_NO);
        assert_int_equal(o.pull, VS_PULL_MISSING);
        assert_int_equal(o.memory_swappiness, -1);
        vs_run_options_free(&o);
}

/* "+": the flags after IMAGE are the container's. */
static void test_stops_at_image(void **state)
{
        struct vs_run_options o;
        PARSE(&o, "--init", "alpine", "ls", "-l", "--rm", "-m", "x");
        assert_true(o.init);
        assert_false(o.remove);
        assert_int_equal(o.memory, 0);
        assert_string_equal(o.command[1], "-l");
        assert_string_equal(o.command[4], "x");
        vs_run_options_free(&o);

        PARSE(&o, "alpine");
        assert_null(o.command);
        vs_run_options_free(&o);
}

static void test_booleans(void **state)
{
        struct vs_run_options o;
        PARSE(&o, "--rm=false", "--sig-proxy=false", "--privileged=true", "--read-only", "--oom-kill-disable=1", "-P",
              "img");
        assert_false(o.remove);
        assert_false(o.sig_proxy);
        assert_true(o.privileged && o.read_only && o.oom_kill_disable && o.publish_all);
        vs_run_options_free(&o);
        PARSE(&o, "--help");
        assert_true(o.help);
        vs_run_options_free(&o);
}

static void test_sizes(void **state)
{
        struct vs_run_options o;
        PARSE(&o, "-m", "512m", "--memory-swap", "-1", "--memory-reservation", "256MB", "--shm-size", "1.5g", "img");
        assert_int_equal(o.memory, 536870912);
        assert_int_equal(o.memory_swap, -1);
        assert_int_equal(o.memory_reservation, 268435456);
        assert_int_equal(o.shm_size, 1610612736);
        vs_run_options_free(&o);
        PARSE(&o, "--memory=1g", "--memory-swap", "2GiB", "img");
        assert_int_equal(o.memory, 1073741824);
        assert_int_equal(o.memory_swap, 2147483648);
        vs_run_options_free(&o);

        int64_t v;
        assert_int_equal(vs_parse_size("100", &v), 0);
        assert_int_equal(v, 100);
        assert_int_equal(vs_parse_size("4 k", &v), 0);
        assert_int_equal(v, 4096);
        assert_int_equal(vs_parse_size("1t", &v), 0);
        assert_int_equal(v, INT64_C(1) << 40);
        assert_int_equal(vs_parse_size("-1", &v), -EINVAL);
        assert_int_equal(vs_parse_size("1x", &v), -EINVAL);
        assert_int_equal(vs_parse_size("", &v), -EINVAL);
        assert_int_equal(vs_parse_size("1.g", &v), -EINVAL);
}

static void test_cpu_and_numbers(void **state)
{
        struct vs_run_options o;
        PARSE(&o, "--cpus", "1.5", "-c", "512", "--cpuset-cpus", "0-1", "--cpuset-mems", "0", "--pids-limit", "100",
              "--blkio-weight", "300", "--oom-score-adj", "-500", "--stop-timeout", "30", "--stop-signal", "SIGINT",
              "--memory-swappiness", "10", "img");
        assert_int_equal(o.nano_cpus, 1500000000);
        assert_int_equal(o.cpu_shares, 512);
        assert_string_equal(o.cpuset_cpus, "0-1");
        assert_string_equal(o.cpuset_mems, "0");
        assert_true(o.has_pids_limit);
        assert_int_equal(o.pids_limit, 100);
        assert_int_equal(o.blkio_weight, 300);
        assert_true(o.has_oom_score_adj);
        assert_int_equal(o.oom_score_adj, -500);
        assert_true(o.has_stop_timeout);
        assert_int_equal(o.stop_timeout, 30);
        assert_string_equal(o.stop_signal, "SIGINT");
        assert_int_equal(o.memory_swappiness, 10);
        vs_run_options_free(&o);
        PARSE(&o, "--cpu-quota", "50000", "--cpu-period", "100000", "img");
        assert_int_equal(o.cpu_quota, 50000);
        assert_int_equal(o.cpu_period, 100000);
        vs_run_options_free(&o);
}

static void test_restart(void **state)
{
        struct vs_run_options o;
        PARSE(&o, "--restart", "on-failure:3", "img");
        assert_int_equal(o.restart, VS_RESTART_ON_FAILURE);
        assert_int_equal(o.restart_max_retries, 3);
        vs_run_options_free(&o);
        PARSE(&o, "--restart=unless-stopped", "img");
        assert_int_equal(o.restart, VS_RESTART_UNLESS_STOPPED);
        vs_run_options_free(&o);
        PARSE(&o, "--restart", "always", "--restart", "no", "--rm", "img");
        assert_int_equal(o.restart, VS_RESTART_NO);
        vs_run_options_free(&o);
}

static void test_ulimits_devices(void **state)
{
        struct vs_run_options o;
        PARSE(&o, "--ulimit", "nofile=1024:2048", "--ulimit", "nproc=unlimited", "--ulimit", "nofile=512", "--device",
              "/dev/fuse", "--device", "/dev/sda:/dev/xvda:r", "--device", "/dev/net/tun:rw", "img");
        assert_int_equal(o.n_ulimits, 2);
        assert_string_equal(o.ulimits[0].type, "RLIMIT_NOFILE");
        assert_int_equal(o.ulimits[0].soft, 512); /* the later one replaced it */
        assert_int_equal(o.ulimits[0].hard, 512);
        assert_string_equal(o.ulimits[1].name, "nproc");
        assert_true(o.ulimits[1].soft == UINT64_MAX && o.ulimits[1].hard == UINT64_MAX);
        assert_int_equal(o.n_devices, 3);
        assert_string_equal(o.devices[0].container_path, "/dev/fuse");
        assert_string_equal(o.devices[0].permissions, "rwm");
        assert_string_equal(o.devices[1].host_path, "/dev/sda");
        assert_string_equal(o.devices[1].container_path, "/dev/xvda");
        assert_string_equal(o.devices[1].permissions, "r");
        assert_string_equal(o.devices[2].container_path, "/dev/net/tun");
        assert_string_equal(o.devices[2].permissions, "rw");
        vs_run_options_free(&o);

        PARSE(&o, "--device-read-bps", "/dev/sda:1mb", "--device-write-iops", "/dev/sda:1000", "img");
        assert_int_equal(o.n_read_bps, 1);
        assert_int_equal(o.read_bps[0].rate, 1048576);
        assert_string_equal(o.read_bps[0].path, "/dev/sda");
        assert_int_equal(o.write_iops[0].rate, 1000);
        vs_run_options_free(&o);
}

static void test_volumes(void **state)
{
        struct vs_run_options o;
        PARSE(&o, "-v", "data:/data:ro", "-v", "/host:/c:rshared,z", "-v", "/anon", "-v", "/anon2:ro,nocopy", "-v",
              "./rel:/rel", "img");
        assert_int_equal(o.n_mounts, 5);
        const struct vs_run_mount *m = o.mounts;
        assert_int_equal(m[0].type, VS_RUN_MOUNT_VOLUME);
        assert_string_equal(m[0].source, "data");
        assert_string_equal(m[0].destination, "/data");
        assert_true(m[0].readonly);
        assert_int_equal(m[1].type, VS_RUN_MOUNT_BIND);
        assert_string_equal(m[1].source, "/host");
        assert_string_equal(m[1].propagation, "rshared");
        assert_int_equal(m[1].relabel, 'z');
        assert_false(m[1].readonly);
        assert_int_equal(m[2].type, VS_RUN_MOUNT_VOLUME);
        assert_null(m[2].source);
        assert_string_equal(m[2].destination, "/anon");
        assert_null(m[3].source);
        assert_true(m[3].readonly && m[3].nocopy);
        assert_int_equal(m[4].type, VS_RUN_MOUNT_BIND);
        _cleanup_free_ char *cwd = getcwd(NULL, 0);
        assert_int_equal(strncmp(m[4].source, cwd, strlen(cwd)), 0);
        assert_string_equal(m[4].source + strlen(cwd), "/./rel");
        vs_run_options_free(&o);
}

static void test_mount_and_tmpfs(void **state)
{
        struct vs_run_options o;
        PARSE(&o, "--mount", "type=bind,src=/a,dst=/b,readonly,bind-propagation=shared", "--mount",
              "type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770", "--mount",
              "source=v1,destination=/v,volume-nocopy,volume-opt=type=nfs", "--tmpfs", "/run:rw,size=64m,exec",
              "--tmpfs", "/tmp", "img");
        assert_int_equal(o.n_mounts, 5);
        const struct vs_run_mount *m = o.mounts;
        assert_int_equal(m[0].type, VS_RUN_MOUNT_BIND);
        assert_true(m[0].readonly);
        assert_string_equal(m[0].propagation, "shared");
        assert_int_equal(m[1].type, VS_RUN_MOUNT_TMPFS);
        assert_string_equal(m[1].options[0], "size=65536k");
        assert_string_equal(m[1].options[1], "mode=1770");
        assert_int_equal(m[2].type, VS_RUN_MOUNT_VOLUME);
        assert_string_equal(m[2].source, "v1");
        assert_true(m[2].nocopy);
        assert_string_equal(m[2].volume_options[0], "type=nfs");
        assert_string_equal(m[3].destination, "/run");
        assert_false(m[3].readonly);
        assert_string_equal(m[3].options[0], "size=64m");
        assert_string_equal(m[3].options[1], "exec");
        assert_null(m[4].options);
        vs_run_options_free(&o);
}

static void test_caps_security_namespaces(void **state)
{
        struct vs_run_options o;
        PARSE(&o, "--cap-add", "net_admin", "--cap-add", "CAP_SYS_ADMIN", "--cap-add", "NET_ADMIN", "--cap-drop", "all",
              "--security-opt", "seccomp=unconfined", "--security-opt", "no-new-privileges", "--security-opt",
              "label=disable", "--security-opt", "apparmor=unconfined", "--pid", "host", "--ipc", "container:db",
              "--uts", "host", "--cgroupns", "private", "--network", "none", "--userns", "host", "img");
        assert_string_equal(o.cap_add[0], "CAP_NET_ADMIN");
        assert_string_equal(o.cap_add[1], "CAP_SYS_ADMIN");
        assert_null(o.cap_add[2]); /* the duplicate is dropped */
        assert_string_equal(o.cap_drop[0], "ALL");
        assert_true(o.seccomp_unconfined && o.no_new_privileges && o.userns_host);
        assert_string_equal(o.label_opts[0], "disable");
        assert_string_equal(o.apparmor_profile, "unconfined");
        assert_int_equal(o.pid.mode, VS_NS_MODE_HOST);
        assert_int_equal(o.ipc.mode, VS_NS_MODE_CONTAINER);
        assert_string_equal(o.ipc.container, "db");
        assert_int_equal(o.uts.mode, VS_NS_MODE_HOST);
        assert_true(o.cgroupns.set);
        assert_false(o.pid.set && o.pid.mode == VS_NS_MODE_PRIVATE);
        assert_string_equal(o.network, "none");
        vs_run_options_free(&o);

        PARSE(&o, "--security-opt", "seccomp=/etc/profile.json", "--security-opt", "no-new-privileges:false", "--ipc",
              "shareable", "img");
        assert_string_equal(o.seccomp_profile, "/etc/profile.json");
        assert_false(o.seccomp_unconfined || o.no_new_privileges);
        assert_int_equal(o.ipc.mode, VS_NS_MODE_SHAREABLE);
        vs_run_options_free(&o);
}

static void test_env_and_labels(void **state)
{
        char env_path[] = "/tmp/vessel-env-XXXXXX", label_path[] = "/tmp/vessel-label-XXXXXX";
        int fd = mkstemp(env_path);
        assert_true(fd >= 0);
        const char env_text[] = "\xef\xbb\xbf# comment\n\n  FROM_FILE=a b\nVESSEL_TEST_SET\nVESSEL_TEST_UNSET\n";
        assert_int_equal(write(fd, env_text, sizeof(env_text) - 1), sizeof(env_text) - 1);
        close(fd);
        fd = mkstemp(label_path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "tier=db\nbare\n", 13), 13);
        close(fd);
        setenv("VESSEL_TEST_SET", "from-env", 1);
        unsetenv("VESSEL_TEST_UNSET");

        struct vs_run_options o;
        PARSE(&o, "-e", "A=1", "--env", "VESSEL_TEST_SET", "--env-file", env_path, "-e", "B=x=y", "-l", "k=v", "-l",
              "flag", "--label-file", label_path, "img");
        const char *want_env[] = {"A=1",
                                  "VESSEL_TEST_SET=from-env",
                                  "FROM_FILE=a b",
                                  "VESSEL_TEST_SET=from-env",
                                  "VESSEL_TEST_UNSET",
                                  "B=x=y",
                                  NULL};
        for (size_t i = 0; want_env[i]; i++)
                assert_string_equal(o.env[i], want_env[i]);
        assert_null(o.env[6]);
        const char *want_labels[] = {"k=v", "flag=", "tier=db", "bare=", NULL};
        for (size_t i = 0; want_labels[i]; i++)
                assert_string_equal(o.labels[i], want_labels[i]);
        vs_run_options_free(&o);

        fd = open(env_path, O_WRONLY | O_TRUNC);
        assert_int_equal(write(fd, "OK=1\nBAD KEY=2\n", 15), 15);
        close(fd);
        PARSE_BAD(":2: variable 'BAD KEY' contains whitespaces", "--env-file", env_path, "img");
        unlink(env_path);
        unlink(label_path);
        PARSE_BAD("invalid argument \"/nonexistent/env\" for \"--env-file\" flag: cannot open /nonexistent/env",
                  "--env-file", "/nonexistent/env", "img");
}

static void test_misc(void **state)
{
        struct vs_run_options o;
        PARSE(&o, "--pull", "never", "--platform", "linux/arm64", "--log-driver", "none", "--log-opt", "max-size=10m",
              "--log-opt", "max-file=3", "-a", "STDOUT", "-a", "stderr", "--sysctl", "net.ipv4.ip_forward=1",
              "--entrypoint", "", "--group-add", "audio", "-p", "8080:80", "--expose", "90", "--volumes-from", "db:ro",
              "--cgroup-parent", "/custom", "--detach-keys", "ctrl-x", "--net=host", "img");
        assert_int_equal(o.pull, VS_PULL_NEVER);
        assert_string_equal(o.platform, "linux/arm64");
        assert_string_equal(o.log_driver, "none");
        assert_int_equal(o.log_max_size, 10485760);
        assert_int_equal(o.log_max_file, 3);
        assert_string_equal(o.log_opts[1], "max-file=3");
        assert_string_equal(o.attach[0], "stdout");
        assert_string_equal(o.attach[1], "stderr");
        assert_string_equal(o.sysctls[0], "net.ipv4.ip_forward=1");
        assert_true(o.has_entrypoint);
        assert_string_equal(o.entrypoint, "");
        assert_string_equal(o.group_add[0], "audio");
        assert_string_equal(o.publish[0], "8080:80");
        assert_string_equal(o.expose[0], "90");
        assert_string_equal(o.volumes_from[0], "db:ro");
        assert_string_equal(o.cgroup_parent, "/custom");
        assert_string_equal(o.detach_keys, "ctrl-x");
        assert_string_equal(o.network, "host");
        vs_run_options_free(&o);
}

static void test_bad_values(void **state)
{
        PARSE_BAD("invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'", "-m", "abc", "img");
        PARSE_BAD("invalid argument \"-2\" for \"--memory-swap\" flag: invalid size: '-2'", "--memory-swap", "-2",
                  "img");
        PARSE_BAD("invalid argument \"x\" for \"--shm-size\" flag: invalid size: 'x'", "--shm-size", "x", "img");
        PARSE_BAD("invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number", "--cpus",
                  "abc", "img");
        PARSE_BAD("invalid argument \"0.0000000001\" for \"--cpus\" flag: value is too precise", "--cpus",
                  "0.0000000001", "img");
        PARSE_BAD("invalid argument \"sometimes\" for \"--restart\" flag: unknown policy 'sometimes'", "--restart",
                  "sometimes", "img");
        PARSE_BAD("\"--restart\" flag: maximum retry count can only be used with 'on-failure'", "--restart", "always:3",
                  "img");
        PARSE_BAD("\"--restart\" flag: maximum retry count cannot be negative", "--restart", "on-failure:-1", "img");
        PARSE_BAD("\"--ulimit\" flag: ulimit soft limit must be less than or equal to hard limit", "--ulimit",
                  "nofile=2048:1024", "img");
        PARSE_BAD("\"--ulimit\" flag: invalid ulimit type: bogus", "--ulimit", "bogus=1", "img");
        PARSE_BAD("\"--ulimit\" flag: invalid ulimit argument: nofile", "--ulimit", "nofile", "img");
        PARSE_BAD("\"--device\" flag: dev/x is not an absolute path", "--device", "dev/x", "img");
        PARSE_BAD("\"--device\" flag: invalid device mode: rwx", "--device", "/dev/x:/dev/y:rwx", "img");
        PARSE_BAD("\"--device-read-bps\" flag: invalid rate for device", "--device-read-bps", "/dev/sda:fast", "img");
        PARSE_BAD("\"--device-write-iops\" flag: bad format", "--device-write-iops", "sda", "img");
        PARSE_BAD("\"--cap-add\" flag: unknown capability: \"CAP_FOO\"", "--cap-add", "foo", "img");
        PARSE_BAD("\"--security-opt\" flag: invalid --security-opt", "--security-opt", "foo=bar", "img");
        PARSE_BAD("\"--security-opt\" flag: invalid --security-opt 2: \"no-new-privileges=maybe\"", "--security-opt",
                  "no-new-privileges:maybe", "img");
        PARSE_BAD("\"--pid\" flag: invalid mode: foo", "--pid", "foo", "img");
        PARSE_BAD("\"--pid\" flag: invalid mode: shareable", "--pid", "shareable", "img");
        PARSE_BAD("\"--ipc\" flag: container name or id is required", "--ipc", "container:", "img");
        PARSE_BAD("\"--pull\" flag: must be one of \"always\", \"missing\" or \"never\"", "--pull", "sometimes", "img");
        PARSE_BAD("\"--log-driver\" flag: logging driver syslog is not supported", "--log-driver", "syslog", "img");
        PARSE_BAD("\"--log-opt\" flag: max-file must be a positive integer", "--log-opt", "max-file=0", "img");
        PARSE_BAD("\"--log-opt\" flag: unknown log opt 'bogus'", "--log-opt", "bogus=1", "img");
        PARSE_BAD("\"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR", "-a", "stdfoo", "img");
        PARSE_BAD("\"--oom-score-adj\" flag: value out of range [-1000, 1000]", "--oom-score-adj", "2000", "img");
        PARSE_BAD("\"--blkio-weight\" flag: range of blkio weight is from 10 to 1000", "--blkio-weight", "5", "img");
        PARSE_BAD("\"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"x\": invalid syntax", "-c", "x", "img");
        PARSE_BAD("\"--cpuset-cpus\" flag: invalid format: 1-", "--cpuset-cpus", "1-", "img");
        PARSE_BAD("\"--sysctl\" flag: sysctl 'kernel.hostname' is not allowed", "--sysctl", "kernel.hostname=x", "img");
        PARSE_BAD("\"--rm\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax", "--rm=maybe", "img");
        PARSE_BAD("\"--stop-signal\" flag: ", "--stop-signal", "SIGFOO", "img");
        PARSE_BAD("\"--userns\" flag: invalid USER mode", "--userns", "private", "img");
        PARSE_BAD("invalid argument \"=x\" for \"-e, --env\" flag: invalid environment variable: =x", "-e", "=x",
                  "img");
}

static void test_bad_mounts(void **state)
{
        PARSE_BAD("\"-v, --volume\" flag: \"a b\" includes invalid characters for a local volume name", "-v", "a b:/x",
                  "img");
        PARSE_BAD("\"-v, --volume\" flag: invalid mount config for type \"bind\": invalid mount path: 'relative' mount "
                  "path must be absolute",
                  "-v", "/host:relative", "img");
        PARSE_BAD("\"-v, --volume\" flag: invalid mode: bogus", "-v", "/host:/c:bogus", "img");
        PARSE_BAD("\"-v, --volume\" flag: invalid mode: ro,rw", "-v", "/host:/c:ro,rw", "img");
        PARSE_BAD("\"-v, --volume\" flag: invalid mode: nocopy", "-v", "/host:/c:nocopy", "img");
        PARSE_BAD("\"-v, --volume\" flag: invalid volume specification: '/a:/b:/c:ro'", "-v", "/a:/b:/c:ro", "img");
        PARSE_BAD("\"-v, --volume\" flag: invalid mount config for type \"bind\": invalid specification: destination "
                  "can't be '/'",
                  "-v", "/host:/", "img");
        PARSE_BAD("\"--mount\" flag: invalid mount config for type \"bind\": field Source must not be empty", "--mount",
                  "type=bind,dst=/x", "img");
        PARSE_BAD("\"--mount\" flag: invalid mount type: foo", "--mount", "type=foo,dst=/x", "img");
        PARSE_BAD("\"--mount\" flag: target is required", "--mount", "src=v", "img");
        PARSE_BAD("\"--mount\" flag: cannot mix 'bind-*' options with mount type 'tmpfs'", "--mount",
                  "type=tmpfs,dst=/t,bind-propagation=shared", "img");
        PARSE_BAD("\"--mount\" flag: unexpected key 'bogus' in 'bogus=1'", "--mount", "dst=/x,bogus=1", "img");
        PARSE_BAD("\"--mount\" flag: invalid field 'novalue' must be a key=value pair", "--mount", "dst=/x,novalue",
                  "img");
        PARSE_BAD("\"--mount\" flag: invalid mount config for type \"tmpfs\": field Source must not be specified",
                  "--mount", "type=tmpfs,src=x,dst=/t", "img");
        PARSE_BAD("\"--tmpfs\" flag: invalid mount config for type \"tmpfs\": invalid mount path: 'run' mount path "
                  "must be absolute",
                  "--tmpfs", "run", "img");
        PARSE_BAD("\"--tmpfs\" flag: invalid tmpfs option \"bogus\"", "--tmpfs", "/run:size=1m,bogus", "img");
}

static void test_bad_command_lines(void **state)
{
        PARSE_BAD("unknown flag: --bogus", "--bogus", "img");
        PARSE_BAD("unknown flag: --mem", "--mem", "1g", "img");
        PARSE_BAD("unknown shorthand flag: 'X' in -X", "-X", "img");
        PARSE_BAD("flag needs an argument: --name", "--name");
        PARSE_BAD("flag needs an argument: 'e' in -e", "-e");
        PARSE_BAD("\"run\" requires at least 1 argument", "--rm");
        PARSE_BAD("conflicting options: --restart and --rm", "--rm", "--restart", "always", "img");
        PARSE_BAD("conflicting options: -a and -d", "-d", "-a", "stdout", "img");
        PARSE_BAD("conflicting options: --cpus and --cpu-quota", "--cpus", "1", "--cpu-quota", "50000", "img");
        PARSE_BAD("minimum memory limit allowed is 6MB", "-m", "1m", "img");
        PARSE_BAD("--memory-swap needs -m, --memory", "--memory-swap", "1g", "img");
        PARSE_BAD("minimum memoryswap limit should be larger than memory limit", "-m", "1g", "--memory-swap", "512m",
                  "img");
        PARSE_BAD("memory reservation limit", "-m", "512m", "--memory-reservation", "1g", "img");
        PARSE_BAD("CPU cfs period can not be less than 1ms", "--cpu-period", "500", "img");
        PARSE_BAD("range of CPUs is from 0.01 to", "--cpus", "100000", "img");
        PARSE_BAD("conflicting options: hostname and the network mode", "--network", "host", "-h", "x", "img");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_basic),
                cmocka_unit_test(test_stops_at_image),
                cmocka_unit_test(test_booleans),
                cmocka_unit_test(test_sizes),
                cmocka_unit_test(test_cpu_and_numbers),
                cmocka_unit_test(test_restart),
                cmocka_unit_test(test_ulimits_devices),
                cmocka_unit_test(test_volumes),
                cmocka_unit_test(test_mount_and_tmpfs),
                cmocka_unit_test(test_caps_security_namespaces),
                cmocka_unit_test(test_env_and_labels),
                cmocka_unit_test(test_misc),
                cmocka_unit_test(test_bad_values),
                cmocka_unit_test(test_bad_mounts),
                cmocka_unit_test(test_bad_command_lines),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
