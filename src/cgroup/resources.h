/* vessel: writing linux.resources into a container's cgroups.
 *
 * Every field goes to the hierarchy that holds its controller, v1 or v2,
 * decided per controller from the directories (layout.h), so a hybrid host
 * (v1 memory, cpu, ... and hugetlb on cgroup2) needs no special case. v1
 * values are converted for v2 as runc does (shares to weight, blkio weight to
 * io.weight, memory+swap to swap). An unset field is never written. Errors
 * name the config field: "linux.resources.memory.limit: ...". */
#ifndef VESSEL_CGROUP_RESOURCES_H
#define VESSEL_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/config.h"
#include "util/error.h"

/* Things the kernel no longer does, reported back instead of failing (as runc). */
enum {
        VS_CGROUP_WARN_KERNEL_MEMORY = 1u << 0, /* memory.kernel: kmem limits were dropped */
        VS_CGROUP_WARN_KERNEL_TCP = 1u << 1,    /* memory.kernelTCP */
        VS_CGROUP_WARN_USE_HIERARCHY = 1u << 2, /* memory.useHierarchy: always on in the kernel */
};
/* One line per warning bit, for the command to print. */
const char *vs_cgroup_warning_text(unsigned bit);

/* Check the values alone (ranges, syntax), before anything is written. */
int vs_cgroup_resources_check(const struct vs_oci_resources *res, struct vs_error *err);
/* Write res (may be NULL) into dirs. With `update`, devices are left alone and
 * memory.checkBeforeUpdate is honoured. *warnings (may be NULL) gets bits of
 * the enum above. On v2, the controllers are first enabled in every parent's
 * cgroup.subtree_control. */
int vs_cgroup_apply_resources(char **dirs, const struct vs_oci_resources *res, bool update, unsigned *warnings,
                              struct vs_error *err);
/* At create: resources, and the device rules (res->devices, then runc's
 * default devices and every linux.devices entry, allowed rwm). */
int vs_cgroup_apply_config(char **dirs, const struct vs_oci_linux *linux_, unsigned *warnings, struct vs_error *err);

/* The device rules in effect, in order. major/minor -1 = any. */
enum {
        VS_DEV_READ = 1,
        VS_DEV_WRITE = 2,
        VS_DEV_MKNOD = 4
};
struct vs_cgroup_device_rule {
        bool allow;
        char type; /* 'a', 'c', 'b' */
        int64_t major, minor;
        unsigned access; /* VS_DEV_* */
};
int vs_cgroup_device_rules(const struct vs_oci_resources *res, const struct vs_oci_device *devices, size_t n_devices,
                           struct vs_cgroup_device_rule **ret, size_t *ret_n, struct vs_error *err);

/* Conversions, as runc does them. */
/* cpu.shares (2..262144) to cpu.weight (1..10000); 0 stays 0 (unset). */
uint64_t vs_cgroup_shares_to_weight(uint64_t shares);
/* blkio.weight (10..1000) to io.weight (1..10000); 0 stays 0. */
uint64_t vs_cgroup_blkio_to_io_weight(uint64_t weight);
/* OCI memory.swap is memory+swap (the v1 memsw value). memory.swap.max on v2
 * is the swap alone: swap - limit; -1 stays -1 (max). *ret 0 means unset. */
int vs_cgroup_swap_to_v2(int64_t limit, int64_t swap, int64_t *ret, struct vs_error *err);

#endif
