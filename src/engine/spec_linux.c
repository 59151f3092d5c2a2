/* vessel: config.json's "linux" object as docker makes it: namespaces from
 * --pid/--ipc/--uts/--network/--cgroupns, cgroup resources from the flags,
 * the device cgroup rules and --device nodes, sysctls, masked and read-only
 * paths; and process.capabilities, which --privileged ties to the devices. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "engine/spec_internal.h"
#include "oci/json.h"
#include "oci/names.h"
#include "util/cleanup.h"
#include "util/files.h"

/* Docker's default capabilities (moby oci/caps/defaults.go). */
static const char *const default_capabilities[] = {
        "CAP_CHOWN",
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
        NULL,
};

static const char *const masked_paths[] = {
        "/proc/asound",
        "/proc/acpi",
        "/proc/interrupts",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/sys/firmware",
        "/sys/devices/virtual/powercap",
        NULL,
};

static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* ---- capabilities ---- */

/* What "all capabilities" can mean for a container: the bounding set of
 * the caller (a capability outside it cannot be granted), within what the
 * names table knows. */
static uint64_t available_capabilities(void)
{
        uint64_t known = vs_oci_n_capability_names >= 64 ? UINT64_MAX : (UINT64_C(1) << vs_oci_n_capability_names) - 1;
        _cleanup_free_ char *status = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        size_t len;
        if (vs_read_file("/proc/self/status", &status, &len, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return known;
        }
        const char *bnd = strstr(status, "\nCapBnd:");
        return bnd ? strtoull(bnd + 8, NULL, 16) & known : known;
}

static uint64_t mask_of(char *const *names)
{
        uint64_t mask = 0;
        for (; names && *names; names++) {
                int cap = vs_oci_capability_number(*names);
                if (cap >= 0)
                        mask |= UINT64_C(1) << cap;
        }
        return mask;
}

static bool has_all(char *const *names)
{
        for (; names && *names; names++)
                if (strcmp(*names, "ALL") == 0)
                        return true;
        return false;
}

/* moby's TweakCapabilities: ALL in --cap-add gives every capability but the
 * dropped ones; ALL in --cap-drop leaves only the added ones; otherwise the
 * defaults minus the dropped plus the added. --privileged: everything. */
int vs_spec_capabilities(const struct vs_run_options *o, json_t **ret, struct vs_error *err)
{
        uint64_t all = available_capabilities(), caps;
        if (o->privileged)
                caps = all;
        else if (has_all(o->cap_add))
                caps = all & ~mask_of(o->cap_drop);
        else if (has_all(o->cap_drop))
                caps = mask_of(o->cap_add);
        else
                caps = (mask_of((char *const *) default_capabilities) & ~mask_of(o->cap_drop)) | mask_of(o->cap_add);
        json_t *list = json_array();
        for (size_t i = 0; list && i < vs_oci_n_capability_names && i < 64; i++)
                if ((caps & (UINT64_C(1) << i)) && !vs_spec_append(list, json_string(vs_oci_capability_names[i]))) {
                        json_decref(list);
                        list = NULL;
                }
        if (!list)
                return VS_SPEC_OOM(err);
        *ret = list;
        return 0;
}

/* ---- namespaces ---- */

static int add_namespace(json_t *list, const char *type, enum vs_ns_mode mode, const char *path, const char *flag,
                         struct vs_error *err)
{
        if (mode == VS_NS_MODE_HOST)
                return 0;
        if (mode == VS_NS_MODE_CONTAINER && !path)
                return vs_error_set(err, EINVAL,
                                    "%s container:NAME: the path of that container's namespace is not "
                                    "known",
                                    flag);
        json_t *ns = json_pack("{s:s}", "type", type);
        if (!ns || (path && json_object_set_new(ns, "path", json_string(path)) < 0) || !vs_spec_append(list, ns))
                return VS_SPEC_OOM(err);
        return 0;
}

static int namespaces_json(const struct vs_spec_input *in, json_t **ret, struct vs_error *err)
{
        const struct vs_run_options *o = in->options;
        const char *net = o->network;
        enum vs_ns_mode net_mode = !net                                  ? VS_NS_MODE_PRIVATE
                                   : strcmp(net, "host") == 0            ? VS_NS_MODE_HOST
                                   : strncmp(net, "container:", 10) == 0 ? VS_NS_MODE_CONTAINER
                                                                         : VS_NS_MODE_PRIVATE;
        bool cgroupns = o->cgroupns.set ? o->cgroupns.mode != VS_NS_MODE_HOST : in->cgroup_namespace;
        json_t *list = json_array();
        int r = list ? 0 : VS_SPEC_OOM(err);
        if (r == 0)
                r = add_namespace(list, "pid", o->pid.mode, in->pid_ns_path, "--pid", err);
        if (r == 0)
                r = add_namespace(list, "network", net_mode, in->net_ns_path, "--network", err);
        if (r == 0)
                r = add_namespace(list, "ipc", o->ipc.mode,
                                  o->ipc.mode == VS_NS_MODE_CONTAINER ? in->ipc_ns_path : NULL, "--ipc", err);
        if (r == 0)
                r = add_namespace(list, "uts", o->uts.mode, in->uts_ns_path, "--uts", err);
        if (r == 0)
                r = add_namespace(list, "mount", VS_NS_MODE_PRIVATE, NULL, "", err);
        if (r == 0 && cgroupns)
                r = add_namespace(list, "cgroup", VS_NS_MODE_PRIVATE, NULL, "--cgroupns", err);
        if (r < 0) {
                json_decref(list);
                return r;
        }
        *ret = list;
        return 0;
}

/* ---- devices ---- */

struct device_lists {
        json_t *nodes; /* linux.devices */
        json_t *rules; /* linux.resources.devices */
};

static int device_node(struct device_lists *d, const char *host, const char *container, const struct stat *st,
                       const char *access, struct vs_error *err)
{
        const char *type = S_ISBLK(st->st_mode) ? "b" : "c";
        json_int_t major = major(st->st_rdev), minor = minor(st->st_rdev);
        json_t *node = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "path", container, "type", type, "major", major,
                                 "minor", minor, "fileMode", (json_int_t) (st->st_mode & 07777), "uid",
                                 (json_int_t) st->st_uid, "gid", (json_int_t) st->st_gid);
        if (!vs_spec_append(d->nodes, node))
                return VS_SPEC_OOM(err);
        if (access && !vs_spec_append(d->rules, json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", type,
                                                          "major", major, "minor", minor, "access", access)))
                return VS_SPEC_OOM(err);
        return 0;
}

/* Every device under a directory, as docker's --device /dev/dir and --privileged do. */
static int device_tree(struct device_lists *d, const char *host, const char *container, const char *access,
                       unsigned depth, struct vs_error *err)
{
        static const char *const skipped[] = {"pts", "shm", "mqueue", "fd", "console", "ptmx", ".lxc", NULL};
        _cleanup_closedir_ DIR *dir = opendir(host);
        if (!dir)
                return vs_error_syscall(err, "cannot list devices in %s", host);
        for (struct dirent *e; (e = readdir(dir));) {
                if (e->d_name[0] == '.' || (depth == 0 && vs_oci_name_in_list(skipped, e->d_name)))
                        continue;
                _cleanup_free_ char *h = NULL, *c = NULL;
                struct stat st;
                if (asprintf(&h, "%s/%s", host, e->d_name) < 0 || asprintf(&c, "%s/%s", container, e->d_name) < 0)
                        return VS_SPEC_OOM(err);
                if (lstat(h, &st) < 0)
                        continue; /* gone meanwhile */
                int r = 0;
                if (S_ISDIR(st.st_mode) && depth < 8)
                        r = device_tree(d, h, c, access, depth + 1, err);
                else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                        r = device_node(d, h, c, &st, access, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int user_device(struct device_lists *d, const struct vs_run_device *dev, struct vs_error *err)
{
        struct stat st;
        if (stat(dev->host_path, &st) < 0)
                return vs_error_syscall(err, "error gathering device information while adding custom device \"%s\"",
                                        dev->host_path);
        if (S_ISDIR(st.st_mode))
                return device_tree(d, dev->host_path, dev->container_path, dev->permissions, 1, err);
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return vs_error_set(err, EINVAL,
                                    "error gathering device information while adding custom device \"%s\": not a "
                                    "device node",
                                    dev->host_path);
        return device_node(d, dev->host_path, dev->container_path, &st, dev->permissions, err);
}

/* Deny all, then mknod of any node, and the standard devices (runc's and docker's list). */
static int default_rules(json_t *rules, struct vs_error *err)
{
        static const struct {
                const char *type;
                int64_t major, minor; /* -1: any */
                const char *access;
        } allowed[] = {
                {"c", -1, -1, "m"}, {"b", -1, -1, "m"}, {"c", 1, 3, "rwm"},    {"c", 1, 5, "rwm"},
                {"c", 1, 7, "rwm"}, {"c", 1, 8, "rwm"}, {"c", 1, 9, "rwm"},    {"c", 5, 0, "rwm"},
                {"c", 5, 1, "rwm"}, {"c", 5, 2, "rwm"}, {"c", 136, -1, "rwm"}, {"c", 10, 200, "rwm"},
        };
        if (!vs_spec_append(rules, json_pack("{s:b, s:s}", "allow", 0, "access", "rwm")))
                return VS_SPEC_OOM(err);
        for (size_t i = 0; i < VS_ARRAY_SIZE(allowed); i++) {
                json_t *rule = json_pack("{s:b, s:s}", "allow", 1, "type", allowed[i].type);
                if (rule && allowed[i].major >= 0)
                        json_object_set_new(rule, "major", json_integer(allowed[i].major));
                if (rule && allowed[i].minor >= 0)
                        json_object_set_new(rule, "minor", json_integer(allowed[i].minor));
                if (!rule || json_object_set_new(rule, "access", json_string(allowed[i].access)) < 0 ||
                    !vs_spec_append(rules, rule))
                        return VS_SPEC_OOM(err);
        }
        return 0;
}

static int devices_json(const struct vs_run_options *o, struct device_lists *d, struct vs_error *err)
{
        d->nodes = json_array();
        d->rules = json_array();
        if (!d->nodes || !d->rules)
                return VS_SPEC_OOM(err);
        if (o->privileged) {
                if (!vs_spec_append(d->rules, json_pack("{s:b, s:s}", "allow", 1, "access", "rwm")))
                        return VS_SPEC_OOM(err);
                int r = device_tree(d, "/dev", "/dev", NULL, 0, err);
                if (r < 0)
                        return vs_error_wrap(err, "--privileged");
        } else {
                int r = default_rules(d->rules, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < o->n_devices; i++) {
                int r = user_device(d, &o->devices[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- resources ---- */

static int set_int(json_t *obj, const char *key, int64_t value)
{
        return json_object_set_new(obj, key, json_integer(value));
}

static int memory_json(const struct vs_spec_input *in, json_t *res)
{
        const struct vs_run_options *o = in->options;
        json_t *m = json_object();
        int r = m ? 0 : -1;
        int64_t swap = o->memory_swap;
        if (!swap && o->memory > 0 && in->swap_accounting)
                swap = o->memory * 2; /* docker: memory and as much swap */
        if (r == 0 && o->memory)
                r = set_int(m, "limit", o->memory);
        if (r == 0 && o->memory_reservation)
                r = set_int(m, "reservation", o->memory_reservation);
        if (r == 0 && swap && (in->swap_accounting || o->memory_swap))
                r = set_int(m, "swap", swap);
        if (r == 0 && o->memory_swappiness >= 0)
                r = set_int(m, "swappiness", o->memory_swappiness);
        if (r == 0 && o->oom_kill_disable)
                r = json_object_set_new(m, "disableOOMKiller", json_true());
        if (r == 0 && json_object_size(m))
                return json_object_set_new(res, "memory", m);
        json_decref(m);
        return r;
}

static int cpu_json(const struct vs_run_options *o, json_t *res)
{
        json_t *c = json_object();
        int r = c ? 0 : -1;
        if (r == 0 && o->cpu_shares)
                r = set_int(c, "shares", o->cpu_shares);
        if (r == 0 && (o->cpu_quota || o->nano_cpus))
                r = set_int(c, "quota", o->nano_cpus ? o->nano_cpus / 10000 : o->cpu_quota);
        if (r == 0 && (o->cpu_period || o->nano_cpus))
                r = set_int(c, "period", o->nano_cpus ? 100000 : o->cpu_period);
        if (r == 0 && o->cpuset_cpus)
                r = json_object_set_new(c, "cpus", json_string(o->cpuset_cpus));
        if (r == 0 && o->cpuset_mems)
                r = json_object_set_new(c, "mems", json_string(o->cpuset_mems));
        if (r == 0 && json_object_size(c))
                return json_object_set_new(res, "cpu", c);
        json_decref(c);
        return r;
}

static int throttles_json(json_t *bio, const char *key, const struct vs_run_throttle *t, size_t n, const char *flag,
                          struct vs_error *err)
{
        if (!n)
                return 0;
        json_t *list = json_array();
        if (!list || json_object_set_new(bio, key, list) < 0)
                return VS_SPEC_OOM(err);
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                if (stat(t[i].path, &st) < 0)
                        return vs_error_syscall(err, "%s: cannot stat %s", flag, t[i].path);
                if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode))
                        return vs_error_set(err, EINVAL, "%s: %s is not a device", flag, t[i].path);
                if (!vs_spec_append(list, json_pack("{s:I, s:I, s:I}", "major", (json_int_t) major(st.st_rdev), "minor",
                                                    (json_int_t) minor(st.st_rdev), "rate", (json_int_t) t[i].rate)))
                        return VS_SPEC_OOM(err);
        }
        return 0;
}

static int block_io_json(const struct vs_run_options *o, json_t *res, struct vs_error *err)
{
        json_t *bio = json_object();
        if (!bio || json_object_set_new(res, "blockIO", bio) < 0)
                return VS_SPEC_OOM(err);
        if (o->blkio_weight && set_int(bio, "weight", o->blkio_weight) < 0)
                return VS_SPEC_OOM(err);
        int r = throttles_json(bio, "throttleReadBpsDevice", o->read_bps, o->n_read_bps, "--device-read-bps", err);
        if (r == 0)
                r = throttles_json(bio, "throttleWriteBpsDevice", o->write_bps, o->n_write_bps, "--device-write-bps",
                                   err);
        if (r == 0)
                r = throttles_json(bio, "throttleReadIOPSDevice", o->read_iops, o->n_read_iops, "--device-read-iops",
                                   err);
        if (r == 0)
                r = throttles_json(bio, "throttleWriteIOPSDevice", o->write_iops, o->n_write_iops,
                                   "--device-write-iops", err);
        if (r == 0 && json_object_size(bio) == 0)
                json_object_del(res, "blockIO");
        return r;
}

static int resources_json(const struct vs_spec_input *in, json_t *rules, json_t **ret, struct vs_error *err)
{
        const struct vs_run_options *o = in->options;
        _cleanup_oci_json_ json_t *res = json_pack("{s:O}", "devices", rules);
        if (!res || memory_json(in, res) < 0 || cpu_json(o, res) < 0)
                return VS_SPEC_OOM(err);
        if (o->has_pids_limit && o->pids_limit > 0 &&
            json_object_set_new(res, "pids", json_pack("{s:I}", "limit", (json_int_t) o->pids_limit)) < 0)
                return VS_SPEC_OOM(err);
        int r = block_io_json(o, res, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(res);
        return 0;
}

/* ---- sysctl, cgroupsPath ---- */

static int sysctl_json(const struct vs_run_options *o, json_t **ret, struct vs_error *err)
{
        json_t *obj = json_object();
        if (!obj)
                return VS_SPEC_OOM(err);
        for (char **s = o->sysctls; s && *s; s++) {
                size_t klen = strcspn(*s, "=");
                _cleanup_free_ char *key = strndup(*s, klen);
                bool net = strncmp(*s, "net.", 4) == 0;
                int r = 0;
                if (net && o->network && strcmp(o->network, "host") == 0)
                        r = vs_error_set(err, EINVAL, "--sysctl %s is not allowed in the host network namespace",
                                         key ? key : *s);
                else if (!net && o->ipc.mode == VS_NS_MODE_HOST)
                        r = vs_error_set(err, EINVAL, "--sysctl %s is not allowed in the host IPC namespace",
                                         key ? key : *s);
                else if (!key || json_object_set_new(obj, key, json_string(*s + klen + 1)) < 0)
                        r = VS_SPEC_OOM(err);
                if (r < 0) {
                        json_decref(obj);
                        return r;
                }
        }
        *ret = obj;
        return 0;
}

static char *cgroups_path(const struct vs_spec_input *in)
{
        const char *parent = in->options->cgroup_parent ? in->options->cgroup_parent
                             : in->cgroup_parent        ? in->cgroup_parent
                                                        : "/vessel";
        while (*parent == '/')
                parent++;
        size_t len = strlen(parent);
        while (len && parent[len - 1] == '/')
                len--;
        char *path = NULL;
        if (asprintf(&path, "/%.*s%s%s", (int) len, parent, len ? "/" : "", in->id) < 0)
                return NULL;
        return path;
}

/* ---- the whole ---- */

static int linux_parts(const struct vs_spec_input *in, json_t *l, struct device_lists *d, struct vs_error *err)
{
        json_t *sysctl = NULL, *resources = NULL, *namespaces = NULL;
        _cleanup_free_ char *cgroups = cgroups_path(in);
        int r = cgroups ? 0 : VS_SPEC_OOM(err);
        if (r == 0)
                r = sysctl_json(in->options, &sysctl, err);
        if (r == 0 && json_object_size(sysctl) && json_object_set(l, "sysctl", sysctl) < 0)
                r = VS_SPEC_OOM(err);
        json_decref(sysctl);
        if (r == 0)
                r = devices_json(in->options, d, err);
        if (r == 0)
                r = resources_json(in, d->rules, &resources, err);
        if (r == 0 && json_object_set_new(l, "resources", resources) < 0)
                r = VS_SPEC_OOM(err);
        if (r == 0 && json_object_set_new(l, "cgroupsPath", json_string(cgroups)) < 0)
                r = VS_SPEC_OOM(err);
        if (r == 0)
                r = namespaces_json(in, &namespaces, err);
        if (r == 0 && json_object_set_new(l, "namespaces", namespaces) < 0)
                r = VS_SPEC_OOM(err);
        if (r == 0 && json_array_size(d->nodes) && json_object_set(l, "devices", d->nodes) < 0)
                r = VS_SPEC_OOM(err);
        return r;
}

static int add_paths(const struct vs_run_options *o, json_t *l, struct vs_error *err)
{
        if (o->privileged || o->systempaths_unconfined)
                return 0;
        if (json_object_set_new(l, "maskedPaths", vs_oci_json_string_array(masked_paths)) < 0 ||
            json_object_set_new(l, "readonlyPaths", vs_oci_json_string_array(readonly_paths)) < 0)
                return VS_SPEC_OOM(err);
        return 0;
}

static int add_seccomp(const struct vs_spec_input *in, json_t *l, json_t *caps, struct vs_error *err)
{
        json_t *seccomp = NULL;
        int r = vs_spec_seccomp(in, caps, &seccomp, err);
        if (r < 0 || !seccomp)
                return r;
        return json_object_set_new(l, "seccomp", seccomp) < 0 ? VS_SPEC_OOM(err) : 0;
}

int vs_spec_linux(const struct vs_spec_input *in, json_t **ret, struct vs_error *err)
{
        struct device_lists d = {0};
        json_t *l = json_object(), *caps = NULL;
        int r = l ? linux_parts(in, l, &d, err) : VS_SPEC_OOM(err);
        if (r == 0)
                r = vs_spec_capabilities(in->options, &caps, err);
        if (r == 0)
                r = add_seccomp(in, l, caps, err);
        if (r == 0)
                r = add_paths(in->options, l, err);
        json_decref(caps);
        json_decref(d.nodes);
        json_decref(d.rules);
        if (r < 0) {
                json_decref(l);
                return r;
        }
        *ret = l;
        return 0;
}
