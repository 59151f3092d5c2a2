/* vessel: the default config.json, the same as runc's (libcontainer/specconv
 * Example and ToRootless), key order included, with hostname "vessel". */
#include "oci/spec.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "oci/json.h"
#include "util/cleanup.h"
#include "vessel-config.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* runc's default capabilities: the three a shell and small servers need. */
static const char *const default_capabilities[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};

static const struct {
        const char *destination, *type, *source;
        const char *options[8]; /* NULL-terminated; none: no "options" key */
} default_mounts[] = {
        {"/proc", "proc", "proc", {NULL}},
        {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
        {"/dev/pts",
         "devpts",
         "devpts",
         {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
        {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
        {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
        {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
        {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

static const char *const default_namespaces[] = {"pid", "network", "ipc", "uts", "mount", "cgroup", NULL};

/* Kernel interfaces that leak host information or let a process reach the host's hardware. */
static const char *const default_masked_paths[] = {
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/sys/firmware",
        "/proc/scsi",
        NULL,
};

static const char *const default_readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static json_t *default_process(void)
{
        return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s, s:{s:o, s:o, s:o}, s:[{s:s, s:i, s:i}], s:b}",
                         "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env", "PATH=" DEFAULT_PATH,
                         "TERM=xterm", "cwd", "/", "capabilities", "bounding",
                         vs_oci_json_string_array(default_capabilities), "effective",
                         vs_oci_json_string_array(default_capabilities), "permitted",
                         vs_oci_json_string_array(default_capabilities), "rlimits", "type", "RLIMIT_NOFILE", "hard",
                         1024, "soft", 1024, "noNewPrivileges", 1);
}

static json_t *default_mount_list(void)
{
        _cleanup_oci_json_ json_t *mounts = json_array();
        if (!mounts)
                return NULL;
        for (size_t i = 0; i < VS_ARRAY_SIZE(default_mounts); i++) {
                json_t *m = json_pack("{s:s, s:s, s:s}", "destination", default_mounts[i].destination, "type",
                                      default_mounts[i].type, "source", default_mounts[i].source);
                if (json_array_append_new(mounts, m) < 0)
                        return NULL;
                if (default_mounts[i].options[0] &&
                    json_object_set_new(m, "options", vs_oci_json_string_array(default_mounts[i].options)) < 0)
                        return NULL;
        }
        return TAKE_PTR(mounts);
}

static json_t *default_linux(void)
{
        _cleanup_oci_json_ json_t *namespaces = json_array();
        if (!namespaces)
                return NULL;
        for (size_t i = 0; default_namespaces[i]; i++)
                if (json_array_append_new(namespaces, json_pack("{s:s}", "type", default_namespaces[i])) < 0)
                        return NULL;
        /* Deny every device; the runtime creates and allows the standard ones. */
        return json_pack("{s:{s:[{s:b, s:s}]}, s:O, s:o, s:o}", "resources", "devices", "allow", 0, "access", "rwm",
                         "namespaces", namespaces, "maskedPaths", vs_oci_json_string_array(default_masked_paths),
                         "readonlyPaths", vs_oci_json_string_array(default_readonly_paths));
}

static json_t *default_spec(void)
{
        return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", VESSEL_OCI_VERSION, "process",
                         default_process(), "root", "path", "rootfs", "readonly", 1, "hostname", "vessel", "mounts",
                         default_mount_list(), "linux", default_linux());
}

/* ---- rootless: runc's ToRootless ---- */

/* Without the network namespace: an unprivileged user cannot configure a new
 * one's interfaces, so the container shares the caller's. The user namespace
 * goes last, where runc puts it. */
static json_t *rootless_namespaces(const json_t *namespaces)
{
        _cleanup_oci_json_ json_t *out = json_array();
        size_t i;
        json_t *ns;
        if (!out)
                return NULL;
        json_array_foreach (namespaces, i, ns) {
                const char *type = json_string_value(json_object_get(ns, "type"));
                if (type && (strcmp(type, "network") == 0 || strcmp(type, "user") == 0))
                        continue;
                if (json_array_append(out, ns) < 0)
                        return NULL;
        }
        if (json_array_append_new(out, json_pack("{s:s}", "type", "user")) < 0)
                return NULL;
        return TAKE_PTR(out);
}

/* One mapping: root in the container is the caller outside, the only
 * mapping an unprivileged user may write. Then the rest of linux, without
 * resources: an unprivileged user has no cgroup to set them in. */
static json_t *rootless_linux(const json_t *linux_)
{
        _cleanup_oci_json_ json_t *out =
                json_pack("{s:[{s:i, s:I, s:i}], s:[{s:i, s:I, s:i}]}", "uidMappings", "containerID", 0, "hostID",
                          (json_int_t) geteuid(), "size", 1, "gidMappings", "containerID", 0, "hostID",
                          (json_int_t) getegid(), "size", 1);
        const char *key;
        json_t *value;
        if (!out)
                return NULL;
        json_object_foreach ((json_t *) linux_, key, value) {
                if (strcmp(key, "resources") == 0)
                        continue;
                json_t *copy = strcmp(key, "namespaces") == 0 ? rootless_namespaces(value) : json_incref(value);
                if (json_object_set_new(out, key, copy) < 0)
                        return NULL;
        }
        return TAKE_PTR(out);
}

/* uid= and gid= name ids that do not exist in a one-id user namespace. */
static int drop_id_options(json_t *mount)
{
        json_t *options = json_object_get(mount, "options");
        for (size_t i = 0; i < json_array_size(options);) {
                const char *opt = json_string_value(json_array_get(options, i));
                if (opt && (strncmp(opt, "uid=", 4) == 0 || strncmp(opt, "gid=", 4) == 0)) {
                        if (json_array_remove(options, i) < 0)
                                return -ENOMEM;
                } else {
                        i++;
                }
        }
        if (options && json_array_size(options) == 0)
                return json_object_del(mount, "options") < 0 ? -ENOMEM : 0;
        return 0;
}

/* sysfs cannot be mounted without owning the network namespace, which a
 * rootless container shares with the host: bind the host's, read-only. */
static int rootless_mounts(json_t *mounts)
{
        size_t i;
        json_t *mount;
        json_array_foreach (mounts, i, mount) {
                const char *dest = json_string_value(json_object_get(mount, "destination"));
                if (dest && strcmp(dest, "/sys") == 0) {
                        json_t *sys =
                                json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}", "destination", "/sys", "type", "none",
                                          "source", "/sys", "options", "rbind", "nosuid", "noexec", "nodev", "ro");
                        if (!sys || json_array_set_new(mounts, i, sys) < 0)
                                return -ENOMEM;
                } else if (drop_id_options(mount) < 0) {
                        return -ENOMEM;
                }
        }
        return 0;
}

static int to_rootless(json_t *spec)
{
        if (rootless_mounts(json_object_get(spec, "mounts")) < 0)
                return -ENOMEM;
        json_t *linux_ = rootless_linux(json_object_get(spec, "linux"));
        if (!linux_ || json_object_set_new(spec, "linux", linux_) < 0)
                return -ENOMEM;
        return 0;
}

int vs_oci_spec_default(bool rootless, char **ret_json, struct vs_error *err)
{
        _cleanup_oci_json_ json_t *spec = default_spec();
        if (!spec)
                return vs_error_set(err, ENOMEM, "cannot build the default config.json: out of memory");
        if (rootless && to_rootless(spec) < 0)
                return vs_error_set(err, ENOMEM, "cannot build the default config.json: out of memory");
        return vs_oci_json_dump(spec, "config.json", ret_json, err);
}
