/* vessel inspect / container inspect: docker's JSON for containers (and,
 * through image_inspect.c, images), and the record's Config/HostConfig,
 * written at create. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container_admin.h"
#include "engine.h"
#include "engine/engine_conf.h"
#include "engine/run_json.h"
#include "engine/run_options.h"
#include "format.h"
#include "util/cleanup.h"

#define CONFIG_MAX (8u << 20)
#define ZERO_TIME "0001-01-01T00:00:00Z"

/* --- at create --- */

/* --runtime, else vessel.conf's; NULL: in-process. Must be executable. */
static int choose_runtime(const struct vs_run_options *o, char **ret, struct vs_error *err)
{
        struct vs_engine_conf conf = {0};
        const char *path = o->runtime;
        if (!path) {
                int r = vs_engine_conf_load(vs_engine_conf_path(), &conf, err);
                if (r < 0)
                        return r;
                path = conf.runtime;
        }
        int r = 0;
        *ret = NULL;
        if (path && strcmp(path, "vessel") != 0) {
                if (access(path, X_OK) < 0)
                        r = vs_error_syscall(err, "runtime %s", path);
                else if (!(*ret = strdup(path)))
                        r = vs_error_set(err, ENOMEM, "out of memory");
        }
        vs_engine_conf_free(&conf);
        return r;
}

int container_record_config(struct vs_store *s, const struct vs_run_options *o, const char *image_id, const char *id,
                            const char *hostname, struct vs_error *err)
{
        _cleanup_free_ char *data = NULL, *runtime = NULL, *config_text = NULL, *host_text = NULL;
        size_t len = 0;
        struct vs_image_config cfg = {0};
        json_t *config = NULL, *host = NULL;
        int r = choose_runtime(o, &runtime, err);
        if (r == 0)
                r = vs_store_blob_read(s, image_id, CONFIG_MAX, &data, &len, err);
        if (r == 0)
                r = vs_image_config_parse(data, len, image_id, &cfg, err);
        if (r == 0)
                r = vs_run_config_json(o, &cfg, hostname, &config, err);
        if (r == 0)
                r = vs_run_host_config_json(o, runtime, &host, err);
        if (r == 0) {
                config_text = json_dumps(config, JSON_COMPACT | JSON_PRESERVE_ORDER);
                host_text = json_dumps(host, JSON_COMPACT | JSON_PRESERVE_ORDER);
                r = config_text && host_text ? 0 : vs_error_set(err, ENOMEM, "out of memory");
        }
        if (r == 0)
                r = vs_container_set_config(s->db, id, config_text, host_text, err);
        json_decref(config);
        json_decref(host);
        vs_image_config_free(&cfg);
        return r;
}

/* --- sizes (-s) --- */

/* Bytes of the files under the directory `dirfd` (consumed), without
 * following links or crossing into other mounts; depth-limited. */
static int64_t tree_size(int dirfd, dev_t dev, int depth)
{
        DIR *d = fdopendir(dirfd);
        if (!d) {
                close(dirfd);
                return 0;
        }
        int64_t total = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                struct stat st;
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
                    fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
                        continue;
                if (!S_ISDIR(st.st_mode)) {
                        total += st.st_size;
                } else if (depth < 256) {
                        int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                total += tree_size(sub, dev, depth + 1);
                }
        }
        closedir(d);
        return total;
}

/* Bytes of the files under `dir` (the upper dir: what the container wrote). */
int64_t container_dir_size(const char *dir)
{
        struct stat st;
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return 0;
        if (fstat(fd, &st) < 0) {
                close(fd);
                return 0;
        }
        return tree_size(fd, st.st_dev, 0);
}

/* --- the JSON --- */

static json_t *time_json(int64_t ns)
{
        if (ns <= 0)
                return json_string(ZERO_TIME);
        char buf[64];
        rfc3339(ns / 1000000000, (long) (ns % 1000000000), buf, sizeof(buf));
        return json_string(buf);
}

/* A paused container is running (its record says so) with its freezer on: docker's "paused". */
static json_t *state_json(const struct vs_container *c, bool paused)
{
        bool running = strcmp(c->state, "running") == 0;
        json_t *st =
                json_pack("{s:s,s:b,s:b,s:b,s:b,s:b,s:i,s:i,s:s}", "Status", paused ? "paused" : c->state, "Running",
                          running, "Paused", paused, "Restarting", strcmp(c->state, "restarting") == 0, "OOMKilled", 0,
                          "Dead", 0, "Pid", running ? c->pid : 0, "ExitCode", c->exit_code, "Error", "");
        json_object_set_new(st, "StartedAt", time_json(c->started_at));
        json_object_set_new(st, "FinishedAt", time_json(c->finished_at));
        return st;
}

static json_t *graph_driver_json(struct vs_store *s, const struct vs_container *c, const struct ctr_paths *p)
{
        struct vs_image img = {0};
        struct vs_error ignored = VS_ERROR_INIT;
        char *lower = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&lower, &len);
        if (vs_store_image_lookup(s, c->image_id, &img, &ignored) < 0)
                vs_error_ignore(&ignored);
        for (size_t i = img.n_layers; f && i-- > 0;) {
                _cleanup_free_ char *path = vs_store_layer_path(s, img.layers[i].chain_id);
                fprintf(f, "%s%s", i + 1 == img.n_layers ? "" : ":", path ? path : "");
        }
        if (f)
                fclose(f);
        json_t *g = json_pack("{s:{s:s,s:s,s:s,s:s},s:s}", "Data", "LowerDir", lower ? lower : "", "MergedDir",
                              p->merged, "UpperDir", p->upper, "WorkDir", p->work, "Name", "overlay");
        free(lower);
        vs_image_free(&img);
        return g;
}

/* Mounts from HostConfig.Binds ("src:dst[:opts]") and Tmpfs. */
static json_t *mounts_json(json_t *host)
{
        json_t *mounts = json_array();
        size_t i;
        json_t *b;
        json_array_foreach (json_object_get(host, "Binds"), i, b) {
                _cleanup_free_ char *text = strdup(json_string_value(b) ?: "");
                char *dst = text ? strchr(text, ':') : NULL;
                if (!dst)
                        continue;
                *dst++ = '\0';
                char *opts = strchr(dst, ':');
                if (opts)
                        *opts++ = '\0';
                bool rw = !(opts && strstr(opts, "ro"));
                bool bind = text[0] == '/';
                json_t *m = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "Type", bind ? "bind" : "volume", "Source",
                                      bind ? text : "", "Destination", dst, "Mode", opts ? opts : "", "RW", rw,
                                      "Propagation", bind ? "rprivate" : "");
                if (!bind)
                        json_object_set_new(m, "Name", json_string(text));
                json_array_append_new(mounts, m);
        }
        const char *dst;
        json_t *opts;
        json_object_foreach (json_object_get(host, "Tmpfs"), dst, opts)
                json_array_append_new(mounts, json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "Type", "tmpfs", "Source", "",
                                                        "Destination", dst, "Mode", json_string_value(opts) ?: "", "RW",
                                                        1, "Propagation", ""));
        return mounts;
}

static json_t *loads_object(const char *text)
{
        json_t *v = text ? json_loads(text, 0, NULL) : NULL;
        if (!json_is_object(v)) {
                json_decref(v);
                v = json_object();
        }
        return v;
}

/* Id .. Image: who it is, what it runs, its state. */
static json_t *head_json(const struct globals *g, const struct vs_container *c)
{
        json_t *args = json_loads(c->command, 0, NULL);
        if (!json_is_array(args)) {
                json_decref(args);
                args = json_array();
        }
        const char *path = json_string_value(json_array_get(args, 0));
        json_t *o = json_pack("{s:s,s:o,s:s}", "Id", c->id, "Created", time_json(c->created), "Path", path ? path : "");
        if (json_array_size(args) > 0)
                json_array_remove(args, 0);
        json_object_set_new(o, "Args", args);
        bool paused = strcmp(c->state, "running") == 0 && container_paused(g, c);
        json_object_set_new(o, "State", state_json(c, paused));
        json_object_set_new(o, "Image", json_string(c->image_id));
        return o;
}

json_t *container_inspect_object(const struct globals *g, struct vs_store *s, const struct vs_container *c, bool size)
{
        struct ctr_paths p;
        ctr_paths(g, c->id, &p);
        char resolv[700], hostname[700], hosts[700], name[300];
        snprintf(resolv, sizeof(resolv), "%s/resolv.conf", p.rundir);
        snprintf(hostname, sizeof(hostname), "%s/hostname", p.rundir);
        snprintf(hosts, sizeof(hosts), "%s/hosts", p.rundir);
        snprintf(name, sizeof(name), "/%s", c->name);
        json_t *host = loads_object(c->host_config);
        json_t *o = head_json(g, c);
        json_t *more = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:n}", "ResolvConfPath", resolv,
                                 "HostnamePath", hostname, "HostsPath", hosts, "LogPath", p.log, "Name", name,
                                 "RestartCount", c->restart_count, "Driver", "overlay", "Platform", "linux",
                                 "MountLabel", "", "ProcessLabel", "", "AppArmorProfile", "", "ExecIDs");
        json_object_update(o, more);
        json_decref(more);
        json_object_set_new(o, "HostConfig", host);
        json_object_set_new(o, "GraphDriver", graph_driver_json(s, c, &p));
        if (size) {
                struct vs_image img = {0};
                struct vs_error ignored = VS_ERROR_INIT;
                if (vs_store_image_lookup(s, c->image_id, &img, &ignored) < 0)
                        vs_error_ignore(&ignored);
                int64_t rw = container_dir_size(p.upper);
                json_object_set_new(o, "SizeRw", json_integer(rw));
                json_object_set_new(o, "SizeRootFs", json_integer(rw + img.unpacked_size));
                vs_image_free(&img);
        }
        json_object_set_new(o, "Mounts", mounts_json(host));
        json_object_set_new(o, "Config", loads_object(c->config));
        json_object_set_new(o, "NetworkSettings", container_net_settings_json(g, s, c));
        return o;
}

/* --- the commands --- */

enum inspect_type {
        TYPE_ANY,
        TYPE_CONTAINER,
        TYPE_IMAGE
};

struct inspect_args {
        const char *format;
        enum inspect_type type;
        bool size;
};

static int parse_args(int argc, char **argv, struct inspect_args *a, const char *usage, const char *summary)
{
        static const struct option longopts[] = {
                {"format", required_argument, NULL, 'f'},
                {"type", required_argument, NULL, 't'},
                {"size", no_argument, NULL, 's'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        while ((c = next_option(argc, argv, "f:sh", longopts)) != -1) {
                switch (c) {
                case 'f':
                        a->format = optarg;
                        break;
                case 't':
                        if (strcmp(optarg, "container") == 0)
                                a->type = TYPE_CONTAINER;
                        else if (strcmp(optarg, "image") == 0)
                                a->type = TYPE_IMAGE;
                        else
                                return fail_usage("\"%s\" is not a valid value for --type", optarg);
                        break;
                case 's':
                        a->size = true;
                        break;
                case 'h':
                        print_help(usage, summary,
                                   "  -f, --format string   Format the output using the given Go template\n"
                                   "  -s, --size            Display total file sizes if the type is container\n"
                                   "      --type string     Return JSON for specified type\n");
                        return 1;
                default:
                        return 125;
                }
        }
        return want_args(argc, argv, 1, -1, usage) ? 0 : 125;
}

/* One name: a container first, then an image, as docker does. */
static json_t *inspect_one(const struct globals *g, struct vs_store *s, const char *name, const struct inspect_args *a,
                           struct vs_error *err)
{
        if (a->type != TYPE_IMAGE) {
                struct vs_container c = {0};
                int r = vs_container_find(s->db, name, &c, err);
                if (r == 0) {
                        container_refresh(g, s, &c);
                        json_t *o = container_inspect_object(g, s, &c, a->size);
                        vs_container_free(&c);
                        return o;
                }
                if (r != -ENOENT || a->type == TYPE_CONTAINER)
                        return NULL;
                vs_error_ignore(err);
        }
        json_t *o = image_inspect_object(s, name, err);
        if (!o && err->code == ENOENT && a->type == TYPE_ANY)
                vs_error_set(err, ENOENT, "No such object: %s", name);
        return o;
}

static int print_all(json_t *all, const char *format)
{
        int status = 0;
        if (format) {
                size_t i;
                json_t *o;
                json_array_foreach (all, i, o) {
                        struct vs_error err = VS_ERROR_INIT;
                        if (format_value(stdout, format, o, &err) < 0) {
                                status = fail(&err);
                                break;
                        }
                }
        } else {
                _cleanup_free_ char *text = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
                printf("%s\n", text ? text : "[]");
        }
        return status;
}

static int inspect_main(const struct globals *g, int argc, char **argv, struct inspect_args *a)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (engine_open(g, &s, &err) < 0)
                return fail(&err);
        json_t *all = json_array();
        int status = 0;
        for (int i = optind; i < argc; i++) {
                json_t *o = inspect_one(g, s, argv[i], a, &err);
                if (!o) {
                        status = fail(&err);
                        err = (struct vs_error) VS_ERROR_INIT;
                        continue;
                }
                json_array_append_new(all, o);
        }
        /* docker prints what it found, then fails for what it did not */
        if (json_array_size(all) > 0 || !a->format) {
                int r = print_all(all, a->format);
                if (r)
                        status = r;
        }
        json_decref(all);
        vs_store_close(s);
        return status;
}

int cmd_inspect(const struct globals *g, int argc, char **argv)
{
        struct inspect_args a = {0};
        int r = parse_args(argc, argv, &a, "inspect [OPTIONS] NAME|ID [NAME|ID...]",
                           "Return low-level information on Docker objects");
        if (r != 0)
                return r == 1 ? 0 : r;
        return inspect_main(g, argc, argv, &a);
}

int cmd_container_inspect(const struct globals *g, int argc, char **argv)
{
        struct inspect_args a = {.type = TYPE_CONTAINER};
        int r = parse_args(argc, argv, &a, "container inspect [OPTIONS] CONTAINER [CONTAINER...]",
                           "Display detailed information on one or more containers");
        if (r != 0)
                return r == 1 ? 0 : r;
        a.type = TYPE_CONTAINER;
        return inspect_main(g, argc, argv, &a);
}
