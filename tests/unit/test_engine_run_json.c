/* Unit tests for src/engine/run_json.c (docker's Config and HostConfig from
 * the run flags, and reading HostConfig back) and src/engine/engine_conf.c
 * (/etc/vessel/vessel.conf). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/engine_conf.h"
#include "engine/run_json.h"
#include "util/cleanup.h"

#define ARGV(...) ((char *[]){"run", __VA_ARGS__, NULL})
#define ARGC(v) ((int) (sizeof(v) / sizeof(char *) - 1))
#define PARSE(o, ...) parse_ok(o, ARGC(ARGV(__VA_ARGS__)), ARGV(__VA_ARGS__))

static void parse_ok(struct vs_run_options *o, int argc, char **argv)
{
        struct vs_error err = VS_ERROR_INIT;
        if (vs_run_options_parse(argc, argv, o, &err) < 0)
                fail_msg("unexpected error: %s", err.msg);
}

/* An image config like busybox's, with a bit more. */
static struct vs_image_config image(void)
{
        static char *env[] = {"PATH=/usr/bin:/bin", "KEEP=1", "DROP=2", NULL};
        static char *cmd[] = {"sh", NULL};
        static char *entrypoint[] = {"/entry", NULL};
        static char *ports[] = {"80/tcp", NULL};
        static char *volumes[] = {"/data", NULL};
        static char *keys[] = {"maintainer", "tier", NULL};
        static char *values[] = {"someone", "image", NULL};
        return (struct vs_image_config){.env = env,
                                        .cmd = cmd,
                                        .entrypoint = entrypoint,
                                        .exposed_ports = ports,
                                        .volumes = volumes,
                                        .label_keys = keys,
                                        .label_values = values,
                                        .user = "daemon",
                                        .working_dir = "/srv",
                                        .stop_signal = "SIGQUIT"};
}

static json_t *config_of(struct vs_run_options *o, const struct vs_image_config *img)
{
        json_t *c = NULL;
        struct vs_error err = VS_ERROR_INIT;
        if (vs_run_config_json(o, img, "box", &c, &err) < 0)
                fail_msg("config: %s", err.msg);
        return c;
}

static json_t *host_of(struct vs_run_options *o, const char *runtime)
{
        json_t *h = NULL;
        struct vs_error err = VS_ERROR_INIT;
        if (vs_run_host_config_json(o, runtime, &h, &err) < 0)
                fail_msg("host config: %s", err.msg);
        return h;
}

static void assert_json(json_t *v, const char *want)
{
        _cleanup_free_ char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
        if (!text || strcmp(text, want) != 0)
                fail_msg("got %s, want %s", text ? text : "(null)", want);
}

static void test_config_image_defaults(void **state)
{
        (void) state;
        struct vs_run_options o;
        PARSE(&o, "-d", "busybox");
        struct vs_image_config img = image();
        json_t *c = config_of(&o, &img);
        assert_json(json_object_get(c, "Hostname"), "\"box\"");
        assert_json(json_object_get(c, "User"), "\"daemon\"");
        assert_json(json_object_get(c, "Env"), "[\"PATH=/usr/bin:/bin\",\"KEEP=1\",\"DROP=2\"]");
        assert_json(json_object_get(c, "Cmd"), "[\"sh\"]");
        assert_json(json_object_get(c, "Entrypoint"), "[\"/entry\"]");
        assert_json(json_object_get(c, "Image"), "\"busybox\"");
        assert_json(json_object_get(c, "WorkingDir"), "\"/srv\"");
        assert_json(json_object_get(c, "ExposedPorts"), "{\"80/tcp\":{}}");
        assert_json(json_object_get(c, "Volumes"), "{\"/data\":{}}");
        assert_json(json_object_get(c, "Labels"), "{\"maintainer\":\"someone\",\"tier\":\"image\"}");
        assert_json(json_object_get(c, "StopSignal"), "\"SIGQUIT\"");
        assert_null(json_object_get(c, "StopTimeout"));
        /* -d: nothing attached */
        assert_true(json_is_false(json_object_get(c, "AttachStdout")));
        assert_true(json_is_false(json_object_get(c, "OpenStdin")));
        json_decref(c);
        vs_run_options_free(&o);
}

static void test_config_flags_override(void **state)
{
        (void) state;
        struct vs_run_options o;
        PARSE(&o, "-it", "-e", "KEEP=flag", "-e", "NEW=3", "-e", "DROP", "-l", "tier=flag", "-l", "bare", "-u", "root",
              "-w", "/tmp", "--stop-signal", "SIGUSR1", "--stop-timeout", "7", "--expose", "53/udp", "-p", "8080:80",
              "-v", "/anon", "-h", "ignored", "busybox", "echo", "hi");
        struct vs_image_config img = image();
        json_t *c = config_of(&o, &img);
        /* a later key replaces in place; a bare unset key removes it */
        assert_json(json_object_get(c, "Env"), "[\"PATH=/usr/bin:/bin\",\"KEEP=flag\",\"NEW=3\"]");
        assert_json(json_object_get(c, "Cmd"), "[\"echo\",\"hi\"]");
        assert_json(json_object_get(c, "Entrypoint"), "[\"/entry\"]");
        assert_json(json_object_get(c, "User"), "\"root\"");
        assert_json(json_object_get(c, "WorkingDir"), "\"/tmp\"");
        assert_json(json_object_get(c, "Labels"), "{\"maintainer\":\"someone\",\"tier\":\"flag\",\"bare\":\"\"}");
        assert_json(json_object_get(c, "StopSignal"), "\"SIGUSR1\"");
        assert_json(json_object_get(c, "StopTimeout"), "7");
        assert_json(json_object_get(c, "ExposedPorts"), "{\"80/tcp\":{},\"53/udp\":{}}");
        assert_json(json_object_get(c, "Volumes"), "{\"/data\":{},\"/anon\":{}}");
        assert_true(json_is_true(json_object_get(c, "Tty")));
        assert_true(json_is_true(json_object_get(c, "OpenStdin")));
        assert_true(json_is_true(json_object_get(c, "AttachStdin")));
        assert_true(json_is_true(json_object_get(c, "StdinOnce")));
        json_decref(c);
        vs_run_options_free(&o);
}

static void test_config_entrypoint_rules(void **state)
{
        (void) state;
        struct vs_image_config img = image();
        struct vs_run_options o;
        /* --entrypoint drops the image's Cmd */
        PARSE(&o, "--entrypoint", "/bin/true", "busybox");
        json_t *c = config_of(&o, &img);
        assert_json(json_object_get(c, "Entrypoint"), "[\"/bin/true\"]");
        assert_json(json_object_get(c, "Cmd"), "null");
        json_decref(c);
        vs_run_options_free(&o);
        /* --entrypoint "" leaves none; a COMMAND is the Cmd */
        PARSE(&o, "--entrypoint", "", "busybox", "ls");
        c = config_of(&o, &img);
        assert_json(json_object_get(c, "Entrypoint"), "null");
        assert_json(json_object_get(c, "Cmd"), "[\"ls\"]");
        json_decref(c);
        vs_run_options_free(&o);
        /* no image config at all */
        PARSE(&o, "busybox");
        c = config_of(&o, NULL);
        assert_json(json_object_get(c, "Cmd"), "null");
        assert_json(json_object_get(c, "Env"), "[]");
        assert_json(json_object_get(c, "Volumes"), "null");
        assert_json(json_object_get(c, "User"), "\"\"");
        json_decref(c);
        vs_run_options_free(&o);
}

static void test_host_config_defaults(void **state)
{
        (void) state;
        struct vs_run_options o;
        PARSE(&o, "busybox");
        json_t *h = host_of(&o, NULL);
        assert_json(json_object_get(h, "RestartPolicy"), "{\"Name\":\"no\",\"MaximumRetryCount\":0}");
        assert_json(json_object_get(h, "LogConfig"), "{\"Type\":\"json-file\",\"Config\":{}}");
        assert_json(json_object_get(h, "NetworkMode"), "\"bridge\"");
        assert_json(json_object_get(h, "Runtime"), "\"vessel\"");
        assert_json(json_object_get(h, "ShmSize"), "67108864");
        assert_json(json_object_get(h, "Binds"), "null");
        assert_json(json_object_get(h, "PidsLimit"), "null");
        assert_json(json_object_get(h, "MemorySwappiness"), "null");
        assert_json(json_object_get(h, "IpcMode"), "\"private\"");
        assert_json(json_object_get(h, "PidMode"), "\"\"");
        assert_json(json_object_get(h, "Init"), "null");
        assert_json(json_object_get(h, "AutoRemove"), "false");
        json_decref(h);
        vs_run_options_free(&o);
}

static void test_host_config_flags(void **state)
{
        (void) state;
        struct vs_run_options o;
        PARSE(&o, "--restart", "on-failure:3", "--log-opt", "max-size=10k", "--log-opt", "max-file=2", "-m", "64m",
              "--cpus", "1.5", "--pids-limit", "50", "--privileged", "--read-only", "--cap-add", "NET_ADMIN", "--pid",
              "host", "--ipc", "shareable", "--init", "-v", "/srv:/mnt:ro", "--tmpfs", "/run:size=1m", "--ulimit",
              "nofile=100:200", "--sysctl", "net.ipv4.ip_forward=1", "--dns", "1.1.1.1", "--oom-score-adj", "-5",
              "--network", "none", "busybox");
        json_t *h = host_of(&o, "/usr/bin/runc");
        assert_json(json_object_get(h, "RestartPolicy"), "{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}");
        assert_json(json_object_get(h, "LogConfig"),
                    "{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"10k\",\"max-file\":\"2\"}}");
        assert_json(json_object_get(h, "Runtime"), "\"/usr/bin/runc\"");
        assert_json(json_object_get(h, "Memory"), "67108864");
        assert_json(json_object_get(h, "NanoCpus"), "1500000000");
        assert_json(json_object_get(h, "PidsLimit"), "50");
        assert_json(json_object_get(h, "Privileged"), "true");
        assert_json(json_object_get(h, "ReadonlyRootfs"), "true");
        assert_json(json_object_get(h, "CapAdd"), "[\"CAP_NET_ADMIN\"]");
        assert_json(json_object_get(h, "PidMode"), "\"host\"");
        assert_json(json_object_get(h, "IpcMode"), "\"shareable\"");
        assert_json(json_object_get(h, "Init"), "true");
        assert_json(json_object_get(h, "Binds"), "[\"/srv:/mnt:ro\"]");
        assert_json(json_object_get(h, "Tmpfs"), "{\"/run\":\"size=1m\"}");
        assert_json(json_object_get(h, "Ulimits"), "[{\"Name\":\"nofile\",\"Hard\":200,\"Soft\":100}]");
        assert_json(json_object_get(h, "Sysctls"), "{\"net.ipv4.ip_forward\":\"1\"}");
        assert_json(json_object_get(h, "Dns"), "[\"1.1.1.1\"]");
        assert_json(json_object_get(h, "OomScoreAdj"), "-5");
        assert_json(json_object_get(h, "NetworkMode"), "\"none\"");
        json_decref(h);
        vs_run_options_free(&o);
}

/* What the engine reads back is what the flags said. */
static void test_summary_round_trip(void **state)
{
        (void) state;
        struct vs_run_options o;
        PARSE(&o, "--restart", "on-failure:4", "--log-opt", "max-size=2m", "--log-opt", "max-file=3", "busybox");
        json_t *h = host_of(&o, "/usr/bin/runc");
        _cleanup_free_ char *text = json_dumps(h, JSON_COMPACT);
        struct vs_run_host_summary s;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_run_host_summary(text, &s, &err), 0);
        assert_int_equal(s.restart, VS_RESTART_ON_FAILURE);
        assert_int_equal(s.restart_max_retries, 4);
        assert_int_equal(s.log_max_size, 2 << 20);
        assert_int_equal(s.log_max_file, 3);
        assert_false(s.log_none);
        assert_string_equal(s.runtime, "/usr/bin/runc");
        json_decref(h);
        vs_run_options_free(&o);

        PARSE(&o, "--restart", "unless-stopped", "--log-driver", "none", "busybox");
        h = host_of(&o, NULL);
        free(text);
        text = json_dumps(h, JSON_COMPACT);
        assert_int_equal(vs_run_host_summary(text, &s, &err), 0);
        assert_int_equal(s.restart, VS_RESTART_UNLESS_STOPPED);
        assert_true(s.log_none);
        assert_string_equal(s.runtime, "vessel");
        json_decref(h);
        vs_run_options_free(&o);

        /* an old record: no HostConfig at all */
        assert_int_equal(vs_run_host_summary("{}", &s, &err), 0);
        assert_int_equal(s.restart, VS_RESTART_NO);
        assert_int_equal(vs_run_host_summary(NULL, &s, &err), 0);
        assert_string_equal(s.runtime, "vessel");
}

static void summary_bad(const char *text, const char *want)
{
        struct vs_run_host_summary s = {.restart_max_retries = 99};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_run_host_summary(text, &s, &err), -EINVAL);
        if (!strstr(err.msg, want))
                fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
        assert_int_equal(s.restart_max_retries, 99); /* untouched on failure */
}

static void test_summary_bad(void **state)
{
        (void) state;
        summary_bad("[", "HostConfig");
        summary_bad("[]", "HostConfig");
        summary_bad("{\"RestartPolicy\":{\"Name\":\"sometimes\"}}", "RestartPolicy.Name");
        summary_bad("{\"LogConfig\":{\"Config\":{\"max-size\":\"lots\"}}}", "max-size");
        summary_bad("{\"LogConfig\":{\"Config\":{\"max-file\":\"0\"}}}", "max-file");
}

static void test_policy_names(void **state)
{
        (void) state;
        assert_string_equal(vs_restart_policy_name(VS_RESTART_NO), "no");
        assert_string_equal(vs_restart_policy_name(VS_RESTART_ALWAYS), "always");
        assert_string_equal(vs_restart_policy_name(VS_RESTART_UNLESS_STOPPED), "unless-stopped");
        assert_string_equal(vs_restart_policy_name(VS_RESTART_ON_FAILURE), "on-failure");
}

/* --- vessel.conf --- */

static void test_conf_parse(void **state)
{
        (void) state;
        struct vs_engine_conf c;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_engine_conf_parse("# defaults\n\n[engine]\n  runtime = \"/usr/bin/runc\"  # here\n",
                                              "t.conf", &c, &err),
                         0);
        assert_string_equal(c.runtime, "/usr/bin/runc");
        vs_engine_conf_free(&c);
        assert_int_equal(vs_engine_conf_parse("runtime=/sbin/crun\nruntime = vessel\n", "t.conf", &c, &err), 0);
        assert_null(c.runtime); /* the last one wins: in-process */
        assert_int_equal(vs_engine_conf_parse("", "t.conf", &c, &err), 0);
        assert_null(c.runtime);
}

static void conf_bad(const char *text, const char *want)
{
        struct vs_engine_conf c = {0};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_engine_conf_parse(text, "t.conf", &c, &err), -EINVAL);
        if (!strstr(err.msg, want))
                fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
        assert_null(strchr(err.msg, '\n'));
        assert_null(c.runtime);
}

static void test_conf_bad(void **state)
{
        (void) state;
        conf_bad("\n\nruntim = /x\n", "t.conf:3: unknown key \"runtim\"");
        conf_bad("runtime\n", "t.conf:1: expected key = value");
        conf_bad("runtime = \"/x\n", "t.conf:1: bad value for runtime");
        conf_bad("runtime =\n", "t.conf:1: bad value");
        conf_bad("runtime = runc\n", "absolute path");
}

static void test_conf_load(void **state)
{
        (void) state;
        struct vs_engine_conf c = {0};
        struct vs_error err = VS_ERROR_INIT;
        /* a missing file: the defaults */
        assert_int_equal(vs_engine_conf_load("/nonexistent/vessel.conf", &c, &err), 0);
        assert_null(c.runtime);
        char path[] = "/tmp/vessel-conf-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        const char text[] = "runtime = /usr/sbin/runc\n";
        assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t) sizeof(text) - 1);
        close(fd);
        assert_int_equal(vs_engine_conf_load(path, &c, &err), 0);
        assert_string_equal(c.runtime, "/usr/sbin/runc");
        vs_engine_conf_free(&c);
        unlink(path);
        setenv("VESSEL_CONFIG", "/somewhere/v.conf", 1);
        assert_string_equal(vs_engine_conf_path(), "/somewhere/v.conf");
        unsetenv("VESSEL_CONFIG");
        assert_string_equal(vs_engine_conf_path(), "/etc/vessel/vessel.conf");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config_image_defaults),
                cmocka_unit_test(test_config_flags_override),
                cmocka_unit_test(test_config_entrypoint_rules),
                cmocka_unit_test(test_host_config_defaults),
                cmocka_unit_test(test_host_config_flags),
                cmocka_unit_test(test_summary_round_trip),
                cmocka_unit_test(test_summary_bad),
                cmocka_unit_test(test_policy_names),
                cmocka_unit_test(test_conf_parse),
                cmocka_unit_test(test_conf_bad),
                cmocka_unit_test(test_conf_load),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
