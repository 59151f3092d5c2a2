/* vessel: the cgroup v2 device filter. v2 has no devices.allow: the rules
 * become a BPF_CGROUP_DEVICE program attached to the container's cgroup.
 * The program checks the rules from the last to the first, and the first
 * that matches decides (so a later rule overrides an earlier one, as the v1
 * files do); nothing matched: denied. A rule for every device with every
 * access ("a *:* rwm") ends the search, as it resets v1's default. */
#ifndef VESSEL_CGROUP_DEVICES_BPF_H
#define VESSEL_CGROUP_DEVICES_BPF_H

#include <linux/bpf.h>
#include <stddef.h>

#include "cgroup/resources.h"
#include "util/error.h"

/* The program's instructions (malloc'd) for the rules. */
int vs_cgroup_devices_program(const struct vs_cgroup_device_rule *rules, size_t n, struct bpf_insn **ret, size_t *ret_n,
                              struct vs_error *err);
/* Load the program and attach it to the cgroup directory. */
int vs_cgroup_devices_attach(const char *cgroup_dir, const struct bpf_insn *prog, size_t n, struct vs_error *err);

#endif
