/* vessel: docker's Config and HostConfig from the run flags (see run_json.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/run_json.h"
#include "util/cleanup.h"

#define OOM(err) vs_error_set(err, ENOMEM, "out of memory")
#define DEFAULT_SHM_SIZE (64LL << 20)

const char *vs_restart_policy_name(enum vs_restart_policy p)
{
        switch (p) {
        case VS_RESTART_ALWAYS:
                return "always";
        case VS_RESTART_UNLESS_STOPPED:
                return "unless-stopped";
        case VS_RESTART_ON_FAILURE:
                return "on-failure";
        case VS_RESTART_NO:
                break;
        }
        return "no";
}

/* A NULL-terminated list as a JSON array; NULL gives null (docker's nil slice). */
static json_t *strv_json(char *const *v)
{
        if (!v)
                return json_null();
        json_t *a = json_array();
        for (; a && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}

/* Same, but an empty array rather than null. */
static json_t *strv_json_empty(char *const *v)
{
        return v ? strv_json(v) : json_array();
}

static json_t *string_or_empty(const char *s)
{
        return json_string(s ? s : "");
}

/* "K=V" entries into an object (a bare "K" is K: ""). */
static void kv_into(json_t *obj, char *const *v)
{
        for (; v && *v; v++) {
                const char *eq = strchr(*v, '=');
                _cleanup_free_ char *key = eq ? strndup(*v, (size_t) (eq - *v)) : strdup(*v);
                if (key)
                        json_object_set_new(obj, key, json_string(eq ? eq + 1 : ""));
        }
}

static size_t env_key_len(const char *entry)
{
        const char *eq = strchr(entry, '=');
        return eq ? (size_t) (eq - entry) : strlen(entry);
}

/* Apply one entry to the env array: replace the same key in place, append,
 * or (a bare "K") remove K. */
static void env_apply(json_t *env, const char *entry)
{
        size_t klen = env_key_len(entry);
        bool bare = entry[klen] == '\0';
        for (size_t i = 0; i < json_array_size(env); i++) {
                const char *e = json_string_value(json_array_get(env, i));
                if (env_key_len(e) == klen && strncmp(e, entry, klen) == 0) {
                        if (bare)
                                json_array_remove(env, i);
                        else
                                json_array_set_new(env, i, json_string(entry));
                        return;
                }
        }
        if (!bare)
                json_array_append_new(env, json_string(entry));
}

static json_t *env_json(const struct vs_run_options *o, const struct vs_image_config *image)
{
        json_t *env = json_array();
        for (char **e = image ? image->env : NULL; e && *e; e++)
                env_apply(env, *e);
        for (char **e = o->env; e && *e; e++)
                env_apply(env, *e);
        return env;
}

/* "80" -> "80/tcp"; a range "80-81" is kept as one key (docker splits it). */
static void port_key(json_t *ports, const char *spec)
{
        char key[128];
        snprintf(key, sizeof(key), "%s%s", spec, strchr(spec, '/') ? "" : "/tcp");
        json_object_set_new(ports, key, json_object());
}

/* ExposedPorts: the image's, --expose, and the container side of -p. */
static json_t *exposed_ports_json(const struct vs_run_options *o, const struct vs_image_config *image)
{
        json_t *ports = json_object();
        for (char **p = image ? image->exposed_ports : NULL; p && *p; p++)
                port_key(ports, *p);
        for (char **p = o->expose; p && *p; p++)
                port_key(ports, *p);
        for (char **p = o->publish; p && *p; p++) {
                const char *last = strrchr(*p, ':');
                port_key(ports, last ? last + 1 : *p);
        }
        if (json_object_size(ports) == 0) {
                json_decref(ports);
                return NULL;
        }
        return ports;
}

/* Volumes: the image's VOLUMEs and the anonymous -v. */
static json_t *volumes_json(const struct vs_run_options *o, const struct vs_image_config *image)
{
        json_t *vols = json_object();
        for (char **v = image ? image->volumes : NULL; v && *v; v++)
                json_object_set_new(vols, *v, json_object());
        for (size_t i = 0; i < o->n_mounts; i++)
                if (o->mounts[i].type == VS_RUN_MOUNT_VOLUME && !o->mounts[i].source)
                        json_object_set_new(vols, o->mounts[i].destination, json_object());
        if (json_object_size(vols) == 0) {
                json_decref(vols);
                return json_null();
        }
        return vols;
}

static json_t *labels_json(const struct vs_run_options *o, const struct vs_image_config *image)
{
        json_t *labels = json_object();
        for (size_t i = 0; image && image->label_keys && image->label_keys[i]; i++)
                json_object_set_new(labels, image->label_keys[i], json_string(image->label_values[i]));
        kv_into(labels, o->labels);
        return labels;
}

/* Cmd and Entrypoint as docker stores them: --entrypoint drops the image's
 * Cmd (and "" leaves no entrypoint); a COMMAND replaces Cmd. */
static void process_json(const struct vs_run_options *o, const struct vs_image_config *image, json_t *config)
{
        json_t *entrypoint, *cmd;
        if (o->has_entrypoint)
                entrypoint = o->entrypoint && o->entrypoint[0] ? json_pack("[s]", o->entrypoint) : json_null();
        else
                entrypoint = strv_json(image ? image->entrypoint : NULL);
        if (o->command)
                cmd = strv_json(o->command);
        else if (o->has_entrypoint)
                cmd = json_null();
        else
                cmd = strv_json(image ? image->cmd : NULL);
        json_object_set_new(config, "Cmd", cmd);
        json_object_set_new(config, "Entrypoint", entrypoint);
}

static bool attached(const struct vs_run_options *o, const char *stream)
{
        if (o->attach) {
                for (char **a = o->attach; *a; a++)
                        if (strcmp(*a, stream) == 0)
                                return true;
                return false;
        }
        return !o->detach && (strcmp(stream, "stdin") != 0 || o->interactive);
}

int vs_run_config_json(const struct vs_run_options *o, const struct vs_image_config *image, const char *hostname,
                       json_t **ret, struct vs_error *err)
{
        const char *user = o->user ? o->user : image && image->user ? image->user : "";
        const char *workdir = o->workdir ? o->workdir : image && image->working_dir ? image->working_dir : "";
        json_t *c = json_pack("{s:s,s:s,s:s,s:b,s:b,s:b}", "Hostname", hostname ? hostname : "", "Domainname",
                              o->domainname ? o->domainname : "", "User", user, "AttachStdin", attached(o, "stdin"),
                              "AttachStdout", attached(o, "stdout"), "AttachStderr", attached(o, "stderr"));
        if (!c)
                return OOM(err);
        json_t *ports = exposed_ports_json(o, image);
        if (ports)
                json_object_set_new(c, "ExposedPorts", ports);
        json_object_set_new(c, "Tty", json_boolean(o->tty));
        json_object_set_new(c, "OpenStdin", json_boolean(o->interactive));
        json_object_set_new(c, "StdinOnce", json_boolean(o->interactive && !o->detach));
        json_object_set_new(c, "Env", env_json(o, image));
        process_json(o, image, c);
        json_object_set_new(c, "Image", string_or_empty(o->image));
        json_object_set_new(c, "Volumes", volumes_json(o, image));
        json_object_set_new(c, "WorkingDir", json_string(workdir));
        /* docker's order: Entrypoint after WorkingDir */
        json_t *entrypoint = json_incref(json_object_get(c, "Entrypoint"));
        json_object_del(c, "Entrypoint");
        json_object_set_new(c, "Entrypoint", entrypoint);
        json_object_set_new(c, "OnBuild", json_null());
        json_object_set_new(c, "Labels", labels_json(o, image));
        const char *stop_signal = o->stop_signal ? o->stop_signal : image ? image->stop_signal : NULL;
        if (stop_signal)
                json_object_set_new(c, "StopSignal", json_string(stop_signal));
        if (o->has_stop_timeout)
                json_object_set_new(c, "StopTimeout", json_integer(o->stop_timeout));
        *ret = c;
        return 0;
}

/* --- HostConfig --- */

static const char *ns_mode(const struct vs_run_namespace *ns, const char *private_name, char *buf, size_t size)
{
        switch (ns->mode) {
        case VS_NS_MODE_HOST:
                return "host";
        case VS_NS_MODE_CONTAINER:
                snprintf(buf, size, "container:%s", ns->container ? ns->container : "");
                return buf;
        case VS_NS_MODE_SHAREABLE:
                return "shareable";
        case VS_NS_MODE_NONE:
                return "none";
        case VS_NS_MODE_PRIVATE:
                break;
        }
        return private_name;
}

/* Binds ("src:dst[:ro]") for -v/--mount with a source; Tmpfs {dst: options}. */
static void mounts_json(const struct vs_run_options *o, json_t *hc)
{
        json_t *binds = json_array(), *tmpfs = json_object();
        for (size_t i = 0; i < o->n_mounts; i++) {
                const struct vs_run_mount *m = &o->mounts[i];
                if (m->type == VS_RUN_MOUNT_TMPFS) {
                        char opts[512] = "";
                        size_t len = 0;
                        for (char **p = m->options; p && *p && len < sizeof(opts); p++)
                                len += (size_t) snprintf(opts + len, sizeof(opts) - len, "%s%s", len ? "," : "", *p);
                        json_object_set_new(tmpfs, m->destination, json_string(opts));
                        continue;
                }
                if (!m->source)
                        continue;
                char text[4096 * 2 + 64];
                snprintf(text, sizeof(text), "%s:%s%s%s%s", m->source, m->destination, m->readonly ? ":ro" : "",
                         m->propagation ? (m->readonly ? "," : ":") : "", m->propagation ? m->propagation : "");
                json_array_append_new(binds, json_string(text));
        }
        json_object_set_new(hc, "Binds", json_array_size(binds) ? binds : (json_decref(binds), json_null()));
        if (json_object_size(tmpfs))
                json_object_set_new(hc, "Tmpfs", tmpfs);
        else
                json_decref(tmpfs);
}

static json_t *throttle_json(const struct vs_run_throttle *t, size_t n)
{
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_pack("{s:s,s:I}", "Path", t[i].path, "Rate", (json_int_t) t[i].rate));
        return a;
}

static json_t *rlimit_json(uint64_t v)
{
        return json_integer(v == UINT64_MAX ? -1 : (json_int_t) v);
}

static json_t *devices_json(const struct vs_run_options *o)
{
        json_t *a = json_array();
        for (size_t i = 0; i < o->n_devices; i++)
                json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "PathOnHost", o->devices[i].host_path,
                                                   "PathInContainer", o->devices[i].container_path, "CgroupPermissions",
                                                   o->devices[i].permissions));
        return a;
}

static json_t *ulimits_json(const struct vs_run_options *o)
{
        json_t *a = json_array();
        for (size_t i = 0; i < o->n_ulimits; i++) {
                json_t *u = json_pack("{s:s}", "Name", o->ulimits[i].name);
                json_object_set_new(u, "Hard", rlimit_json(o->ulimits[i].hard));
                json_object_set_new(u, "Soft", rlimit_json(o->ulimits[i].soft));
                json_array_append_new(a, u);
        }
        return a;
}

static json_t *security_opt_json(const struct vs_run_options *o)
{
        json_t *a = json_array();
        if (o->seccomp_unconfined)
                json_array_append_new(a, json_string("seccomp=unconfined"));
        else if (o->seccomp_profile)
                json_array_append_new(a, json_pack("s+", "seccomp=", o->seccomp_profile));
        if (o->no_new_privileges)
                json_array_append_new(a, json_string("no-new-privileges"));
        if (o->apparmor_profile)
                json_array_append_new(a, json_pack("s+", "apparmor=", o->apparmor_profile));
        for (char **l = o->label_opts; l && *l; l++)
                json_array_append_new(a, json_pack("s+", "label=", *l));
        if (o->systempaths_unconfined)
                json_array_append_new(a, json_string("systempaths=unconfined"));
        if (json_array_size(a) == 0) {
                json_decref(a);
                return json_null();
        }
        return a;
}

/* The process's namespaces, the network, the log and the restart policy. */
static json_t *host_life_json(const struct vs_run_options *o, const char *runtime)
{
        char pid[300], ipc[300], uts[300], cgroupns[300];
        json_t *log_config = json_object();
        kv_into(log_config, o->log_opts);
        return json_pack("{s:s,s:{s:s,s:o},s:s,s:{},s:{s:s,s:i},s:b,s:s,s:o,s:s,s:s,s:s,s:s,s:b,s:s}",
                         "ContainerIDFile", "", "LogConfig", "Type", o->log_driver ? o->log_driver : "json-file",
                         "Config", log_config, "NetworkMode", o->network ? o->network : "bridge", "PortBindings",
                         "RestartPolicy", "Name", vs_restart_policy_name(o->restart), "MaximumRetryCount",
                         o->restart_max_retries, "AutoRemove", o->remove, "VolumeDriver", "", "VolumesFrom",
                         strv_json(o->volumes_from), "CgroupnsMode",
                         ns_mode(&o->cgroupns, "private", cgroupns, sizeof(cgroupns)), "IpcMode",
                         ns_mode(&o->ipc, "private", ipc, sizeof(ipc)), "PidMode",
                         ns_mode(&o->pid, "", pid, sizeof(pid)), "UTSMode", ns_mode(&o->uts, "", uts, sizeof(uts)),
                         "Privileged", o->privileged, "Runtime", runtime ? runtime : "vessel");
}

static void host_security_json(const struct vs_run_options *o, json_t *hc)
{
        json_object_set_new(hc, "CapAdd", strv_json(o->cap_add));
        json_object_set_new(hc, "CapDrop", strv_json(o->cap_drop));
        json_object_set_new(hc, "Dns", strv_json_empty(o->dns));
        json_object_set_new(hc, "DnsOptions", strv_json_empty(o->dns_options));
        json_object_set_new(hc, "DnsSearch", strv_json_empty(o->dns_search));
        json_object_set_new(hc, "ExtraHosts", strv_json(o->add_hosts));
        json_object_set_new(hc, "GroupAdd", strv_json(o->group_add));
        json_object_set_new(hc, "OomScoreAdj", json_integer(o->has_oom_score_adj ? o->oom_score_adj : 0));
        json_object_set_new(hc, "PublishAllPorts", json_boolean(o->publish_all));
        json_object_set_new(hc, "ReadonlyRootfs", json_boolean(o->read_only));
        json_object_set_new(hc, "SecurityOpt", security_opt_json(o));
        json_object_set_new(hc, "UsernsMode", json_string(o->userns_host ? "host" : ""));
        json_object_set_new(hc, "ShmSize", json_integer(o->shm_size > 0 ? o->shm_size : DEFAULT_SHM_SIZE));
        json_object_set_new(hc, "Init", o->init ? json_true() : json_null());
        json_object_set_new(hc, "Isolation", json_string(""));
}

static void host_resources_json(const struct vs_run_options *o, json_t *hc)
{
        json_object_set_new(hc, "CpuShares", json_integer(o->cpu_shares));
        json_object_set_new(hc, "Memory", json_integer(o->memory));
        json_object_set_new(hc, "NanoCpus", json_integer(o->nano_cpus));
        json_object_set_new(hc, "CgroupParent", string_or_empty(o->cgroup_parent));
        json_object_set_new(hc, "BlkioWeight", json_integer(o->blkio_weight));
        json_object_set_new(hc, "BlkioDeviceReadBps", throttle_json(o->read_bps, o->n_read_bps));
        json_object_set_new(hc, "BlkioDeviceWriteBps", throttle_json(o->write_bps, o->n_write_bps));
        json_object_set_new(hc, "BlkioDeviceReadIOps", throttle_json(o->read_iops, o->n_read_iops));
        json_object_set_new(hc, "BlkioDeviceWriteIOps", throttle_json(o->write_iops, o->n_write_iops));
        json_object_set_new(hc, "CpuPeriod", json_integer(o->cpu_period));
        json_object_set_new(hc, "CpuQuota", json_integer(o->cpu_quota));
        json_object_set_new(hc, "CpusetCpus", string_or_empty(o->cpuset_cpus));
        json_object_set_new(hc, "CpusetMems", string_or_empty(o->cpuset_mems));
        json_object_set_new(hc, "Devices", devices_json(o));
        json_object_set_new(hc, "MemoryReservation", json_integer(o->memory_reservation));
        json_object_set_new(hc, "MemorySwap", json_integer(o->memory_swap));
        json_object_set_new(hc, "MemorySwappiness",
                            o->memory_swappiness >= 0 ? json_integer(o->memory_swappiness) : json_null());
        json_object_set_new(hc, "OomKillDisable", json_boolean(o->oom_kill_disable));
        json_object_set_new(hc, "PidsLimit", o->has_pids_limit ? json_integer(o->pids_limit) : json_null());
        json_object_set_new(hc, "Ulimits", ulimits_json(o));
        json_t *sysctls = json_object();
        kv_into(sysctls, o->sysctls);
        json_object_set_new(hc, "Sysctls", sysctls);
}

int vs_run_host_config_json(const struct vs_run_options *o, const char *runtime, json_t **ret, struct vs_error *err)
{
        json_t *hc = json_object();
        if (!hc)
                return OOM(err);
        mounts_json(o, hc);
        json_t *life = host_life_json(o, runtime);
        if (!life) {
                json_decref(hc);
                return OOM(err);
        }
        json_object_update(hc, life);
        json_decref(life);
        host_security_json(o, hc);
        host_resources_json(o, hc);
        *ret = hc;
        return 0;
}

/* --- reading it back --- */

static int summary_log(json_t *hc, struct vs_run_host_summary *s, struct vs_error *err)
{
        json_t *log = json_object_get(hc, "LogConfig");
        const char *type = json_string_value(json_object_get(log, "Type"));
        s->log_none = type && strcmp(type, "none") == 0;
        json_t *cfg = json_object_get(log, "Config");
        const char *size = json_string_value(json_object_get(cfg, "max-size"));
        const char *files = json_string_value(json_object_get(cfg, "max-file"));
        if (size && (vs_parse_size(size, &s->log_max_size) < 0 || s->log_max_size <= 0))
                return vs_error_set(err, EINVAL, "HostConfig.LogConfig.Config.max-size: invalid size: '%s'", size);
        if (files) {
                char *end;
                long n = strtol(files, &end, 10);
                if (*end || end == files || n < 1 || n > INT32_MAX)
                        return vs_error_set(err, EINVAL, "HostConfig.LogConfig.Config.max-file: bad value '%s'", files);
                s->log_max_file = (int) n;
        }
        return 0;
}

static int summary_restart(json_t *hc, struct vs_run_host_summary *s, struct vs_error *err)
{
        json_t *rp = json_object_get(hc, "RestartPolicy");
        const char *name = json_string_value(json_object_get(rp, "Name"));
        static const enum vs_restart_policy all[] = {VS_RESTART_NO, VS_RESTART_ALWAYS, VS_RESTART_UNLESS_STOPPED,
                                                     VS_RESTART_ON_FAILURE};
        s->restart = VS_RESTART_NO;
        if (name && name[0]) {
                size_t i = 0;
                while (i < sizeof(all) / sizeof(all[0]) && strcmp(vs_restart_policy_name(all[i]), name) != 0)
                        i++;
                if (i == sizeof(all) / sizeof(all[0]))
                        return vs_error_set(err, EINVAL, "HostConfig.RestartPolicy.Name: unknown policy '%s'", name);
                s->restart = all[i];
        }
        s->restart_max_retries = (int) json_integer_value(json_object_get(rp, "MaximumRetryCount"));
        return 0;
}

int vs_run_host_summary(const char *host_config, struct vs_run_host_summary *ret, struct vs_error *err)
{
        struct vs_run_host_summary s = {0};
        snprintf(s.runtime, sizeof(s.runtime), "vessel");
        if (!host_config || !host_config[0]) {
                *ret = s;
                return 0;
        }
        json_error_t jerr;
        json_t *hc = json_loads(host_config, 0, &jerr);
        if (!json_is_object(hc)) {
                json_decref(hc);
                return vs_error_set(err, EINVAL, "HostConfig: not a JSON object: %s", jerr.text);
        }
        int r = summary_log(hc, &s, err);
        if (r == 0)
                r = summary_restart(hc, &s, err);
        const char *runtime = json_string_value(json_object_get(hc, "Runtime"));
        if (r == 0 && runtime && runtime[0])
                snprintf(s.runtime, sizeof(s.runtime), "%s", runtime);
        json_decref(hc);
        if (r == 0)
                *ret = s;
        return r;
}
