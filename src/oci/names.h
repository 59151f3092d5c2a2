/* vessel: the fixed vocabularies of config.json (capabilities, rlimits,
 * seccomp names, ...), shared by the parser, which validates against them,
 * and by `features`, which lists them. */
#ifndef VESSEL_OCI_NAMES_H
#define VESSEL_OCI_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* A name and the number it stands for (RLIMIT_NOFILE -> 7). */
struct vs_oci_name_value {
        const char *name;
        int value;
};

/* "CAP_CHOWN" ... "CAP_CHECKPOINT_RESTORE", indexed by capability number. */
extern const char *const vs_oci_capability_names[];
extern const size_t vs_oci_n_capability_names;

extern const struct vs_oci_name_value vs_oci_rlimits[];
extern const size_t vs_oci_n_rlimits;
extern const struct vs_oci_name_value vs_oci_sched_policies[];
extern const size_t vs_oci_n_sched_policies;
extern const struct vs_oci_name_value vs_oci_ioprio_classes[];
extern const size_t vs_oci_n_ioprio_classes;

/* NULL-terminated lists. */
extern const char *const vs_oci_sched_flags[];
extern const char *const vs_oci_hook_names[];
extern const char *const vs_oci_seccomp_actions[];
extern const char *const vs_oci_seccomp_operators[];
extern const char *const vs_oci_seccomp_archs[];
extern const char *const vs_oci_seccomp_known_flags[];
extern const char *const vs_oci_seccomp_supported_flags[];
extern const char *const vs_oci_rootfs_propagations[];

/* The capability's number, or -1 when the name is unknown. Exact, upper case, with "CAP_". */
int vs_oci_capability_number(const char *name);
/* The entry named `name` in a table, or NULL. */
const struct vs_oci_name_value *vs_oci_name_lookup(const struct vs_oci_name_value *table, size_t n, const char *name);
/* Whether `name` is in the NULL-terminated list. */
bool vs_oci_name_in_list(const char *const *list, const char *name);

#endif
