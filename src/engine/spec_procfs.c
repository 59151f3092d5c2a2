/* vessel: vessel-procfs's binds in a generated spec (see spec_procfs.h). */
#include "engine/spec_procfs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *const vs_spec_procfs_paths[] = {
        "/proc/meminfo",
        "/proc/cpuinfo",
        "/proc/stat",
        "/proc/uptime",
        "/proc/loadavg",
        "/proc/diskstats",
        "/proc/swaps",
        "/sys/devices/system/cpu/online",
        NULL,
};

static json_t *bind_mount(const char *dir, const char *path)
{
        char source[4096];
        snprintf(source, sizeof(source), "%s%s", dir, path);
        /* bind, not rbind: the file has nothing mounted below it */
        return json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}", "destination", path, "type", "bind", "source", source,
                         "options", "bind", "ro", "nosuid", "nodev", "noexec");
}

int vs_spec_procfs_add(json_t *spec, const char *dir, struct vs_error *err)
{
        json_t *mounts = json_object_get(spec, "mounts");
        if (!json_is_array(mounts)) {
                mounts = json_array();
                if (!mounts || json_object_set_new(spec, "mounts", mounts) < 0)
                        return vs_error_set(err, ENOMEM, "out of memory");
        }
        for (const char *const *p = vs_spec_procfs_paths; *p; p++) {
                json_t *m = bind_mount(dir, *p);
                if (!m || json_array_append_new(mounts, m) < 0)
                        return vs_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

/* The syscalls the agent answers: sysinfo(2) from the cgroup's figures,
 * sched_getaffinity(2) narrowed to a CFS quota (nproc). */
static const char *const notified[] = {"sysinfo", "sched_getaffinity", NULL};

static bool is_notified(json_t *name)
{
        for (const char *const *n = notified; json_is_string(name) && *n; n++)
                if (strcmp(json_string_value(name), *n) == 0)
                        return true;
        return false;
}

/* Take the notified syscalls out of the names of rules without argument filters. */
static void drop_notified(json_t *syscalls)
{
        for (size_t i = json_array_size(syscalls); i-- > 0;) {
                json_t *rule = json_array_get(syscalls, i);
                json_t *names = json_object_get(rule, "names");
                if (json_array_size(json_object_get(rule, "args")) > 0)
                        continue;
                for (size_t k = json_array_size(names); k-- > 0;)
                        if (is_notified(json_array_get(names, k)))
                                json_array_remove(names, k);
                if (names && json_array_size(names) == 0)
                        json_array_remove(syscalls, i);
        }
}

int vs_spec_procfs_sysinfo(json_t *spec, const char *listener, struct vs_error *err)
{
        json_t *seccomp = json_object_get(json_object_get(spec, "linux"), "seccomp");
        if (!json_is_object(seccomp))
                return 0;
        if (json_object_get(seccomp, "listenerPath"))
                return 0; /* the user's own agent: not ours to take */
        json_t *syscalls = json_object_get(seccomp, "syscalls");
        if (!json_is_array(syscalls)) {
                syscalls = json_array();
                if (!syscalls || json_object_set_new(seccomp, "syscalls", syscalls) < 0)
                        return vs_error_set(err, ENOMEM, "out of memory");
        }
        drop_notified(syscalls);
        json_t *rule = json_pack("{s:[s, s], s:s}", "names", notified[0], notified[1], "action", "SCMP_ACT_NOTIFY");
        if (!rule || json_array_append_new(syscalls, rule) < 0 ||
            json_object_set_new(seccomp, "listenerPath", json_string(listener)) < 0)
                return vs_error_set(err, ENOMEM, "out of memory");
        return 0;
}
