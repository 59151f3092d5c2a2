/* vessel: the OCI config.json of an engine container, made from the run
 * flags (struct vs_run_options), the image config and Docker's defaults:
 * its 14 default capabilities, default mounts (/dev/shm 64 MiB), device
 * cgroup rules, masked and read-only paths, and the default seccomp profile.
 *
 * The generator is pure except for reading what the host must answer: the
 * seccomp profile file, the device nodes named by --device and the
 * --device-*-bps/iops paths (for their major:minor), /dev for
 * --privileged, and the capability bounding set of the calling process
 * (--privileged and --cap-add ALL give what the caller holds, no more: a
 * capability outside it could not be granted).
 *
 * Labels (-l) are not written into config.json: docker keeps them in its
 * own store, and so does vessel (the caller). Bind sources that do not
 * exist are the caller's to create (docker's -v) or refuse (--mount). */
#ifndef VESSEL_ENGINE_SPEC_GEN_H
#define VESSEL_ENGINE_SPEC_GEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/run_options.h"
#include "image/manifest.h"
#include "util/error.h"

/* Where the container's process runs as: from vs_spec_resolve_user. */
struct vs_spec_user {
        uint32_t uid, gid;
        uint32_t *additional_gids; /* supplementary groups, then --group-add */
        size_t n_additional_gids;
        char *home; /* the passwd entry's home, or NULL */
};

/* The host directory of a volume mount: mount->source is the volume's name,
 * or NULL for an anonymous one (-v /data, or a VOLUME of the image that no
 * flag covers: then mount->destination is the image's path). The callback
 * creates the volume if it must (and copies the image's content up unless
 * mount->nocopy). It returns a path that stays valid until the generator
 * returns (owned by `data`), or NULL with err filled. */
typedef const char *(*vs_spec_volume_fn)(void *data, const struct vs_run_mount *mount, struct vs_error *err);

struct vs_spec_input {
        const char *id;                       /* required: the container's id; hostname default is its first 12 */
        const char *rootfs;                   /* required: root.path */
        const struct vs_run_options *options; /* required */
        const struct vs_image_config *image;  /* NULL: no image config (defaults only) */
        const char *const *command;           /* overrides options->command when not NULL */
        /* The resolved user. NULL: resolved here without a rootfs, so only
         * numeric users and groups work (a name fails). */
        const struct vs_spec_user *user;

        /* per-container files bound onto /etc/hosts, /etc/hostname, /etc/resolv.conf (NULL: not bound) */
        const char *hosts_path, *hostname_path, *resolv_conf_path;
        /* Docker's default seccomp profile (profiles/seccomp-default.json); NULL: no default filter */
        const char *seccomp_profile;
        /* parent of the container's cgroup: cgroupsPath is "<parent>/<id>"; NULL: "/vessel" (--cgroup-parent wins) */
        const char *cgroup_parent;
        bool cgroup_namespace; /* a private cgroup namespace (docker's default on cgroup v2 only) */
        bool swap_accounting;  /* the host limits swap: -m alone gives swap = 2 x memory, as docker */

        /* namespaces to join: container:NAME modes (/proc/PID/ns/pid, ...), and the network
         * namespace the network code made or chose (net_ns_path; NULL: a new empty one) */
        const char *pid_ns_path, *ipc_ns_path, *uts_ns_path, *net_ns_path;
        const char *shm_path;      /* a host directory bound on /dev/shm (ipc container:/shareable); NULL: tmpfs */
        const char *init_path;     /* host path of vessel-init, bound on /sbin/vessel-init for --init */
        const char *host_hostname; /* hostname for --network host; NULL: gethostname() */

        vs_spec_volume_fn volume_path; /* required when a volume is used */
        void *volume_data;
        /* more mounts, e.g. --volumes-from resolved by the caller, handled like -v */
        const struct vs_run_mount *extra_mounts;
        size_t n_extra_mounts;
};

/* Build config.json. *ret is a new JSON object (json_decref it); its member
 * order is fixed (ociVersion, process, root, hostname, mounts, linux) so the
 * text is stable. Dump it with vs_oci_json_dump(). */
int vs_spec_generate(const struct vs_spec_input *in, json_t **ret, struct vs_error *err);
/* The text of config.json (2-space indents, final newline; free() it). Use
 * this rather than json_dumps: an unlimited --ulimit is UINT64_MAX, which
 * jansson cannot hold as an integer and which this writes as the number. */
int vs_spec_dump(const json_t *spec, char **ret, struct vs_error *err);

/* process.args as docker makes them: --entrypoint replaces the image's
 * Entrypoint and drops its Cmd (--entrypoint "" leaves none); a COMMAND
 * after IMAGE replaces Cmd; args = entrypoint + cmd. NULL-terminated. */
int vs_spec_process_args(const struct vs_run_options *o, const struct vs_image_config *image,
                         const char *const *command, char ***ret, struct vs_error *err);

/* process.env as docker makes it: PATH (default), HOSTNAME, TERM=xterm with
 * -t, then the image's Env and -e/--env-file, each replacing an earlier
 * entry of the same key in place (a bare "K" removes K); HOME from `home`
 * (or "/") when still absent. NULL-terminated. */
int vs_spec_process_env(const struct vs_run_options *o, const struct vs_image_config *image, const char *hostname,
                        const char *home, char ***ret, struct vs_error *err);

/* The user the container runs as: -u, else the image's User, else NULL (root). */
const char *vs_spec_user_arg(const struct vs_run_options *o, const struct vs_image_config *image);

/* Resolve "name|uid[:group|gid]" (NULL or "" = root) and --group-add
 * against /etc/passwd and /etc/group inside the container's root (rootfd;
 * -1: no files, only numeric ids). As runc/docker: a numeric id missing
 * from the files is used as it is (gid 0 when no group is given); a user
 * found in passwd gets the groups that list it as a member unless a group
 * is given; a name that is not found is an error naming it. */
int vs_spec_resolve_user(int rootfd, const char *user, char *const *group_add, struct vs_spec_user *ret,
                         struct vs_error *err);
void vs_spec_user_free(struct vs_spec_user *u);

#endif
