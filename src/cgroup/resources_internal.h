/* vessel: what resources.c shares with the per-hierarchy writers
 * (resources_v1.c, resources_v2.c, devices_bpf.c). Private to src/cgroup. */
#ifndef VESSEL_CGROUP_RESOURCES_INTERNAL_H
#define VESSEL_CGROUP_RESOURCES_INTERNAL_H

#include "cgroup/layout.h"
#include "cgroup/resources.h"

struct vs_cgroup_apply {
        const struct vs_cgroup_layout *layout;
        bool update;
        unsigned warnings;
};

#define VS_RES "linux.resources."

int vs_cgroup_v1_cpu(const struct vs_cgroup_dir *d, const struct vs_oci_cpu *cpu, struct vs_error *err);
int vs_cgroup_v1_memory(const struct vs_cgroup_dir *d, const struct vs_oci_memory *m, struct vs_cgroup_apply *a,
                        struct vs_error *err);
int vs_cgroup_v1_blkio(const struct vs_cgroup_dir *d, const struct vs_oci_block_io *b, struct vs_error *err);
int vs_cgroup_v1_devices(const struct vs_cgroup_dir *d, const struct vs_cgroup_device_rule *rules, size_t n,
                         struct vs_error *err);
int vs_cgroup_v1_network(const struct vs_cgroup_layout *l, const struct vs_oci_resources *res, struct vs_error *err);

/* A blkio weight is given when set and not 0: dockerd writes "weight": 0
 * into every config for "none", and runc reads 0 as unset too. */
static inline bool vs_weight_given(const struct vs_oci_u64 *w)
{
        return w->set && w->value != 0;
}

int vs_cgroup_v2_enable_controllers(const struct vs_cgroup_dir *d);
int vs_cgroup_v2_cpu(const struct vs_cgroup_dir *d, const struct vs_oci_cpu *cpu, struct vs_error *err);
int vs_cgroup_v2_memory(const struct vs_cgroup_dir *d, const struct vs_oci_memory *m, struct vs_cgroup_apply *a,
                        struct vs_error *err);
int vs_cgroup_v2_io(const struct vs_cgroup_dir *d, const struct vs_oci_block_io *b, struct vs_error *err);
int vs_cgroup_v2_unified(const struct vs_cgroup_dir *d, const struct vs_oci_kv *kv, size_t n, struct vs_error *err);
/* Load a BPF_CGROUP_DEVICE program for the rules and attach it to d. */
int vs_cgroup_v2_devices(const struct vs_cgroup_dir *d, const struct vs_cgroup_device_rule *rules, size_t n,
                         struct vs_error *err);

#endif
