/* vessel: reading and writing files, atomically where state is kept, and
 * opening paths under a root without ever leaving it. */
#ifndef VESSEL_UTIL_FILES_H
#define VESSEL_UTIL_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* Read a whole file (at most `max` bytes; 0 = 64 MiB) into a NUL-terminated buffer. */
int vs_read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len, struct vs_error *err);
int vs_read_file(const char *path, char **ret, size_t *ret_len, struct vs_error *err);
/* Write all of buf to fd (a pipe, socket or terminal), again after EINTR and short writes;
 * false on an error (errno says which) or when nothing more can be written. */
bool vs_write_all(int fd, const void *buf, size_t len);
/* Write `len` bytes to an existing file (procfs, cgroupfs, sysctl): one write(2), no O_CREAT. */
int vs_write_existing_at(int dirfd, const char *path, const char *data, size_t len, struct vs_error *err);
int vs_write_existing(const char *path, const char *data, struct vs_error *err);
/* Create or replace dirfd/name: written to a temporary name, fsynced, renamed. */
int vs_write_file_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode, struct vs_error *err);
/* The same without fsync: readers never see a half-written file, but the
 * content may not survive a power loss. For state that dies with the boot
 * anyway (the runtime's state under /run). */
int vs_write_file_replace(int dirfd, const char *name, const char *data, size_t len, mode_t mode, struct vs_error *err);

/* Open `path` as if `rootfd` were "/": symlinks and ".." never leave it.
 * openat2(RESOLVE_IN_ROOT) when the kernel has it, else a checked walk. */
int vs_open_in_root(int rootfd, const char *path, int flags, mode_t mode, struct vs_error *err);
/* The walk used when openat2 is missing or filtered; exposed so tests force it. */
int vs_open_in_root_fallback(int rootfd, const char *path, int flags, mode_t mode, struct vs_error *err);
/* Make every missing directory of `path` under rootfd (mode 0755) and return an
 * O_PATH fd of the last one. With `last_is_file`, the last component is made
 * as an empty regular file if missing. */
int vs_mkdir_in_root(int rootfd, const char *path, bool last_is_file, struct vs_error *err);

/* Remove a directory tree below dirfd/name (no symlink followed, no mount crossed). */
int vs_remove_tree_at(int dirfd, const char *name, struct vs_error *err);

#endif
