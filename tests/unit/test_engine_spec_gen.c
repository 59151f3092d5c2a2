/* Unit tests for src/engine/spec_*.c: run flags + image config -> config.json
 * with Docker's defaults. Every generated config goes through the runtime's
 * own parser (vs_oci_config_parse). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "engine/run_options.h"
#include "engine/spec_gen.h"
#include "oci/config.h"
#include "util/cleanup.h"
#include "util/files.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ARGV(...) ((char *[]){"run", __VA_ARGS__, NULL})
#define ARGC(v) ((int) (sizeof(v) / sizeof(char *) - 1))
#define OPTIONS(o, ...) options_of(o, ARGC(ARGV(__VA_ARGS__)), ARGV(__VA_ARGS__))

static void options_of(struct vs_run_options *o, int argc, char **argv)
{
        struct vs_error err = VS_ERROR_INIT;
        if (vs_run_options_parse(argc, argv, o, &err) < 0)
                fail_msg("options: %s", err.msg);
}

static char *profile_path(void)
{
        const char *data = getenv("VESSEL_TEST_DATA");
        char *path = NULL;
        assert_true(asprintf(&path, "%s/../../../profiles/seccomp-default.json", data ? data : "tests/unit/data") > 0);
        return path;
}

/* An image config: ENTRYPOINT, CMD, ENV, WORKDIR, VOLUME as given (NULL: none). */
static void image_of(struct vs_image_config *c, const char *const *entrypoint, const char *const *cmd,
                     const char *const *env, const char *workdir, const char *const *volumes)
{
        memset(c, 0, sizeof(*c));
        c->entrypoint = (char **) entrypoint;
        c->cmd = (char **) cmd;
        c->env = (char **) env;
        c->working_dir = (char *) workdir;
        c->volumes = (char **) volumes;
}

static void input_of(struct vs_spec_input *in, const struct vs_run_options *o, const struct vs_image_config *image)
{
        memset(in, 0, sizeof(*in));
        in->id = ID;
        in->rootfs = "/var/lib/vessel/containers/" ID "/rootfs";
        in->options = o;
        in->image = image;
}

/* Generate, dump, parse back with the runtime's parser. */
static struct vs_oci_config *generate(const struct vs_spec_input *in, char **ret_text)
{
        struct vs_error err = VS_ERROR_INIT;
        json_t *spec = NULL;
        if (vs_spec_generate(in, &spec, &err) < 0)
                fail_msg("generate: %s", err.msg);
        char *text = NULL;
        if (vs_spec_dump(spec, &text, &err) < 0)
                fail_msg("dump: %s", err.msg);
        json_decref(spec);
        struct vs_oci_config *c = NULL;
        if (vs_oci_config_parse(text, strlen(text), "config.json", &c, &err) < 0)
                fail_msg("the runtime refuses it: %s\n%s", err.msg, text);
        if (ret_text)
                *ret_text = text;
        else
                free(text);
        return c;
}

static void generate_bad(const struct vs_spec_input *in, const char *want)
{
        struct vs_error err = VS_ERROR_INIT;
        json_t *spec = NULL;
        if (vs_spec_generate(in, &spec, &err) == 0) {
                json_decref(spec);
                fail_msg("no error (want \"%s\")", want);
        }
        assert_null(spec);
        if (!strstr(err.msg, want))
                fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
}

static bool has(char *const *list, const char *s)
{
        for (; list && *list; list++)
                if (strcmp(*list, s) == 0)
                        return true;
        return false;
}

static size_t count(char *const *list)
{
        size_t n = 0;
        while (list && list[n])
                n++;
        return n;
}

static const struct vs_oci_mount *find_mount(const struct vs_oci_config *c, const char *destination)
{
        for (size_t i = 0; i < c->n_mounts; i++)
                if (strcmp(c->mounts[i].destination, destination) == 0)
                        return &c->mounts[i];
        return NULL;
}

static bool ns_has(const struct vs_oci_config *c, enum vs_oci_ns_type type)
{
        return vs_oci_config_namespace(c, type) != NULL;
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
        static const char *const cmd[] = {"sh", NULL}, *const env[] = {"PATH=/bin:/usr/bin", NULL};
        struct vs_image_config image;
        struct vs_run_options o;
        struct vs_spec_input in;
        _cleanup_free_ char *text = NULL, *profile = profile_path();
        image_of(&image, NULL, cmd, env, NULL, NULL);
        OPTIONS(&o, "busybox");
        input_of(&in, &o, &image);
        in.seccomp_profile = profile;
        _cleanup_config_ struct vs_oci_config *c = generate(&in, &text);

        assert_int_equal(
                strncmp(text, "{\n  \"ociVersion\": \"1.2.0\",\n  \"process\": {\n    \"terminal\": false,", 60), 0);
        assert_string_equal(c->root_path, in.rootfs);
        assert_false(c->root_readonly);
        assert_string_equal(c->hostname, "0123456789ab");
        const struct vs_oci_process *p = c->process;
        assert_int_equal(p->n_args, 1);
        assert_string_equal(p->args[0], "sh");
        assert_int_equal(p->n_env, 3);
        assert_string_equal(p->env[0], "PATH=/bin:/usr/bin"); /* the image's replaces the default in place */
        assert_string_equal(p->env[1], "HOSTNAME=0123456789ab");
        assert_string_equal(p->env[2], "HOME=/");
        assert_string_equal(p->cwd, "/");
        assert_int_equal(p->user.uid, 0);
        assert_int_equal(p->user.gid, 0);
        assert_false(p->terminal || p->no_new_privileges || p->oom_score_adj.set);
        assert_int_equal(p->n_rlimits, 0);
        static const char *const docker_caps[] = {"CAP_CHOWN",
                                                  "CAP_DAC_OVERRIDE",
                                                  "CAP_FSETID",
                                                  "CAP_FOWNER",
                                                  "CAP_MKNOD",
                                                  "CAP_NET_RAW",
                                                  "CAP_SETGID",
                                                  "CAP_SETUID",
                                                  "CAP_SETFCAP",
                                                  "CAP_SETPCAP",
                                                  "CAP_NET_BIND_SERVICE",
                                                  "CAP_SYS_CHROOT",
                                                  "CAP_KILL",
                                                  "CAP_AUDIT_WRITE",
                                                  NULL};
        assert_int_equal(count(p->capabilities->bounding), 14);
        for (size_t i = 0; docker_caps[i]; i++) {
                assert_true(has(p->capabilities->bounding, docker_caps[i]));
                assert_true(has(p->capabilities->effective, docker_caps[i]));
                assert_true(has(p->capabilities->permitted, docker_caps[i]));
        }
        assert_null(p->capabilities->inheritable);
        assert_null(p->capabilities->ambient);

        const struct vs_oci_linux *l = c->linux_;
        assert_string_equal(l->cgroups_path, "/vessel/" ID);
        assert_true(ns_has(c, VS_NS_PID) && ns_has(c, VS_NS_NETWORK) && ns_has(c, VS_NS_IPC) && ns_has(c, VS_NS_UTS) &&
                    ns_has(c, VS_NS_MOUNT));
        assert_false(ns_has(c, VS_NS_CGROUP) || ns_has(c, VS_NS_USER));
        assert_int_equal(l->n_namespaces, 5);
        assert_true(has(l->masked_paths, "/proc/kcore") && has(l->masked_paths, "/sys/firmware"));
        assert_int_equal(count(l->masked_paths), 12);
        assert_int_equal(count(l->readonly_paths), 5);
        assert_true(has(l->readonly_paths, "/proc/sys"));
        assert_non_null(l->seccomp);
        assert_string_equal(l->seccomp->default_action, "SCMP_ACT_ERRNO");
        /* devices: deny all first, then the standard ones */
        const struct vs_oci_resources *r = l->resources;
        assert_true(r->n_devices > 10);
        assert_false(r->devices[0].allow);
        assert_int_equal(r->devices[0].type, 'a');
        assert_true(r->devices[3].allow && r->devices[3].major.value == 1 && r->devices[3].minor.value == 3);
        assert_null(r->memory);
        assert_null(r->cpu);
        assert_int_equal(l->n_devices, 0);

        static const char *const order[] = {"/proc",          "/dev",        "/dev/pts", "/sys",
                                            "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm"};
        assert_int_equal(c->n_mounts, 7);
        for (size_t i = 0; i < 7; i++)
                assert_string_equal(c->mounts[i].destination, order[i]);
        assert_true(has(find_mount(c, "/dev/shm")->options, "size=65536k"));
        assert_true(has(find_mount(c, "/sys")->options, "ro"));
        assert_true(has(find_mount(c, "/sys/fs/cgroup")->options, "ro"));

        /* The same input gives the same text. */
        _cleanup_free_ char *again = NULL;
        _cleanup_config_ struct vs_oci_config *c2 = generate(&in, &again);
        assert_string_equal(text, again);
        vs_run_options_free(&o);
}

/* ---- ENTRYPOINT and CMD ---- */

static void expect_args(const struct vs_image_config *image, struct vs_run_options *o, const char *const *want)
{
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_strv_ char **args = NULL;
        if (vs_spec_process_args(o, image, NULL, &args, &err) < 0)
                fail_msg("%s", err.msg);
        size_t i = 0;
        for (; want[i]; i++) {
                assert_non_null(args[i]);
                assert_string_equal(args[i], want[i]);
        }
        assert_null(args[i]);
        vs_run_options_free(o);
}

static void test_entrypoint_cmd(void **state)
{
        static const char *const ep[] = {"/ep", "-x", NULL}, *const cmd[] = {"a", NULL};
        struct vs_image_config image, plain;
        struct vs_run_options o;
        image_of(&image, ep, cmd, NULL, NULL, NULL);
        image_of(&plain, NULL, cmd, NULL, NULL, NULL);

        OPTIONS(&o, "img");
        expect_args(&image, &o, (const char *[]){"/ep", "-x", "a", NULL});
        OPTIONS(&o, "img", "b", "c");
        expect_args(&image, &o, (const char *[]){"/ep", "-x", "b", "c", NULL});
        OPTIONS(&o, "--entrypoint", "/x", "img");
        expect_args(&image, &o, (const char *[]){"/x", NULL}); /* the image's CMD goes with its ENTRYPOINT */
        OPTIONS(&o, "--entrypoint", "/x y", "img", "b");
        expect_args(&image, &o, (const char *[]){"/x y", "b", NULL}); /* one word, not split */
        OPTIONS(&o, "--entrypoint=", "img", "b");
        expect_args(&image, &o, (const char *[]){"b", NULL});
        OPTIONS(&o, "img", "ls");
        expect_args(&plain, &o, (const char *[]){"ls", NULL});
        OPTIONS(&o, "img");
        expect_args(&plain, &o, (const char *[]){"a", NULL});

        struct vs_error err = VS_ERROR_INIT;
        char **args = NULL;
        OPTIONS(&o, "--entrypoint", "", "img");
        assert_int_equal(vs_spec_process_args(&o, &image, NULL, &args, &err), -EINVAL);
        assert_string_equal(err.msg, "no command specified");
        assert_null(args);
        vs_run_options_free(&o);
        OPTIONS(&o, "img");
        assert_int_equal(vs_spec_process_args(&o, NULL, NULL, &args, &err), -EINVAL);
        vs_run_options_free(&o);

        /* and through the generator, with --init in front */
        struct vs_spec_input in;
        OPTIONS(&o, "--init", "img", "b");
        input_of(&in, &o, &image);
        generate_bad(&in, "--init: the path of vessel-init is not known");
        in.init_path = "/usr/libexec/vessel-init";
        _cleanup_config_ struct vs_oci_config *c = generate(&in, NULL);
        assert_int_equal(c->process->n_args, 5);
        assert_string_equal(c->process->args[0], "/sbin/vessel-init");
        assert_string_equal(c->process->args[1], "--");
        assert_string_equal(c->process->args[2], "/ep");
        const struct vs_oci_mount *m = find_mount(c, "/sbin/vessel-init");
        assert_non_null(m);
        assert_string_equal(m->source, "/usr/libexec/vessel-init");
        assert_true(has(m->options, "ro"));
        vs_run_options_free(&o);
}

/* ---- environment ---- */

static void test_env_order(void **state)
{
        static const char *const env[] = {"PATH=/img", "A=1", "B=2", "C=3", NULL}, *const cmd[] = {"sh", NULL};
        struct vs_image_config image;
        struct vs_run_options o;
        struct vs_spec_input in;
        image_of(&image, NULL, cmd, env, "work", NULL);
        unsetenv("B");
        OPTIONS(&o, "-t", "-e", "A=9", "-e", "B", "-e", "HOSTNAME=mine", "-e", "D=4", "-e", "HOME=/root", "-h", "box",
                "img");
        input_of(&in, &o, &image);
        _cleanup_config_ struct vs_oci_config *c = generate(&in, NULL);
        static const char *const want[] = {"PATH=/img", "HOSTNAME=mine", "TERM=xterm", "A=9",
                                           "C=3",       "D=4",           "HOME=/root", NULL};
        assert_int_equal(c->process->n_env, 7);
        for (size_t i = 0; want[i]; i++)
                assert_string_equal(c->process->env[i], want[i]);
        assert_true(c->process->terminal);
        assert_string_equal(c->hostname, "box");
        assert_string_equal(c->process->cwd, "/work"); /* a relative WORKDIR is taken from / */
        vs_run_options_free(&o);

        OPTIONS(&o, "-w", "/srv", "img");
        input_of(&in, &o, &image);
        _cleanup_config_ struct vs_oci_config *c2 = generate(&in, NULL);
        assert_string_equal(c2->process->cwd, "/srv");
        assert_string_equal(c2->process->env[0], "PATH=/img");
        assert_string_equal(c2->process->env[1], "HOSTNAME=0123456789ab");
        vs_run_options_free(&o);

        OPTIONS(&o, "-w", "srv", "img");
        input_of(&in, &o, &image);
        generate_bad(&in, "the working directory 'srv' is invalid, it needs to be an absolute path");
        vs_run_options_free(&o);
}

/* ---- capabilities ---- */

static size_t bounding_count(void)
{
        _cleanup_free_ char *status = NULL;
        struct vs_error err = VS_ERROR_INIT;
        size_t len, n = 0;
        assert_int_equal(vs_read_file("/proc/self/status", &status, &len, &err), 0);
        uint64_t mask = strtoull(strstr(status, "CapBnd:") + 7, NULL, 16);
        for (int i = 0; i < 64; i++)
                n += (mask >> i) & 1;
        return n;
}

static struct vs_oci_config *caps_config(struct vs_run_options *o)
{
        struct vs_spec_input in;
        static const char *const cmd[] = {"sh", NULL};
        struct vs_image_config image;
        image_of(&image, NULL, cmd, NULL, NULL, NULL);
        input_of(&in, o, &image);
        return generate(&in, NULL);
}

static void test_capabilities(void **state)
{
        struct vs_run_options o;
        OPTIONS(&o, "--cap-add", "net_admin", "--cap-drop", "CAP_CHOWN", "--cap-drop", "mknod", "img");
        struct vs_oci_config *c = caps_config(&o);
        char **b = c->process->capabilities->bounding;
        assert_true(has(b, "CAP_NET_ADMIN"));
        assert_false(has(b, "CAP_CHOWN") || has(b, "CAP_MKNOD"));
        assert_int_equal(count(b), 13);
        vs_oci_config_free(c);
        vs_run_options_free(&o);

        OPTIONS(&o, "--cap-drop", "ALL", "--cap-add", "chown", "img");
        c = caps_config(&o);
        assert_int_equal(count(c->process->capabilities->bounding), 1);
        assert_string_equal(c->process->capabilities->effective[0], "CAP_CHOWN");
        vs_oci_config_free(c);
        vs_run_options_free(&o);

        OPTIONS(&o, "--cap-add", "ALL", "--cap-drop", "KILL", "img");
        c = caps_config(&o);
        assert_false(has(c->process->capabilities->bounding, "CAP_KILL"));
        assert_int_equal(count(c->process->capabilities->bounding), bounding_count() - 1);
        vs_oci_config_free(c);
        vs_run_options_free(&o);

        OPTIONS(&o, "--security-opt", "no-new-privileges", "--oom-score-adj", "100", "img");
        c = caps_config(&o);
        assert_true(c->process->no_new_privileges);
        assert_true(c->process->oom_score_adj.set);
        assert_int_equal(c->process->oom_score_adj.value, 100);
        vs_oci_config_free(c);
        vs_run_options_free(&o);
}

static void test_privileged(void **state)
{
        struct vs_run_options o;
        struct vs_spec_input in;
        static const char *const cmd[] = {"sh", NULL};
        struct vs_image_config image;
        _cleanup_free_ char *profile = profile_path();
        image_of(&image, NULL, cmd, NULL, NULL, NULL);
        OPTIONS(&o, "--privileged", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "img");
        input_of(&in, &o, &image);
        in.seccomp_profile = profile;
        _cleanup_config_ struct vs_oci_config *c = generate(&in, NULL);
        assert_int_equal(count(c->process->capabilities->bounding), bounding_count());
        assert_false(c->process->no_new_privileges);
        const struct vs_oci_linux *l = c->linux_;
        assert_null(l->seccomp);
        assert_null(l->masked_paths);
        assert_null(l->readonly_paths);
        assert_int_equal(l->resources->n_devices, 1);
        assert_true(l->resources->devices[0].allow);
        assert_string_equal(l->resources->devices[0].access, "rwm");
        bool null_found = false;
        for (size_t i = 0; i < l->n_devices; i++)
                null_found |= strcmp(l->devices[i].path, "/dev/null") == 0 && l->devices[i].major == 1 &&
                              l->devices[i].minor == 3;
        assert_true(null_found);
        assert_false(has(find_mount(c, "/sys")->options, "ro"));
        vs_run_options_free(&o);

        OPTIONS(&o, "--security-opt", "systempaths=unconfined", "--security-opt", "seccomp=unconfined", "img");
        input_of(&in, &o, &image);
        in.seccomp_profile = profile;
        _cleanup_config_ struct vs_oci_config *c2 = generate(&in, NULL);
        assert_null(c2->linux_->masked_paths);
        assert_null(c2->linux_->seccomp);
        assert_int_equal(count(c2->process->capabilities->bounding), 14);
        vs_run_options_free(&o);
}

/* ---- resources and devices ---- */

static void test_resources(void **state)
{
        struct vs_run_options o;
        struct vs_spec_input in;
        OPTIONS(&o, "--cpus", "1.5", "-m", "512m", "--memory-reservation", "256m", "--oom-kill-disable",
                "--memory-swappiness", "0", "-c", "512", "--cpuset-cpus", "0", "--cpuset-mems", "0", "--pids-limit",
                "100", "--blkio-weight", "300", "--device-read-bps", "/dev/null:1mb", "--device-write-iops",
                "/dev/zero:100", "--device", "/dev/null:/dev/mynull:r", "img", "sh");
        input_of(&in, &o, NULL);
        in.swap_accounting = true;
        _cleanup_config_ struct vs_oci_config *c = generate(&in, NULL);
        const struct vs_oci_resources *r = c->linux_->resources;
        assert_int_equal(r->cpu->quota.value, 150000);
        assert_int_equal(r->cpu->period.value, 100000);
        assert_int_equal(r->cpu->shares.value, 512);
        assert_string_equal(r->cpu->cpus, "0");
        assert_string_equal(r->cpu->mems, "0");
        assert_int_equal(r->memory->limit.value, 536870912);
        assert_int_equal(r->memory->reservation.value, 268435456);
        assert_int_equal(r->memory->swap.value, 1073741824); /* docker: as much swap as memory */
        assert_true(r->memory->swappiness.set);
        assert_int_equal(r->memory->swappiness.value, 0);
        assert_true(r->memory->disable_oom_killer);
        assert_int_equal(r->pids_limit, 100);
        assert_int_equal(r->block_io->weight.value, 300);
        assert_int_equal(r->block_io->n_throttle_read_bps, 1);
        assert_int_equal(r->block_io->throttle_read_bps[0].major, 1);
        assert_int_equal(r->block_io->throttle_read_bps[0].minor, 3);
        assert_int_equal(r->block_io->throttle_read_bps[0].rate, 1048576);
        assert_int_equal(r->block_io->throttle_write_iops[0].minor, 5);
        const struct vs_oci_device_cgroup *last = &r->devices[r->n_devices - 1];
        assert_true(last->allow && last->type == 'c' && last->major.value == 1 && last->minor.value == 3);
        assert_string_equal(last->access, "r");
        assert_int_equal(c->linux_->n_devices, 1);
        assert_string_equal(c->linux_->devices[0].path, "/dev/mynull");
        assert_int_equal(c->linux_->devices[0].type, 'c');
        assert_int_equal(c->linux_->devices[0].major, 1);
        vs_run_options_free(&o);

        OPTIONS(&o, "-m", "1g", "--memory-swap", "-1", "--cpu-quota", "50000", "--cpu-period", "200000", "img", "sh");
        input_of(&in, &o, NULL);
        _cleanup_config_ struct vs_oci_config *c2 = generate(&in, NULL);
        assert_int_equal(c2->linux_->resources->memory->swap.value, -1);
        assert_int_equal(c2->linux_->resources->cpu->quota.value, 50000);
        assert_int_equal(c2->linux_->resources->cpu->period.value, 200000);
        vs_run_options_free(&o);

        /* Without swap accounting, -m alone sets no swap. */
        OPTIONS(&o, "-m", "1g", "img", "sh");
        input_of(&in, &o, NULL);
        _cleanup_config_ struct vs_oci_config *c3 = generate(&in, NULL);
        assert_false(c3->linux_->resources->memory->swap.set);
        vs_run_options_free(&o);

        OPTIONS(&o, "--device", "/nonexistent/dev", "img", "sh");
        input_of(&in, &o, NULL);
        generate_bad(&in, "error gathering device information while adding custom device \"/nonexistent/dev\": no "
                          "such file or directory");
        vs_run_options_free(&o);
        OPTIONS(&o, "--device-read-bps", "/dev/nonexistent:1mb", "img", "sh");
        input_of(&in, &o, NULL);
        generate_bad(&in, "--device-read-bps: cannot stat /dev/nonexistent");
        vs_run_options_free(&o);
}

static void test_ulimits_sysctl_cgroups(void **state)
{
        struct vs_run_options o;
        struct vs_spec_input in;
        OPTIONS(&o, "--ulimit", "nofile=1024:2048", "--ulimit", "core=unlimited", "--sysctl", "net.core.somaxconn=1024",
                "--cgroup-parent", "/custom/", "img", "sh");
        input_of(&in, &o, NULL);
        in.cgroup_parent = "ignored";
        _cleanup_config_ struct vs_oci_config *c = generate(&in, NULL);
        assert_int_equal(c->process->n_rlimits, 2);
        assert_string_equal(c->process->rlimits[0].type, "RLIMIT_NOFILE");
        assert_int_equal(c->process->rlimits[0].soft, 1024);
        assert_int_equal(c->process->rlimits[0].hard, 2048);
        assert_true(c->process->rlimits[1].soft == UINT64_MAX && c->process->rlimits[1].hard == UINT64_MAX);
        assert_int_equal(c->linux_->n_sysctl, 1);
        assert_string_equal(c->linux_->sysctl[0].key, "net.core.somaxconn");
        assert_string_equal(c->linux_->sysctl[0].value, "1024");
        assert_string_equal(c->linux_->cgroups_path, "/custom/" ID);
        vs_run_options_free(&o);

        OPTIONS(&o, "img", "sh");
        input_of(&in, &o, NULL);
        in.cgroup_parent = "machine";
        _cleanup_config_ struct vs_oci_config *c2 = generate(&in, NULL);
        assert_string_equal(c2->linux_->cgroups_path, "/machine/" ID);
        vs_run_options_free(&o);

        OPTIONS(&o, "--network", "host", "--sysctl", "net.core.somaxconn=1024", "img", "sh");
        input_of(&in, &o, NULL);
        generate_bad(&in, "--sysctl net.core.somaxconn is not allowed in the host network namespace");
        vs_run_options_free(&o);
}

/* ---- namespaces ---- */

static void test_namespaces(void **state)
{
        struct vs_run_options o;
        struct vs_spec_input in;
        OPTIONS(&o, "--pid", "host", "--network", "host", "--uts", "host", "--ipc", "container:db", "img", "sh");
        input_of(&in, &o, NULL);
        generate_bad(&in, "--ipc container:NAME: the path of that container's namespace is not known");
        in.ipc_ns_path = "/proc/42/ns/ipc";
        in.shm_path = "/run/vessel/db/shm";
        in.cgroup_namespace = true;
        _cleanup_config_ struct vs_oci_config *c = generate(&in, NULL);
        assert_false(ns_has(c, VS_NS_PID) || ns_has(c, VS_NS_NETWORK) || ns_has(c, VS_NS_UTS));
        assert_string_equal(vs_oci_config_namespace(c, VS_NS_IPC)->path, "/proc/42/ns/ipc");
        assert_true(ns_has(c, VS_NS_CGROUP) && ns_has(c, VS_NS_MOUNT));
        assert_null(c->hostname);
        const struct vs_oci_mount *shm = find_mount(c, "/dev/shm");
        assert_string_equal(shm->type, "bind");
        assert_string_equal(shm->source, "/run/vessel/db/shm");
        vs_run_options_free(&o);

        OPTIONS(&o, "--network", "host", "--cgroupns", "host", "--ipc", "none", "img", "sh");
        input_of(&in, &o, NULL);
        in.cgroup_namespace = true;
        in.host_hostname = "the-host";
        _cleanup_config_ struct vs_oci_config *c2 = generate(&in, NULL);
        assert_false(ns_has(c2, VS_NS_CGROUP) || ns_has(c2, VS_NS_NETWORK));
        assert_string_equal(c2->hostname, "the-host");
        assert_null(find_mount(c2, "/dev/shm"));
        vs_run_options_free(&o);

        OPTIONS(&o, "--network", "container:web", "img", "sh");
        input_of(&in, &o, NULL);
        generate_bad(&in, "--network container:NAME");
        in.net_ns_path = "/proc/7/ns/net";
        _cleanup_config_ struct vs_oci_config *c3 = generate(&in, NULL);
        assert_string_equal(vs_oci_config_namespace(c3, VS_NS_NETWORK)->path, "/proc/7/ns/net");
        vs_run_options_free(&o);
}

/* ---- mounts ---- */

static const char *volume_path(void *data, const struct vs_run_mount *m, struct vs_error *err)
{
        char *buf = data;
        if (m->source && strcmp(m->source, "broken") == 0) {
                vs_error_set(err, EIO, "volume broken: disk on fire");
                return NULL;
        }
        snprintf(buf, 256, "/volumes/%s%s", m->source ? m->source : "anon", m->destination);
        return buf;
}

static void test_mounts_ok(void **state)
{
        static const char *const cmd[] = {"sh", NULL}, *const volumes[] = {"/cache", "/data", NULL};
        struct vs_image_config image;
        struct vs_run_options o;
        struct vs_spec_input in;
        char buf[256];
        image_of(&image, NULL, cmd, NULL, NULL, volumes);
        OPTIONS(&o, "-v", "/host/sub:/a/b/c:ro", "-v", "vol:/data", "-v", "/host:/a:rshared", "--tmpfs",
                "/dev/shm:size=1m", "--tmpfs", "/run:exec,size=64m", "--mount", "type=bind,src=/h,dst=/etc/hosts",
                "--read-only", "img");
        input_of(&in, &o, &image);
        in.hosts_path = "/c/hosts";
        in.hostname_path = "/c/hostname";
        in.resolv_conf_path = "/c/resolv.conf";
        in.volume_path = volume_path;
        in.volume_data = buf;
        _cleanup_config_ struct vs_oci_config *c = generate(&in, NULL);
        assert_true(c->root_readonly);

        const struct vs_oci_mount *m = find_mount(c, "/a/b/c");
        assert_string_equal(m->type, "bind");
        assert_string_equal(m->source, "/host/sub");
        assert_true(has(m->options, "rbind") && has(m->options, "rprivate") && has(m->options, "ro"));
        m = find_mount(c, "/a");
        assert_true(has(m->options, "rshared") && !has(m->options, "rprivate") && !has(m->options, "ro"));
        m = find_mount(c, "/data");
        assert_string_equal(m->source, "/volumes/vol/data");
        m = find_mount(c, "/cache"); /* the image's VOLUME no flag covers: anonymous */
        assert_string_equal(m->source, "/volumes/anon/cache");
        m = find_mount(c, "/dev/shm");
        assert_string_equal(m->type, "tmpfs");
        assert_true(has(m->options, "size=1m") && has(m->options, "noexec"));
        m = find_mount(c, "/run");
        assert_true(has(m->options, "exec") && !has(m->options, "noexec") && has(m->options, "nosuid"));
        m = find_mount(c, "/etc/hosts");
        assert_string_equal(m->source, "/h"); /* the user's wins over the per-container file */
        m = find_mount(c, "/etc/hostname");
        assert_string_equal(m->source, "/c/hostname");
        assert_true(has(m->options, "ro")); /* --read-only */
        assert_non_null(find_mount(c, "/etc/resolv.conf"));

        /* Defaults first, then by depth: /a before /a/b/c whatever the command line's order. */
        size_t a = 0, abc = 0, shm_count = 0;
        for (size_t i = 0; i < c->n_mounts; i++) {
                if (strcmp(c->mounts[i].destination, "/a") == 0)
                        a = i;
                if (strcmp(c->mounts[i].destination, "/a/b/c") == 0)
                        abc = i;
                shm_count += strcmp(c->mounts[i].destination, "/dev/shm") == 0;
        }
        assert_true(a < abc);
        assert_int_equal(shm_count, 1);
        assert_string_equal(c->mounts[0].destination, "/proc");
        vs_run_options_free(&o);

        OPTIONS(&o, "--shm-size", "128m", "-v", "broken:/b", "img");
        input_of(&in, &o, &image);
        in.volume_path = volume_path;
        in.volume_data = buf;
        generate_bad(&in, "volume broken: disk on fire");
        in.volume_path = NULL;
        generate_bad(&in, "volume broken on /b: no volume resolver given");
        vs_run_options_free(&o);

        OPTIONS(&o, "--shm-size", "128m", "-v", "/x:/same", "--tmpfs", "/same", "img", "sh");
        input_of(&in, &o, NULL);
        generate_bad(&in, "duplicate mount point: /same");
        vs_run_options_free(&o);

        OPTIONS(&o, "--shm-size", "128m", "img", "sh");
        input_of(&in, &o, NULL);
        _cleanup_config_ struct vs_oci_config *c2 = generate(&in, NULL);
        assert_true(has(find_mount(c2, "/dev/shm")->options, "size=131072k"));
        vs_run_options_free(&o);
}

/* ---- users ---- */

static int make_rootfs(char *dir)
{
        assert_non_null(mkdtemp(dir));
        int root = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        assert_true(root >= 0);
        assert_int_equal(mkdirat(root, "etc", 0755), 0);
        const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                              "# a comment\n"
                              "app:x:1000:1001:App:/home/app:/bin/sh\n";
        const char group[] = "root:x:0:\nwheel:x:10:root,app\nstaff:x:50:\napp:x:1001:\naudio:x:29:app\n";
        int fd = openat(root, "etc/passwd", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_int_equal(write(fd, passwd, sizeof(passwd) - 1), sizeof(passwd) - 1);
        close(fd);
        fd = openat(root, "etc/group", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_int_equal(write(fd, group, sizeof(group) - 1), sizeof(group) - 1);
        close(fd);
        return root;
}

static void remove_rootfs(int root, const char *dir)
{
        unlinkat(root, "etc/passwd", 0);
        unlinkat(root, "etc/group", 0);
        unlinkat(root, "etc", AT_REMOVEDIR);
        close(root);
        rmdir(dir);
}

static void test_resolve_user(void **state)
{
        char dir[] = "/tmp/vessel-rootfs-XXXXXX";
        int root = make_rootfs(dir);
        struct vs_spec_user u;
        struct vs_error err = VS_ERROR_INIT;

        assert_int_equal(vs_spec_resolve_user(root, NULL, NULL, &u, &err), 0);
        assert_int_equal(u.uid, 0);
        assert_int_equal(u.gid, 0);
        assert_string_equal(u.home, "/root");
        assert_int_equal(u.n_additional_gids, 1); /* root is listed in wheel */
        assert_int_equal(u.additional_gids[0], 10);
        vs_spec_user_free(&u);

        char *group_add[] = {"staff", "4242", NULL};
        assert_int_equal(vs_spec_resolve_user(root, "app", group_add, &u, &err), 0);
        assert_int_equal(u.uid, 1000);
        assert_int_equal(u.gid, 1001);
        assert_string_equal(u.home, "/home/app");
        assert_int_equal(u.n_additional_gids, 4);
        uint32_t want[] = {10, 29, 50, 4242};
        for (size_t i = 0; i < 4; i++)
                assert_int_equal(u.additional_gids[i], want[i]);
        vs_spec_user_free(&u);

        assert_int_equal(vs_spec_resolve_user(root, "1000:staff", NULL, &u, &err), 0);
        assert_int_equal(u.uid, 1000);
        assert_int_equal(u.gid, 50);
        assert_int_equal(u.n_additional_gids, 0); /* an explicit group: no supplementary ones */
        vs_spec_user_free(&u);

        assert_int_equal(vs_spec_resolve_user(root, "5000", NULL, &u, &err), 0);
        assert_int_equal(u.uid, 5000);
        assert_int_equal(u.gid, 0);
        assert_null(u.home);
        vs_spec_user_free(&u);

        assert_int_equal(vs_spec_resolve_user(root, "ghost", NULL, &u, &err), -ENOENT);
        assert_string_equal(err.msg, "unable to find user ghost: no matching entries in passwd file");
        assert_int_equal(vs_spec_resolve_user(root, "app:ghosts", NULL, &u, &err), -ENOENT);
        assert_string_equal(err.msg, "unable to find group ghosts: no matching entries in group file");
        char *bad_add[] = {"nogroup", NULL};
        assert_int_equal(vs_spec_resolve_user(root, "app", bad_add, &u, &err), -ENOENT);
        assert_string_equal(err.msg, "--group-add: unable to find group nogroup: no matching entries in group file");

        /* Into the generator: the resolved user, HOME from passwd. */
        struct vs_run_options o;
        struct vs_spec_input in;
        OPTIONS(&o, "-u", "app", "img", "id");
        input_of(&in, &o, NULL);
        assert_int_equal(vs_spec_resolve_user(root, vs_spec_user_arg(&o, NULL), o.group_add, &u, &err), 0);
        in.user = &u;
        _cleanup_config_ struct vs_oci_config *c = generate(&in, NULL);
        assert_int_equal(c->process->user.uid, 1000);
        assert_int_equal(c->process->user.gid, 1001);
        assert_int_equal(c->process->user.n_additional_gids, 2);
        assert_true(has(c->process->env, "HOME=/home/app"));
        vs_spec_user_free(&u);
        vs_run_options_free(&o);
        remove_rootfs(root, dir);

        /* Without a root: numbers only. */
        OPTIONS(&o, "-u", "1000:2000", "--group-add", "5", "img", "id");
        input_of(&in, &o, NULL);
        _cleanup_config_ struct vs_oci_config *c2 = generate(&in, NULL);
        assert_int_equal(c2->process->user.uid, 1000);
        assert_int_equal(c2->process->user.gid, 2000);
        assert_int_equal(c2->process->user.additional_gids[0], 5);
        vs_run_options_free(&o);
        OPTIONS(&o, "-u", "nobody", "img", "id");
        input_of(&in, &o, NULL);
        generate_bad(&in, "user: unable to find user nobody");
        vs_run_options_free(&o);
}

/* ---- seccomp ---- */

static bool seccomp_allows(const struct vs_oci_seccomp *s, const char *name)
{
        for (size_t i = 0; i < s->n_syscalls; i++)
                if (has(s->syscalls[i].names, name) && strcmp(s->syscalls[i].action, "SCMP_ACT_ALLOW") == 0 &&
                    s->syscalls[i].n_args == 0)
                        return true;
        return false;
}

static void test_seccomp(void **state)
{
        struct vs_run_options o;
        struct vs_spec_input in;
        _cleanup_free_ char *profile = profile_path();
        OPTIONS(&o, "img", "sh");
        input_of(&in, &o, NULL);
        in.seccomp_profile = profile;
        _cleanup_config_ struct vs_oci_config *c = generate(&in, NULL);
        assert_false(seccomp_allows(c->linux_->seccomp, "mount"));
        assert_false(seccomp_allows(c->linux_->seccomp, "ptrace"));
        vs_run_options_free(&o);

        OPTIONS(&o, "--cap-add", "SYS_ADMIN", "--cap-add", "SYS_PTRACE", "img", "sh");
        input_of(&in, &o, NULL);
        in.seccomp_profile = profile;
        _cleanup_config_ struct vs_oci_config *c2 = generate(&in, NULL);
        const struct vs_oci_seccomp *s = c2->linux_->seccomp;
        assert_true(seccomp_allows(s, "mount") && seccomp_allows(s, "ptrace") && seccomp_allows(s, "clone3"));
        for (size_t i = 0; i < s->n_syscalls; i++) /* the narrowing rules of clone and clone3 are gone */
                assert_false(has(s->syscalls[i].names, "clone3") &&
                             strcmp(s->syscalls[i].action, "SCMP_ACT_ERRNO") == 0);
        vs_run_options_free(&o);

        /* A profile in docker's format, given with --security-opt seccomp=FILE. */
        char path[] = "/tmp/vessel-seccomp-XXXXXX";
        int fd = mkstemp(path);
        const char docker_profile[] =
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\","
                "\"subArchitectures\":[\"SCMP_ARCH_X86\"]}],\"syscalls\":["
                "{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"comment\":\"io\"},"
                "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
                "{\"name\":\"kill\",\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}";
        assert_int_equal(write(fd, docker_profile, sizeof(docker_profile) - 1), sizeof(docker_profile) - 1);
        close(fd);
        char opt[64];
        snprintf(opt, sizeof(opt), "seccomp=%s", path);
        OPTIONS(&o, "--security-opt", opt, "img", "sh");
        input_of(&in, &o, NULL);
        in.seccomp_profile = profile;
        _cleanup_config_ struct vs_oci_config *c3 = generate(&in, NULL);
        s = c3->linux_->seccomp;
        assert_int_equal(s->n_syscalls, 2);
        assert_true(seccomp_allows(s, "read") && seccomp_allows(s, "kill") && !seccomp_allows(s, "mount"));
        assert_string_equal(s->architectures[1], "SCMP_ARCH_X86");
        vs_run_options_free(&o);

        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        assert_int_equal(write(fd, "{bad", 4), 4);
        close(fd);
        OPTIONS(&o, "--security-opt", opt, "img", "sh");
        input_of(&in, &o, NULL);
        generate_bad(&in, "--security-opt seccomp=/tmp/vessel-seccomp-");
        vs_run_options_free(&o);
        unlink(path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_entrypoint_cmd),
                cmocka_unit_test(test_env_order),
                cmocka_unit_test(test_capabilities),
                cmocka_unit_test(test_privileged),
                cmocka_unit_test(test_resources),
                cmocka_unit_test(test_ulimits_sysctl_cgroups),
                cmocka_unit_test(test_namespaces),
                cmocka_unit_test(test_mounts_ok),
                cmocka_unit_test(test_resolve_user),
                cmocka_unit_test(test_seccomp),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
