/* vessel: file trees moved as tar entries, for cp and export. A tree is
 * read from a path under a root fd (a container's root, or the host's "/")
 * and every entry goes to a sink: a tar writer (cp to "-", export) or an
 * extractor that creates it under another root. Both ends resolve paths
 * with vs_open_in_root and open names one component at a time with
 * O_NOFOLLOW, so a symlink in a (running, hostile) container can never
 * lead a copy outside its root (CVE-2018-15664 was docker's cp race). */
#ifndef VESSEL_ENGINE_FS_TREE_H
#define VESSEL_ENGINE_FS_TREE_H

#include "image/lazy_archive.h"
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct tree_sink {
        struct archive *tar; /* write the entries to this tar, or else: */
        int rootfd;          /* create them under this root, */
        const char *dir;     /* in this directory (a path under rootfd) */
        bool keep_owner;     /* chown to the entries' uid/gid (else: the caller's) */
        int64_t bytes;       /* file bytes written so far */
};

/* Walk `path` under rootfd and hand each entry to the sink, named `name`
 * and `name/...` below it; with name "" the top entry is left out and its
 * children are named from the top (export, and cp of "DIR/."). With
 * `follow`, a symlink at `path` itself is followed (cp -L). Proc and sysfs
 * mounts are not descended into. */
int tree_walk(int rootfd, const char *path, const char *name, bool follow, struct tree_sink *sink,
              struct vs_error *err);

/* Extract every entry of the tar read from in_fd into the sink (which must
 * not be a tar); entry names are taken relative, ".." refused. */
int tree_extract_stream(int in_fd, struct tree_sink *sink, struct vs_error *err);

/* A tar writer (pax restricted) on fd. */
int tree_tar_open(int fd, struct archive **ret, struct vs_error *err);
int tree_tar_close(struct archive *tar, struct vs_error *err);

#endif
