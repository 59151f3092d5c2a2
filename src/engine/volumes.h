/* vessel: the engine's volumes, as docker's "local" driver keeps them. A
 * volume is a record in the store's SQLite database (vessel.db: tables
 * `volumes` and `container_volumes`) and a directory,
 * <root>/volumes/<name>/_data, that containers bind-mount.
 *
 * Driver options (docker volume create -o) are the local driver's: type,
 * device and o, as mount(8) takes them ("-o type=tmpfs -o device=tmpfs -o
 * o=size=64m", "-o type=none -o device=/srv -o o=bind"). Such a volume is
 * mounted on its _data when a container starts using it
 * (vs_volume_mount) and unmounted when the last container using it is
 * removed, or when the volume is (vs_volume_unmount_unused).
 *
 * container_volumes records which container uses which volume (and which
 * bind mount, for --volumes-from) at which path; its rows go with the
 * container's record (ON DELETE CASCADE), and a volume that has rows
 * cannot be removed: the database refuses it too (a foreign key). */
#ifndef VESSEL_ENGINE_VOLUMES_H
#define VESSEL_ENGINE_VOLUMES_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* docker (23+) labels its anonymous volumes with this key (value ""). */
#define VS_VOLUME_ANONYMOUS_LABEL "com.docker.volume.anonymous"

struct vs_volume {
        char *name;
        char *driver;    /* "local" */
        char **options;  /* driver options "K=V", NULL-terminated; NULL: none */
        char **labels;   /* "K=V", NULL-terminated; NULL: none */
        int64_t created; /* unix nanoseconds */
        bool anonymous;  /* made for a container (-v /data, an image's VOLUME) */
};
void vs_volume_free(struct vs_volume *v);
void vs_volume_list_free(struct vs_volume *vs, size_t n);

/* Create the tables if needed (after vs_containers_init: rows refer to containers). */
int vs_volumes_init(sqlite3 *db, struct vs_error *err);

/* Docker's local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
bool vs_volume_name_valid(const char *name);
/* A new anonymous volume's name: 64 hex digits. */
int vs_volume_random_name(char ret[65], struct vs_error *err);
/* Check a volume before it is made: its name, driver ("local" only: another
 * is "plugin not found"), options (type, device, o; type and device need
 * each other, o needs both) and labels ("K=V"). EINVAL, one line. */
int vs_volume_check(const struct vs_volume *v, struct vs_error *err);

/* "<root>/volumes/<name>/_data", malloc'd (NULL: out of memory). */
char *vs_volume_data_path(const char *root, const char *name);

/* Make the volume: its directories, then its record (created is set when 0).
 * A name already taken fails with EEXIST and changes nothing; on any
 * failure nothing is left. */
int vs_volume_create(sqlite3 *db, const char *root, const struct vs_volume *v, struct vs_error *err);
/* By exact name. ENOENT: "get NAME: no such volume". */
int vs_volume_find(sqlite3 *db, const char *name, struct vs_volume *ret, struct vs_error *err);
/* Every volume, by name. */
int vs_volume_list(sqlite3 *db, struct vs_volume **ret, size_t *n, struct vs_error *err);
/* The IDs of the containers using the volume (NULL-terminated; empty when none). */
int vs_volume_users(sqlite3 *db, const char *name, char ***ret, struct vs_error *err);
/* Remove an unused volume: record, mount, directory. In use: EBUSY,
 * "remove NAME: volume is in use - [ID, ...]". */
int vs_volume_remove(sqlite3 *db, const char *root, const char *name, struct vs_error *err);
/* The bytes of the volume's files (st_size of its regular files), for prune's total. */
int64_t vs_volume_size(const char *root, const char *name);

/* Mount a volume with driver options on its _data, unless it is mounted
 * already; nothing to do for a plain volume. */
int vs_volume_mount(const char *root, const struct vs_volume *v, struct vs_error *err);
/* Unmount every volume with driver options that no container uses. */
void vs_volume_unmount_unused(sqlite3 *db, const char *root);

/* One volume or bind mount of a container (container_volumes). */
struct vs_volume_use {
        char *volume;      /* the volume's name; NULL for a bind mount */
        char *source;      /* bind mount: the host path; NULL for a volume */
        char *destination; /* in the container */
        bool readonly;
};
void vs_volume_uses_free(struct vs_volume_use *u, size_t n);
/* Record that container_id uses u (its record must exist). */
int vs_volume_use_add(sqlite3 *db, const char *container_id, const struct vs_volume_use *u, struct vs_error *err);
/* What container_id uses, in the order it was recorded. */
int vs_volume_uses(sqlite3 *db, const char *container_id, struct vs_volume_use **ret, size_t *n, struct vs_error *err);

/* Copy the content of directory srcfd into directory dstfd when dstfd is
 * empty, as docker does into a new volume: files, directories, symlinks,
 * device nodes and fifos with their owner, mode, timestamps and extended
 * attributes; then the owner and mode of srcfd itself onto dstfd. A hard
 * link becomes a copy. Nothing is done when dstfd has an entry. The check
 * and the copy hold an exclusive flock on dstfd: of concurrent first uses,
 * one copies and the others wait and find the volume full. */
int vs_volume_copy_up(int srcfd, int dstfd, struct vs_error *err);

#endif
