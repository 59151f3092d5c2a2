/* vessel: the mount options of config.json's mounts[].options, and what each
 * one asks of the kernel. The runtime walks a mount's options through
 * vs_oci_mount_option_lookup() to build its mount(2) flags, the
 * propagation to apply after the mount, the mount_setattr(2) attributes for
 * the recursive ("r"-prefixed) options, and the data string for the
 * filesystem. `features` lists the table's names. */
#ifndef VESSEL_OCI_MOUNT_OPTIONS_H
#define VESSEL_OCI_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vs_oci_mount_option_kind {
        /* A mount(2) flag: set `flags` (or clear them when `clear`). "ro", "nosuid", "bind", "rbind", ... */
        VS_OCI_MOUNT_OPT_FLAG,
        /* A propagation type, applied by a second mount(2) call: `flags` is MS_PRIVATE, MS_SHARED,
         * MS_SLAVE or MS_UNBINDABLE, with MS_REC for the "r" forms. */
        VS_OCI_MOUNT_OPT_PROPAGATION,
        /* A recursive attribute for mount_setattr(2) with AT_RECURSIVE: "rro", "rnosuid", ... Use
         * `attr_set` and `attr_clr` as struct mount_attr's fields. The atime options are one field of
         * the kernel's (MOUNT_ATTR__ATIME), so they clear it all and set their own value. */
        VS_OCI_MOUNT_OPT_RECURSIVE,
        /* An option of the runtime itself: see `extension`. */
        VS_OCI_MOUNT_OPT_EXTENSION,
        /* Not in the table: passed to the filesystem in mount(2)'s data ("mode=755", "size=64k"). */
        VS_OCI_MOUNT_OPT_DATA,
};

enum vs_oci_mount_extension {
        VS_OCI_MOUNT_EXT_NONE,
        VS_OCI_MOUNT_EXT_TMPCOPYUP, /* tmpfs: copy the directory's former content into the new tmpfs */
        VS_OCI_MOUNT_EXT_IDMAP,     /* idmapped mount of this mount only (the mount's or the container's mappings) */
        VS_OCI_MOUNT_EXT_RIDMAP,    /* the same, recursively */
};

struct vs_oci_mount_option_info {
        const char *name;
        enum vs_oci_mount_option_kind kind;
        bool clear;          /* FLAG, RECURSIVE: the option turns something off ("rw", "suid", "rrw") */
        unsigned long flags; /* FLAG, PROPAGATION: MS_* */
        uint64_t attr_set;   /* RECURSIVE: MOUNT_ATTR_* to set */
        uint64_t attr_clr;   /* RECURSIVE: MOUNT_ATTR_* to clear */
        enum vs_oci_mount_extension extension; /* EXTENSION */
};

/* Look `name` up. Always fills *out; returns true when the name is in the
 * table, false when it is filesystem data (out->kind == VS_OCI_MOUNT_OPT_DATA,
 * out->name == name). */
bool vs_oci_mount_option_lookup(const char *name, struct vs_oci_mount_option_info *out);

/* The whole table, sorted by name (for `features`). */
const struct vs_oci_mount_option_info *vs_oci_mount_options(size_t *ret_n);

#endif
