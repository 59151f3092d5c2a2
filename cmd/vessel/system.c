/* vessel info, system df, system prune: docker's shapes over the store. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "container_admin.h"
#include "container_fs.h"
#include "engine/volumes.h"
#include "format.h"
#include "image/reference.h"
#include "util/files.h"
#include "vessel-config.h"

/* Bytes of the regular files below dirfd/name (hardlinks counted once per
 * directory walk is not worth it here: docker's SizeRw sums st_size too). */
static int64_t tree_size_at(int dirfd, const char *name)
{
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return 0;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return 0;
        }
        int64_t total = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                struct stat st;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
                    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        total += tree_size_at(fd, de->d_name);
                else if (S_ISREG(st.st_mode))
                        total += st.st_size;
        }
        closedir(d);
        return total;
}

static int64_t container_size(const struct globals *g, const char *id)
{
        struct ctr_paths p;
        ctr_paths(g, id, &p);
        return tree_size_at(AT_FDCWD, p.upper);
}

/* The store's containers, their states reconciled. */
static int list_containers(const struct globals *g, struct vs_store *s, struct vs_container **cs, size_t *n,
                           struct vs_error *err)
{
        int r = vs_container_list(s->db, cs, n, err);
        for (size_t i = 0; r == 0 && i < *n; i++) {
                container_refresh(g, s, &(*cs)[i]);
                container_mark_paused(g, &(*cs)[i]); /* live: the cgroup's freezer */
        }
        return r;
}

/* --- info --------------------------------------------------------------- */

/* go-units BytesSize: "3.822GiB". */
static void binary_size(int64_t bytes, char *buf, size_t size)
{
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = (double) bytes;
        size_t u = 0;
        while (v >= 1024 && u + 1 < VS_ARRAY_SIZE(units)) {
                v /= 1024;
                u++;
        }
        snprintf(buf, size, "%.4g%s", v, units[u]);
}

static const char *backing_fs(const char *path)
{
        struct statfs sfs;
        if (statfs(path, &sfs) < 0)
                return "unknown";
        switch (sfs.f_type) {
        case EXT4_SUPER_MAGIC:
                return "extfs";
        case XFS_SUPER_MAGIC:
                return "xfs";
        case BTRFS_SUPER_MAGIC:
                return "btrfs";
        case TMPFS_MAGIC:
                return "tmpfs";
        case OVERLAYFS_SUPER_MAGIC:
                return "overlayfs";
        default:
                return "unknown";
        }
}

static void os_name(char *buf, size_t size)
{
        snprintf(buf, size, "Linux");
        FILE *f = fopen("/etc/os-release", "re");
        char line[512];
        while (f && fgets(line, sizeof(line), f)) {
                if (strncmp(line, "PRETTY_NAME=", 12) != 0)
                        continue;
                char *v = line + 12;
                v[strcspn(v, "\n")] = '\0';
                size_t n = strlen(v);
                if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
                        snprintf(buf, size, "%.*s", (int) n - 2, v + 1);
                else
                        snprintf(buf, size, "%.*s", (int) (size - 1), v);
        }
        if (f)
                fclose(f);
}

static json_t *info_object(const struct globals *g, struct vs_store *s, struct vs_error *err)
{
        struct vs_container *cs = NULL;
        struct vs_image *imgs = NULL;
        size_t nc = 0, ni = 0;
        int r = list_containers(g, s, &cs, &nc, err);
        if (r == 0)
                r = vs_store_image_list(s, &imgs, &ni, err);
        int running = 0, paused = 0;
        for (size_t i = 0; i < nc; i++) {
                running += strcmp(cs[i].state, "running") == 0;
                paused += strcmp(cs[i].state, "paused") == 0;
        }
        struct utsname u;
        uname(&u);
        struct statfs cg;
        bool v2 = statfs("/sys/fs/cgroup", &cg) == 0 && cg.f_type == CGROUP2_SUPER_MAGIC;
        char os[256];
        os_name(os, sizeof(os));
        json_t *o =
                r < 0 ? NULL
                      : json_pack("{s:i, s:i, s:i, s:i, s:i, s:s, s:s, s:[[s,s],[s,s],[s,s]], s:s, s:s, s:s, s:s,"
                                  " s:s, s:s, s:s, s:i, s:I, s:s, s:s, s:s}",
                                  "Containers", (int) nc, "ContainersRunning", running, "ContainersPaused", paused,
                                  "ContainersStopped", (int) nc - running - paused, "Images", (int) ni, "ServerVersion",
                                  VESSEL_VERSION, "Driver", "overlay2", "DriverStatus", "Backing Filesystem",
                                  backing_fs(g->root), "Supports d_type", "true", "Native Overlay Diff", "true",
                                  "LoggingDriver", "json-file", "CgroupDriver", "cgroupfs", "CgroupVersion",
                                  v2 ? "2" : "1", "KernelVersion", u.release, "OperatingSystem", os, "OSType", "linux",
                                  "Architecture", u.machine, "NCPU", (int) sysconf(_SC_NPROCESSORS_ONLN), "MemTotal",
                                  (json_int_t) sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE), "DockerRootDir",
                                  g->root, "Name", u.nodename, "DefaultRuntime", "vessel-runtime");
        if (r == 0 && !o)
                vs_error_set(err, ENOMEM, "out of memory");
        vs_container_list_free(cs, nc);
        vs_image_list_free(imgs, ni);
        return o;
}

static void print_info(const json_t *o)
{
#define I(k) ((int) json_integer_value(json_object_get(o, k)))
#define S(k) json_string_value(json_object_get(o, k))
        char mem[32];
        binary_size(json_integer_value(json_object_get(o, "MemTotal")), mem, sizeof(mem));
        printf("Client:\n Version:    %s\n Context:    default\n Debug Mode: false\n\n", VESSEL_VERSION);
        printf("Server:\n Containers: %d\n  Running: %d\n  Paused: %d\n  Stopped: %d\n Images: %d\n", I("Containers"),
               I("ContainersRunning"), I("ContainersPaused"), I("ContainersStopped"), I("Images"));
        printf(" Server Version: %s\n Storage Driver: %s\n", S("ServerVersion"), S("Driver"));
        json_t *status = json_object_get(o, "DriverStatus");
        for (size_t i = 0; i < json_array_size(status); i++)
                printf("  %s: %s\n", json_string_value(json_array_get(json_array_get(status, i), 0)),
                       json_string_value(json_array_get(json_array_get(status, i), 1)));
        printf(" Logging Driver: %s\n Cgroup Driver: %s\n Cgroup Version: %s\n", S("LoggingDriver"), S("CgroupDriver"),
               S("CgroupVersion"));
        printf(" Plugins:\n  Volume: local\n  Network: bridge host none\n  Log: json-file\n");
        printf(" Runtimes: vessel-runtime runc\n Default Runtime: %s\n Init Binary: vessel-init\n",
               S("DefaultRuntime"));
        printf(" Security Options:\n  seccomp\n   Profile: builtin\n");
        printf(" Kernel Version: %s\n Operating System: %s\n OSType: %s\n Architecture: %s\n CPUs: %d\n"
               " Total Memory: %s\n Name: %s\n Docker Root Dir: %s\n Debug Mode: false\n",
               S("KernelVersion"), S("OperatingSystem"), S("OSType"), S("Architecture"), I("NCPU"), mem, S("Name"),
               S("DockerRootDir"));
#undef I
#undef S
}

int cmd_info(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"format", required_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *format = NULL;
        int c;
        while ((c = next_option(argc, argv, "f:h", longopts)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'h':
                        print_help("info [OPTIONS]", "Display system-wide information",
                                   "  -f, --format string   Format output using a custom template:\n"
                                   "                        'json':             Print in JSON format\n"
                                   "                        'TEMPLATE':         Print output using the given Go "
                                   "template.\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 0, 0, "info [OPTIONS]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_store_ struct vs_store *s = NULL;
        json_t *o = engine_open(g, &s, &err) == 0 ? info_object(g, s, &err) : NULL;
        if (!o)
                return fail(&err);
        int r = 0;
        if (format && strcmp(format, "json") == 0)
                r = format_value(stdout, "{{json .}}", o, &err);
        else if (format)
                r = format_value(stdout, format, o, &err);
        else
                print_info(o);
        json_decref(o);
        return r < 0 ? fail(&err) : 0;
}

/* --- system df ---------------------------------------------------------- */

struct usage {
        struct vs_container *cs;
        size_t nc;
        int64_t *csize;
        struct vs_image *imgs;
        size_t ni;
        struct vs_volume *vols;
        size_t nv;
        int64_t *vsize;
        int *vlinks;
};

static void usage_free(struct usage *u)
{
        vs_container_list_free(u->cs, u->nc);
        vs_image_list_free(u->imgs, u->ni);
        vs_volume_list_free(u->vols, u->nv);
        free(u->csize);
        free(u->vsize);
        free(u->vlinks);
}

static int usage_read(const struct globals *g, struct vs_store *s, struct usage *u, struct vs_error *err)
{
        int r = list_containers(g, s, &u->cs, &u->nc, err);
        if (r == 0)
                r = vs_store_image_list(s, &u->imgs, &u->ni, err);
        if (r == 0)
                r = vs_volume_list(s->db, &u->vols, &u->nv, err);
        u->csize = calloc(u->nc + 1, sizeof(int64_t));
        u->vsize = calloc(u->nv + 1, sizeof(int64_t));
        u->vlinks = calloc(u->nv + 1, sizeof(int));
        if (r == 0 && (!u->csize || !u->vsize || !u->vlinks))
                r = vs_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; r == 0 && i < u->nc; i++)
                u->csize[i] = container_size(g, u->cs[i].id);
        for (size_t i = 0; r == 0 && i < u->nv; i++) {
                char **users = NULL;
                u->vsize[i] = vs_volume_size(s->root, u->vols[i].name);
                r = vs_volume_users(s->db, u->vols[i].name, &users, err);
                for (char **p = users; p && *p; p++)
                        u->vlinks[i]++;
                vs_strv_free(users);
        }
        return r;
}

/* How many images use the layer with this chain ID. */
static int layer_users(const struct usage *u, const char *chain_id)
{
        int n = 0;
        for (size_t i = 0; i < u->ni; i++)
                for (size_t j = 0; j < u->imgs[i].n_layers; j++)
                        if (strcmp(u->imgs[i].layers[j].chain_id, chain_id) == 0) {
                                n++;
                                break;
                        }
        return n;
}

/* Bytes of the distinct layers of the images (all, or those in use). */
static int64_t layers_size(const struct usage *u, bool active_only)
{
        int64_t total = 0;
        for (size_t i = 0; i < u->ni; i++) {
                if (active_only && u->imgs[i].holds <= 0)
                        continue;
                for (size_t j = 0; j < u->imgs[i].n_layers; j++) {
                        bool seen = false; /* in an earlier image counted already */
                        for (size_t k = 0; k < i && !seen; k++) {
                                if (active_only && u->imgs[k].holds <= 0)
                                        continue;
                                for (size_t m = 0; m < u->imgs[k].n_layers && !seen; m++)
                                        seen = strcmp(u->imgs[k].layers[m].chain_id, u->imgs[i].layers[j].chain_id) ==
                                               0;
                        }
                        if (!seen)
                                total += u->imgs[i].layers[j].unpacked_size;
                }
        }
        return total;
}

static json_t *df_row(const char *type, size_t total, size_t active, int64_t size, int64_t reclaimable)
{
        char s[32], rec[32], pct[48];
        human_size(size, s, sizeof(s));
        human_size(reclaimable, rec, sizeof(rec));
        if (size > 0)
                snprintf(pct, sizeof(pct), "%s (%d%%)", rec, (int) (reclaimable * 100 / size));
        else
                snprintf(pct, sizeof(pct), "%s", rec);
        return json_pack("{s:s, s:I, s:I, s:s, s:s}", "Type", type, "TotalCount", (json_int_t) total, "Active",
                         (json_int_t) active, "Size", s, "Reclaimable", pct);
}

static json_t *df_summary(const struct usage *u)
{
        size_t active_imgs = 0, running = 0, used_vols = 0;
        int64_t csize = 0, crec = 0, vsize = 0, vrec = 0;
        for (size_t i = 0; i < u->ni; i++)
                active_imgs += u->imgs[i].holds > 0;
        for (size_t i = 0; i < u->nc; i++) {
                bool up = strcmp(u->cs[i].state, "running") == 0;
                running += up;
                csize += u->csize[i];
                crec += up ? 0 : u->csize[i];
        }
        for (size_t i = 0; i < u->nv; i++) {
                used_vols += u->vlinks[i] > 0;
                vsize += u->vsize[i];
                vrec += u->vlinks[i] > 0 ? 0 : u->vsize[i];
        }
        int64_t isize = layers_size(u, false);
        json_t *rows = json_array();
        json_array_append_new(rows, df_row("Images", u->ni, active_imgs, isize, isize - layers_size(u, true)));
        json_array_append_new(rows, df_row("Containers", u->nc, running, csize, crec));
        json_array_append_new(rows, df_row("Local Volumes", u->nv, used_vols, vsize, vrec));
        json_array_append_new(rows, df_row("Build Cache", 0, 0, 0, 0));
        return rows;
}

static json_t *df_images(const struct usage *u)
{
        json_t *rows = json_array();
        for (size_t i = 0; i < u->ni; i++) {
                const struct vs_image *img = &u->imgs[i];
                int64_t shared = 0, total = 0;
                for (size_t j = 0; j < img->n_layers; j++) {
                        total += img->layers[j].unpacked_size;
                        shared += layer_users(u, img->layers[j].chain_id) > 1 ? img->layers[j].unpacked_size : 0;
                }
                _cleanup_free_ char *familiar =
                        img->names && img->names[0] ? vs_image_ref_familiar_text(img->names[0]) : NULL;
                char repo[256] = "<none>", tag[128] = "<none>", id[16], since[64], sz[32], sh[32], un[32];
                const char *colon = familiar ? strrchr(familiar, ':') : NULL;
                if (familiar && colon && !strchr(colon, '/')) {
                        snprintf(repo, sizeof(repo), "%.*s", (int) (colon - familiar), familiar);
                        snprintf(tag, sizeof(tag), "%s", colon + 1);
                } else if (familiar) {
                        snprintf(repo, sizeof(repo), "%s", familiar);
                }
                snprintf(id, sizeof(id), "%.12s", img->id + 7);
                human_duration(time(NULL) - img->created, since, sizeof(since));
                strcat(since, " ago");
                human_size(total, sz, sizeof(sz));
                human_size(shared, sh, sizeof(sh));
                human_size(total - shared, un, sizeof(un));
                json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "Repository", repo, "Tag",
                                                      tag, "ID", id, "CreatedSince", since, "Size", sz, "SharedSize",
                                                      sh, "UniqueSize", un, "Containers", img->holds));
        }
        return rows;
}

/* The command as docker's tables quote it: "sh -c 'echo…" (20 characters). */
static void command_text(const struct vs_container *c, char *buf, size_t size)
{
        json_t *args = json_loads(c->command ? c->command : "[]", 0, NULL);
        char joined[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < json_array_size(args) && len + 1 < sizeof(joined); i++)
                len += (size_t) snprintf(joined + len, sizeof(joined) - len, "%s%s", i ? " " : "",
                                         json_string_value(json_array_get(args, i)) ?: "");
        json_decref(args);
        if (strlen(joined) > 20)
                snprintf(buf, size, "\"%.19s…\"", joined);
        else
                snprintf(buf, size, "\"%s\"", joined);
}

static json_t *df_containers(const struct usage *u)
{
        json_t *rows = json_array();
        for (size_t i = 0; i < u->nc; i++) {
                const struct vs_container *c = &u->cs[i];
                char id[16], sz[32], since[64], status[32];
                snprintf(id, sizeof(id), "%.12s", c->id);
                human_size(u->csize[i], sz, sizeof(sz));
                human_duration((now_ns() - c->created) / 1000000000, since, sizeof(since));
                strcat(since, " ago");
                snprintf(status, sizeof(status), "%s", c->state);
                char cmd[64];
                command_text(c, cmd, sizeof(cmd));
                json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s}", "ID", id, "Image",
                                                      c->image_name, "Command", cmd, "LocalVolumes", 0, "Size", sz,
                                                      "RunningFor", since, "Status", status, "Names", c->name));
        }
        return rows;
}

static json_t *df_volumes(const struct usage *u)
{
        json_t *rows = json_array();
        for (size_t i = 0; i < u->nv; i++) {
                char sz[32];
                human_size(u->vsize[i], sz, sizeof(sz));
                json_array_append_new(
                        rows, json_pack("{s:s,s:i,s:s}", "Name", u->vols[i].name, "Links", u->vlinks[i], "Size", sz));
        }
        return rows;
}

static int df_verbose(const struct usage *u, struct vs_error *err)
{
        static const struct header_name ch[] = {
                {"ID", "CONTAINER ID"}, {"LocalVolumes", "LOCAL VOLUMES"}, {"RunningFor", "CREATED"}, {NULL, NULL}};
        static const struct header_name h[] = {{"ID", "IMAGE ID"},
                                               {"CreatedSince", "CREATED"},
                                               {"SharedSize", "SHARED SIZE"},
                                               {"UniqueSize", "UNIQUE SIZE"},
                                               {"LocalVolumes", "LOCAL VOLUMES"},
                                               {"RunningFor", "CREATED"},
                                               {"Name", "VOLUME NAME"},
                                               {NULL, NULL}};
        json_t *imgs = df_images(u), *cs = df_containers(u), *vols = df_volumes(u);
        printf("Images space usage:\n\n");
        int r = format_rows(stdout, NULL,
                            "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}\\t"
                            "{{.SharedSize}}\\t{{.UniqueSize}}\\t{{.Containers}}",
                            imgs, h, err);
        if (r == 0) {
                printf("\nContainers space usage:\n\n");
                r = format_rows(stdout, NULL,
                                "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.LocalVolumes}}\\t{{.Size}}\\t"
                                "{{.RunningFor}}\\t{{.Status}}\\t{{.Names}}",
                                cs, ch, err);
        }
        if (r == 0) {
                printf("\nLocal Volumes space usage:\n\n");
                r = format_rows(stdout, NULL, "table {{.Name}}\\t{{.Links}}\\t{{.Size}}", vols, h, err);
        }
        if (r == 0)
                printf("\nBuild cache usage: 0B\n\n");
        json_decref(imgs);
        json_decref(cs);
        json_decref(vols);
        return r;
}

static int cmd_df(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"format", required_argument, NULL, 'f'},
                {"verbose", no_argument, NULL, 'v'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *format = NULL;
        bool verbose = false;
        int c;
        while ((c = next_option(argc, argv, "f:vh", longopts)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'v':
                        verbose = true;
                        break;
                case 'h':
                        print_help("system df [OPTIONS]", "Show vessel disk usage",
                                   "      --format string   Format output using a custom template\n"
                                   "  -v, --verbose         Show detailed information on space usage\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 0, 0, "system df [OPTIONS]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_store_ struct vs_store *s = NULL;
        struct usage u = {0};
        int r = engine_open(g, &s, &err);
        if (r == 0)
                r = usage_read(g, s, &u, &err);
        if (r == 0 && verbose) {
                r = df_verbose(&u, &err);
        } else if (r == 0) {
                static const struct header_name h[] = {{"TotalCount", "TOTAL"}, {NULL, NULL}};
                json_t *rows = df_summary(&u);
                r = format_rows(stdout, format,
                                "table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}", rows,
                                h, &err);
                json_decref(rows);
        }
        usage_free(&u);
        return r < 0 ? fail(&err) : 0;
}

/* --- system prune ------------------------------------------------------- */

struct prune_args {
        bool all, force, volumes;
};

static int prune_containers(const struct globals *g, struct vs_store *s, int64_t *reclaimed, struct vs_error *err)
{
        struct vs_container *cs = NULL;
        size_t n = 0;
        int r = list_containers(g, s, &cs, &n, err);
        bool header = false;
        for (size_t i = 0; r == 0 && i < n; i++) {
                if (strcmp(cs[i].state, "running") == 0 || strcmp(cs[i].state, "paused") == 0)
                        continue;
                int64_t size = container_size(g, cs[i].id);
                r = container_remove(g, s, &cs[i], err);
                if (r < 0)
                        break;
                printf("%s%s\n", header ? "" : "Deleted Containers:\n", cs[i].id);
                header = true;
                *reclaimed += size;
        }
        if (header)
                printf("\n");
        vs_container_list_free(cs, n);
        return r;
}

static int prune_volumes(struct vs_store *s, int64_t *reclaimed, struct vs_error *err)
{
        struct vs_volume *vs = NULL;
        size_t n = 0;
        int r = vs_volume_list(s->db, &vs, &n, err);
        bool header = false;
        for (size_t i = 0; r == 0 && i < n; i++) {
                /* docker 23+: only anonymous volumes, unless volume prune -a */
                if (!vs[i].anonymous)
                        continue;
                int64_t size = vs_volume_size(s->root, vs[i].name);
                struct vs_error busy = VS_ERROR_INIT;
                if (vs_volume_remove(s->db, s->root, vs[i].name, &busy) < 0) { /* in use */
                        vs_error_ignore(&busy);
                        continue;
                }
                printf("%s%s\n", header ? "" : "Deleted Volumes:\n", vs[i].name);
                header = true;
                *reclaimed += size;
        }
        if (header)
                printf("\n");
        vs_volume_list_free(vs, n);
        return r;
}

static int prune_images(struct vs_store *s, bool all, struct vs_error *err)
{
        struct vs_image *imgs = NULL;
        size_t n = 0;
        int r = vs_store_image_list(s, &imgs, &n, err);
        bool header = false;
        for (size_t i = 0; r == 0 && i < n; i++) {
                bool dangling = !imgs[i].names || !imgs[i].names[0];
                if ((!all && !dangling) || imgs[i].holds > 0)
                        continue;
                r = vs_store_image_remove(s, imgs[i].id, false, err);
                if (r < 0)
                        break;
                if (!header)
                        printf("Deleted Images:\n");
                header = true;
                for (char **nm = imgs[i].names; nm && *nm; nm++) {
                        _cleanup_free_ char *familiar = vs_image_ref_familiar_text(*nm);
                        printf("untagged: %s\n", familiar ? familiar : *nm);
                }
                printf("deleted: %s\n", imgs[i].id);
        }
        if (header)
                printf("\n");
        vs_image_list_free(imgs, n);
        return r;
}

static bool prune_confirm(const struct prune_args *a)
{
        printf("WARNING! This will remove:\n  - all stopped containers\n"
               "  - all networks not used by at least one container\n");
        if (a->volumes)
                printf("  - all anonymous volumes not used by at least one container\n");
        printf(a->all ? "  - all images without at least one container associated to them\n"
                      : "  - all dangling images\n");
        printf("  - unused build cache\n\nAre you sure you want to continue? [y/N] ");
        fflush(stdout);
        char line[64];
        return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

static int cmd_prune(const struct globals *g, int argc, char **argv)
{
        enum {
                OPT_VOLUMES = 1000
        };
        static const struct option longopts[] = {
                {"all", no_argument, NULL, 'a'},
                {"force", no_argument, NULL, 'f'},
                {"volumes", no_argument, NULL, OPT_VOLUMES},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        struct prune_args a = {0};
        int c;
        while ((c = next_option(argc, argv, "afh", longopts)) != -1) {
                switch (c) {
                case 'a':
                        a.all = true;
                        break;
                case 'f':
                        a.force = true;
                        break;
                case OPT_VOLUMES:
                        a.volumes = true;
                        break;
                case 'h':
                        print_help("system prune [OPTIONS]", "Remove unused data",
                                   "  -a, --all       Remove all unused images not just dangling ones\n"
                                   "  -f, --force     Do not prompt for confirmation\n"
                                   "      --volumes   Prune anonymous volumes\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 0, 0, "system prune [OPTIONS]"))
                return 125;
        if (!a.force && !prune_confirm(&a))
                return 0;
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_store_ struct vs_store *s = NULL;
        int64_t reclaimed = 0, gc = 0;
        int r = engine_open(g, &s, &err);
        if (r == 0)
                r = prune_containers(g, s, &reclaimed, &err);
        if (r == 0 && a.volumes)
                r = prune_volumes(s, &reclaimed, &err);
        if (r == 0)
                r = prune_images(s, a.all, &err);
        if (r == 0)
                r = vs_store_gc(s, &gc, &err);
        if (r < 0)
                return fail(&err);
        procfs_release(g); /* and vessel-procfs, when no container uses it any more */
        char size[32];
        human_size(reclaimed + gc, size, sizeof(size));
        printf("Total reclaimed space: %s\n", size);
        return 0;
}

int cmd_system(const struct globals *g, int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*run)(const struct globals *g, int argc, char **argv);
                const char *summary;
        } subs[] = {
                {"df", cmd_df, "Show vessel disk usage"},
                {"info", cmd_info, "Display system-wide information"},
                {"prune", cmd_prune, "Remove unused data"},
        };
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                printf("\nUsage:  vessel system COMMAND\n\nManage vessel\n\nCommands:\n");
                for (size_t i = 0; i < VS_ARRAY_SIZE(subs); i++)
                        printf("  %-9s %s\n", subs[i].name, subs[i].summary);
                return 0;
        }
        for (size_t i = 0; i < VS_ARRAY_SIZE(subs); i++)
                if (strcmp(argv[1], subs[i].name) == 0) {
                        optind = 0;
                        return subs[i].run(g, argc - 1, argv + 1);
                }
        return fail_usage("'system %s' is not a vessel command (see 'vessel system --help')", argv[1]);
}
