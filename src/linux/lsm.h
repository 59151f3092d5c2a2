/* vessel: AppArmor and SELinux labels of config.json. Applied where the
 * host has that LSM; asked for on a host without it, a clear error (runc). */
#ifndef VESSEL_LINUX_LSM_H
#define VESSEL_LINUX_LSM_H

#include "oci/config.h"
#include "util/error.h"

/* Before anything is made: every label the config asks for has its LSM here. */
int vs_lsm_check(const struct vs_oci_process *process, const struct vs_oci_linux *linux_, struct vs_error *err);
/* Just before execve: the process's AppArmor profile and SELinux label for its exec. */
int vs_lsm_apply_exec(const struct vs_oci_process *process, struct vs_error *err);

#endif
