/* vessel: the attributes of the container's process (config.json "process"
 * and the per-process parts of "linux"), applied by the init before exec. */
#ifndef VESSEL_LINUX_PROCESS_H
#define VESSEL_LINUX_PROCESS_H

#include "oci/config.h"
#include "util/error.h"

int vs_process_set_hostname(const struct vs_oci_config *config, struct vs_error *err);
/* linux.sysctl, written under the container's /proc/sys. */
int vs_process_set_sysctl(const struct vs_oci_linux *linux_, struct vs_error *err);
/* rlimits; raising a hard limit needs CAP_SYS_RESOURCE and the error names the rlimit. */
int vs_process_set_rlimits(const struct vs_oci_process *process, struct vs_error *err);
/* oomScoreAdj, ioPriority, scheduler, personality. */
int vs_process_set_scheduling(const struct vs_oci_process *process, const struct vs_oci_linux *linux_,
                              struct vs_error *err);
/* Switch to process.user: groups, gid, uid; umask. */
int vs_process_set_user(const struct vs_oci_process *process, struct vs_error *err);
/* Resolve args[0] by the PATH of process.env (or the default PATH) in the
 * current root: "executable file not found in $PATH" when it is not there. */
int vs_process_find_executable(const struct vs_oci_process *process, char **ret, struct vs_error *err);

#endif
