#include "oci/mount_options.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "util/cleanup.h"

/* Older uapi headers lack these; the numbers are the kernel's. */
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

#define FLAG(n, f)                                                                                                     \
        {                                                                                                              \
                .name = n, .kind = VS_OCI_MOUNT_OPT_FLAG, .flags = (f)                                                 \
        }
#define UNFLAG(n, f)                                                                                                   \
        {                                                                                                              \
                .name = n, .kind = VS_OCI_MOUNT_OPT_FLAG, .clear = true, .flags = (f)                                  \
        }
#define PROPAGATION(n, f)                                                                                              \
        {                                                                                                              \
                .name = n, .kind = VS_OCI_MOUNT_OPT_PROPAGATION, .flags = (f)                                          \
        }
#define RATTR(n, a)                                                                                                    \
        {                                                                                                              \
                .name = n, .kind = VS_OCI_MOUNT_OPT_RECURSIVE, .attr_set = (a)                                         \
        }
#define RUNATTR(n, a)                                                                                                  \
        {                                                                                                              \
                .name = n, .kind = VS_OCI_MOUNT_OPT_RECURSIVE, .clear = true, .attr_clr = (a)                          \
        }
#define RATIME(n, a, c)                                                                                                \
        {                                                                                                              \
                .name = n, .kind = VS_OCI_MOUNT_OPT_RECURSIVE, .clear = (c), .attr_set = (a),                          \
                .attr_clr = MOUNT_ATTR__ATIME                                                                          \
        }
#define EXTENSION(n, e)                                                                                                \
        {                                                                                                              \
                .name = n, .kind = VS_OCI_MOUNT_OPT_EXTENSION, .extension = (e)                                        \
        }

/* runc's options (libcontainer/specconv), sorted by name for bsearch. */
static const struct vs_oci_mount_option_info options[] = {
        FLAG("acl", MS_POSIXACL),
        UNFLAG("async", MS_SYNCHRONOUS),
        UNFLAG("atime", MS_NOATIME),
        FLAG("bind", MS_BIND),
        FLAG("defaults", 0),
        UNFLAG("dev", MS_NODEV),
        UNFLAG("diratime", MS_NODIRATIME),
        FLAG("dirsync", MS_DIRSYNC),
        UNFLAG("exec", MS_NOEXEC),
        EXTENSION("idmap", VS_OCI_MOUNT_EXT_IDMAP),
        FLAG("iversion", MS_I_VERSION),
        FLAG("lazytime", MS_LAZYTIME),
        UNFLAG("loud", MS_SILENT),
        FLAG("mand", MS_MANDLOCK),
        UNFLAG("noacl", MS_POSIXACL),
        FLAG("noatime", MS_NOATIME),
        FLAG("nodev", MS_NODEV),
        FLAG("nodiratime", MS_NODIRATIME),
        FLAG("noexec", MS_NOEXEC),
        UNFLAG("noiversion", MS_I_VERSION),
        UNFLAG("nolazytime", MS_LAZYTIME),
        UNFLAG("nomand", MS_MANDLOCK),
        UNFLAG("norelatime", MS_RELATIME),
        UNFLAG("nostrictatime", MS_STRICTATIME),
        FLAG("nosuid", MS_NOSUID),
        FLAG("nosymfollow", MS_NOSYMFOLLOW),
        PROPAGATION("private", MS_PRIVATE),
        /* Clearing MOUNT_ATTR_NOATIME leaves the default, relatime. */
        RATIME("ratime", MOUNT_ATTR_RELATIME, true),
        FLAG("rbind", MS_BIND | MS_REC),
        RUNATTR("rdev", MOUNT_ATTR_NODEV),
        RUNATTR("rdiratime", MOUNT_ATTR_NODIRATIME),
        FLAG("relatime", MS_RELATIME),
        FLAG("remount", MS_REMOUNT),
        RUNATTR("rexec", MOUNT_ATTR_NOEXEC),
        EXTENSION("ridmap", VS_OCI_MOUNT_EXT_RIDMAP),
        RATIME("rnoatime", MOUNT_ATTR_NOATIME, false),
        RATTR("rnodev", MOUNT_ATTR_NODEV),
        RATTR("rnodiratime", MOUNT_ATTR_NODIRATIME),
        RATTR("rnoexec", MOUNT_ATTR_NOEXEC),
        /* Not relatime means strictatime or noatime; runc leaves the choice to the kernel, as here:
         * this only drops relatime back to the default, which is relatime. */
        RATIME("rnorelatime", MOUNT_ATTR_RELATIME, true),
        RATIME("rnostrictatime", MOUNT_ATTR_RELATIME, true),
        RATTR("rnosuid", MOUNT_ATTR_NOSUID),
        RATTR("rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW),
        FLAG("ro", MS_RDONLY),
        PROPAGATION("rprivate", MS_PRIVATE | MS_REC),
        RATIME("rrelatime", MOUNT_ATTR_RELATIME, false),
        RATTR("rro", MOUNT_ATTR_RDONLY),
        RUNATTR("rrw", MOUNT_ATTR_RDONLY),
        PROPAGATION("rshared", MS_SHARED | MS_REC),
        PROPAGATION("rslave", MS_SLAVE | MS_REC),
        RATIME("rstrictatime", MOUNT_ATTR_STRICTATIME, false),
        RUNATTR("rsuid", MOUNT_ATTR_NOSUID),
        RUNATTR("rsymfollow", MOUNT_ATTR_NOSYMFOLLOW),
        PROPAGATION("runbindable", MS_UNBINDABLE | MS_REC),
        UNFLAG("rw", MS_RDONLY),
        PROPAGATION("shared", MS_SHARED),
        FLAG("silent", MS_SILENT),
        PROPAGATION("slave", MS_SLAVE),
        FLAG("strictatime", MS_STRICTATIME),
        UNFLAG("suid", MS_NOSUID),
        UNFLAG("symfollow", MS_NOSYMFOLLOW),
        FLAG("sync", MS_SYNCHRONOUS),
        EXTENSION("tmpcopyup", VS_OCI_MOUNT_EXT_TMPCOPYUP),
        PROPAGATION("unbindable", MS_UNBINDABLE),
};

static int compare_name(const void *key, const void *elem)
{
        return strcmp(key, ((const struct vs_oci_mount_option_info *) elem)->name);
}

bool vs_oci_mount_option_lookup(const char *name, struct vs_oci_mount_option_info *out)
{
        const struct vs_oci_mount_option_info *found =
                bsearch(name, options, VS_ARRAY_SIZE(options), sizeof(options[0]), compare_name);
        if (!found) {
                *out = (struct vs_oci_mount_option_info){.name = name, .kind = VS_OCI_MOUNT_OPT_DATA};
                return false;
        }
        *out = *found;
        return true;
}

const struct vs_oci_mount_option_info *vs_oci_mount_options(size_t *ret_n)
{
        *ret_n = VS_ARRAY_SIZE(options);
        return options;
}
