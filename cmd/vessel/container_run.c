/* vessel create, start, run: a container from an image, with its monitor. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "attach_session.h"
#include "engine.h"
#include "engine/run_options.h"
#include "engine/spec_gen.h"
#include "image/pull.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/files.h"
#include "vessel-config.h"

/* docker's names: an adjective and a scientist; here a smaller list. */
static void random_name(const char *id, char *buf, size_t size)
{
        static const char *const left[] = {"brave", "calm", "eager", "fervent", "gentle", "happy",
                                           "jolly", "keen", "lucid", "quirky",  "sharp",  "zen"};
        static const char *const right[] = {"curie",    "darwin",  "euler",  "gauss",   "hopper", "knuth",
                                            "lovelace", "noether", "pascal", "ritchie", "turing", "wozniak"};
        unsigned a = (unsigned) strtoul((char[3]){id[0], id[1], 0}, NULL, 16);
        unsigned b = (unsigned) strtoul((char[3]){id[2], id[3], 0}, NULL, 16);
        snprintf(buf, size, "%s_%s_%.4s", left[a % VS_ARRAY_SIZE(left)], right[b % VS_ARRAY_SIZE(right)], id + 4);
}

static int new_id(char out[65], struct vs_error *err)
{
        unsigned char raw[32];
        if (getrandom(raw, sizeof(raw), 0) != (ssize_t) sizeof(raw))
                return vs_error_syscall(err, "cannot make a container ID");
        for (size_t i = 0; i < sizeof(raw); i++)
                sprintf(out + 2 * i, "%02x", raw[i]);
        return 0;
}

/* The image, pulled first when --pull asks or it is missing. */
static int find_image(struct vs_store *s, const struct vs_run_options *o, struct vs_image *img, struct vs_error *err)
{
        int r = o->pull == VS_PULL_ALWAYS ? -ENOENT : vs_store_image_lookup(s, o->image, img, err);
        if (r != -ENOENT || o->pull == VS_PULL_NEVER)
                return r;
        vs_error_ignore(err);
        struct vs_platform platform = {0};
        struct vs_pull_options po = {.registry = {.tls_verify = -1}};
        if (o->platform) {
                r = vs_platform_parse(o->platform, &platform, err);
                if (r < 0)
                        return r;
                po.platform = &platform;
        }
        fprintf(stderr, "Unable to find image '%s' locally\n", o->image);
        struct vs_pull_result res = {0};
        r = vs_image_pull(s, o->image, &po, &res, err);
        vs_platform_free(&platform);
        if (r == 0)
                r = vs_store_image_lookup(s, res.image_id, img, err);
        vs_pull_result_free(&res);
        return r;
}

/* /etc/hostname and /etc/hosts; resolv.conf comes with the network
 * (container_net_etc), which also adds --add-host lines to hosts. */
static int write_etc_files(const struct ctr_paths *p, const char *hostname, struct vs_error *err)
{
        char text[512];
        int fd = open(p->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s", p->rundir);
        snprintf(text, sizeof(text), "%s\n", hostname);
        int r = vs_write_file_replace(fd, "hostname", text, strlen(text), 0644, err);
        snprintf(text, sizeof(text), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n",
                 hostname);
        if (r == 0)
                r = vs_write_file_replace(fd, "hosts", text, strlen(text), 0644, err);
        close(fd);
        return r;
}

static const char *seccomp_profile_path(void)
{
        static char buf[600];
        const char *v = getenv("VESSEL_SECCOMP_PROFILE");
        if (v && v[0])
                return v;
        snprintf(buf, sizeof(buf), "%s/profiles/seccomp-default.json", VESSEL_SOURCE_DIR);
        if (access(buf, R_OK) == 0)
                return buf;
        return VESSEL_DATA_DIR "/seccomp-default.json";
}

/* config.json for the container, from the image config and the flags. */
static int write_config(struct vs_store *s, const struct vs_image *img, const struct vs_run_options *o, const char *id,
                        const struct ctr_paths *p, char **command_json, struct vs_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        struct vs_image_config cfg = {0};
        struct vs_spec_user user = {0};
        json_t *spec = NULL;
        _cleanup_free_ char *text = NULL;
        int r = vs_store_blob_read(s, img->id, 8u << 20, &data, &len, err);
        if (r == 0)
                r = vs_image_config_parse(data, len, img->id, &cfg, err);
        _cleanup_close_ int rootfd = r == 0 ? open(p->merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (r == 0 && rootfd < 0)
                r = vs_error_syscall(err, "cannot open %s", p->merged);
        if (r == 0)
                r = vs_spec_resolve_user(rootfd, vs_spec_user_arg(o, &cfg), o->group_add, &user, err);
        char hosts[700], hostname[700], resolv[700];
        snprintf(hosts, sizeof(hosts), "%s/hosts", p->rundir);
        snprintf(hostname, sizeof(hostname), "%s/hostname", p->rundir);
        snprintf(resolv, sizeof(resolv), "%s/resolv.conf", p->rundir);
        struct container_volumes vols = {.rootfd = -1}; /* -v, --mount, --volumes-from, the image's VOLUMEs */
        if (r == 0)
                r = container_volumes_prepare(s, id, o, p->merged, &vols, err);
        char netns[700];
        if (r == 0) /* its network and published ports (container_net.c) */
                r = container_net_create(s, o, &cfg, id, p, err);
        struct vs_spec_input in = {
                .id = id,
                .rootfs = p->merged,
                .options = o,
                .image = &cfg,
                .user = &user,
                .hosts_path = hosts,
                .hostname_path = hostname,
                .resolv_conf_path = resolv,
                .seccomp_profile = seccomp_profile_path(),
                .init_path = helper_path("VESSEL_INIT", "../vessel-init/vessel-init", VESSEL_INIT_PATH),
                .volume_path = container_volume_path,
                .volume_data = &vols,
                .extra_mounts = vols.extra,
                .n_extra_mounts = vols.n_extra,
                .net_ns_path = container_net_ns_path(s, o, p, netns, sizeof(netns)),
        };
        if (r == 0)
                r = vs_spec_generate(&in, &spec, err);
        if (r == 0 && o->procfs)
                r = procfs_add_mounts(p, spec, err);
        if (r == 0)
                r = vs_spec_dump(spec, &text, err);
        if (r == 0) {
                int dirfd = open(p->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = dirfd < 0 ? vs_error_syscall(err, "cannot open %s", p->rundir)
                              : vs_write_file_replace(dirfd, "config.json", text, strlen(text), 0600, err);
                if (dirfd >= 0)
                        close(dirfd);
        }
        if (r == 0) {
                json_t *args = json_object_get(json_object_get(spec, "process"), "args");
                *command_json = json_dumps(args ? args : json_array(), JSON_COMPACT);
                if (!*command_json)
                        r = vs_error_set(err, ENOMEM, "out of memory");
        }
        json_decref(spec);
        vs_spec_user_free(&user);
        vs_image_config_free(&cfg);
        container_volumes_done(&vols);
        return r;
}

static int make_dirs(const struct ctr_paths *p, struct vs_error *err)
{
        char sockets[600];
        snprintf(sockets, sizeof(sockets), "%.*s", (int) (strrchr(p->attach, '/') - p->attach), p->attach);
        const char *dirs[] = {p->dir, p->upper, p->work, p->merged, p->rundir, sockets};
        for (size_t i = 0; i < VS_ARRAY_SIZE(dirs); i++) {
                char parent[700];
                snprintf(parent, sizeof(parent), "%s", dirs[i]);
                char *slash = strrchr(parent, '/');
                if (slash) {
                        *slash = '\0';
                        char grand[700];
                        snprintf(grand, sizeof(grand), "%s", parent);
                        char *s2 = strrchr(grand, '/');
                        if (s2) {
                                *s2 = '\0';
                                mkdir(grand, 0700);
                        }
                        mkdir(parent, 0700);
                }
                if (mkdir(dirs[i], 0700) < 0 && errno != EEXIST)
                        return vs_error_syscall(err, "cannot make %s", dirs[i]);
        }
        return 0;
}

/* Everything of a container but its process: record, rootfs, config. On
 * failure nothing is left. */
static int create_container(const struct globals *g, struct vs_store *s, const struct vs_run_options *o,
                            struct vs_container *ret, struct vs_error *err)
{
        struct vs_image img = {0};
        int r = find_image(s, o, &img, err);
        if (r < 0)
                return r;
        char id[65], name[64];
        r = new_id(id, err);
        random_name(id, name, sizeof(name));
        struct vs_container c = {.id = id,
                                 .name = (char *) (o->name ? o->name : name),
                                 .image_id = img.id,
                                 .image_name = o->image,
                                 .command = (char *) "[]",
                                 .state = (char *) "created",
                                 .created = now_ns(),
                                 /* a foreground --rm is removed by this process once it has the exit
                                  * code (see hold_exit_lock); a detached one, or one whose engine
                                  * died, by its monitor's exit command */
                                 .auto_remove = o->remove,
                                 .tty = o->tty,
                                 .interactive = o->interactive};
        struct ctr_paths p;
        ctr_paths(g, id, &p);
        if (r == 0)
                r = vs_container_add(s->db, &c, err); /* the name is taken first: a conflict makes nothing */
        if (r < 0) {
                vs_image_free(&img);
                return r;
        }
        _cleanup_free_ char *command = NULL;
        bool held = vs_store_image_hold(s, img.id, +1, err) == 0;
        r = held ? make_dirs(&p, err) : -EIO;
        if (r == 0)
                r = rootfs_mount(s, &c, &p, err);
        char shortid[13];
        snprintf(shortid, sizeof(shortid), "%.12s", id);
        if (r == 0)
                r = write_etc_files(&p, o->hostname ? o->hostname : shortid, err);
        if (r == 0)
                r = write_config(s, &img, o, id, &p, &command, err);
        if (r == 0)
                r = vs_container_set_command(s->db, id, command, err);
        if (r == 0) /* docker's Config and HostConfig, for inspect, restarts, the runtime */
                r = container_record_config(s, o, img.id, id, o->hostname ? o->hostname : shortid, err);
        if (r < 0) {
                struct vs_error ignored = VS_ERROR_INIT;
                if (!held) {
                        vs_container_remove(s->db, id, &ignored);
                } else if (container_remove_volumes(g, s, &c, &ignored) < 0)
                        vs_error_ignore(&ignored);
                vs_image_free(&img);
                return r;
        }
        r = vs_container_find(s->db, id, ret, err);
        vs_image_free(&img);
        return r;
}

/* --- attaching to the monitor (run without -d, start -a) --- */

/* Start, then (foreground) stream the output until the container exits and
 * return its exit code as the status; 0 when the detach keys (docker's
 * default, or detach_keys) leave it running. The session is attach's
 * (attach_session.h). */
static int start_and_attach(const struct globals *g, struct vs_store *s, struct vs_container *c, bool attach,
                            bool with_stdin, const char *detach_keys, struct vs_error *err)
{
        struct attach_session a = {.sock = -1, .tty = c->tty, .with_stdin = with_stdin};
        if (attach && detach_keys_parse(detach_keys ? detach_keys : DETACH_KEYS_DEFAULT, &a.keys, err) < 0)
                return -err->code;
        int r = container_start(g, s, c, attach ? &a.sock : NULL, err);
        if (r < 0 || !attach)
                return r;
        bool detached = attach_session_run(&a);
        close(a.sock);
        if (detached)
                return 0;
        int code = 0;
        r = container_wait_attached(g, s, c, &code, err);
        if (r < 0)
                return r;
        return code < 0 ? 255 : code;
}

static int parse_run(int argc, char **argv, struct vs_run_options *o)
{
        struct vs_error err = VS_ERROR_INIT;
        if (vs_run_options_parse(argc, argv, o, &err) < 0)
                return fail_usage("%s", err.msg);
        struct detach_keys keys; /* checked now: a bad sequence makes no container */
        if (o->detach_keys && detach_keys_parse(o->detach_keys, &keys, &err) < 0) {
                vs_run_options_free(o);
                return fail_usage("%s", err.msg);
        }
        if (o->help) {
                print_help(strcmp(argv[0], "run") == 0 ? "run [OPTIONS] IMAGE [COMMAND] [ARG...]"
                                                       : "create [OPTIONS] IMAGE [COMMAND] [ARG...]",
                           strcmp(argv[0], "run") == 0 ? "Create and run a new container from an image"
                                                       : "Create a new container",
                           vs_run_options_help());
                return 1;
        }
        return 0;
}

int cmd_create(const struct globals *g, int argc, char **argv)
{
        struct vs_run_options o = {0};
        int r = parse_run(argc, argv, &o);
        if (r != 0)
                return r == 1 ? 0 : r;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        struct vs_container c = {0};
        r = engine_open(g, &s, &err);
        if (r == 0)
                r = create_container(g, s, &o, &c, &err);
        if (r == 0)
                printf("%s\n", c.id);
        vs_container_free(&c);
        if (s)
                vs_store_close(s);
        vs_run_options_free(&o);
        return r < 0 ? fail(&err) : 0;
}

int cmd_run(const struct globals *g, int argc, char **argv)
{
        struct vs_run_options o = {0};
        int r = parse_run(argc, argv, &o);
        if (r != 0)
                return r == 1 ? 0 : r;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        struct vs_container c = {0};
        r = engine_open(g, &s, &err);
        if (r == 0)
                r = create_container(g, s, &o, &c, &err);
        int status = 0;
        if (r == 0) {
                status = start_and_attach(g, s, &c, !o.detach, o.interactive, o.detach_keys, &err);
                if (status < 0) {
                        struct vs_error ignored = VS_ERROR_INIT;
                        struct vs_container again = {0};
                        if (vs_container_find(s->db, c.id, &again, &ignored) == 0 &&
                            container_remove(g, s, &again, &ignored) < 0)
                                vs_error_ignore(&ignored);
                        vs_container_free(&again);
                        r = status;
                } else if (o.detach) {
                        printf("%s\n", c.id);
                } else if (o.remove) {
                        struct vs_container done = {0};
                        if (vs_container_find(s->db, c.id, &done, &err) == 0)
                                attach_remove_after(g, s, &done, &err); /* --rm: with its anonymous volumes */
                        vs_container_free(&done);
                        if (err.code) {
                                fail(&err);
                                err = (struct vs_error) VS_ERROR_INIT;
                        }
                }
        }
        vs_container_free(&c);
        if (s)
                vs_store_close(s);
        vs_run_options_free(&o);
        if (r < 0) {
                fail(&err);
                return 125;
        }
        return status;
}

int cmd_start(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"attach", no_argument, NULL, 'a'},
                {"interactive", no_argument, NULL, 'i'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        bool attach = false, interactive = false;
        int c;
        while ((c = next_option(argc, argv, "aih", longopts)) != -1) {
                switch (c) {
                case 'a':
                        attach = true;
                        break;
                case 'i':
                        interactive = true;
                        break;
                case 'h':
                        print_help("start [OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers",
                                   "  -a, --attach        Attach STDOUT/STDERR and forward signals\n"
                                   "  -i, --interactive   Attach container's STDIN\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 1, -1, "start [OPTIONS] CONTAINER [CONTAINER...]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (engine_open(g, &s, &err) < 0)
                return fail(&err);
        int status = 0;
        for (int i = optind; i < argc; i++) {
                struct vs_container ctr = {0};
                int r = vs_container_find(s->db, argv[i], &ctr, &err);
                if (r == 0) {
                        container_refresh(g, s, &ctr);
                        if (strcmp(ctr.state, "running") == 0) {
                                vs_container_free(&ctr);
                                printf("%s\n", argv[i]);
                                continue;
                        }
                        r = start_and_attach(g, s, &ctr, attach, interactive, NULL, &err);
                }
                if (r < 0)
                        status = fail(&err);
                else if (attach)
                        status = r;
                else
                        printf("%s\n", argv[i]);
                vs_container_free(&ctr);
                err = (struct vs_error) VS_ERROR_INIT;
        }
        vs_store_close(s);
        return status;
}
