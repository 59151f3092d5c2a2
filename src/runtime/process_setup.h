/* vessel: the last steps of a container process, shared by the init and
 * exec: rlimits, scheduling, the executable, the switch of user with its
 * capabilities, no_new_privs, then fds closed, the seccomp filter loaded and
 * execve. */
#ifndef VESSEL_RUNTIME_PROCESS_SETUP_H
#define VESSEL_RUNTIME_PROCESS_SETUP_H

#include <stdbool.h>

#include "oci/config.h"
#include "util/error.h"

/* Everything up to no_new_privs, in the order that works. The seccomp
 * filter of `l` is built here and returned in *ret_filter, to be loaded last
 * by vs_process_exec (NULL when it had to be loaded before the switch of
 * user). The path of the executable, found by PATH, in *ret_exe.
 *
 * A filter with SCMP_ACT_NOTIFY rules is loaded here instead (last, or
 * before the switch of user as above) and its listener handed to the
 * runtime over sync_fd (see runtime/seccomp_notify.h): the runtime must
 * still be there, which it is not once the init says READY. So every step
 * after this call runs under such a filter, the agent answering. */
int vs_process_setup(const struct vs_oci_process *p, const struct vs_oci_linux *l, int sync_fd, char **ret_exe,
                     void **ret_filter, struct vs_error *err);
/* Whether a filter can still be loaded (no_new_privs or CAP_SYS_ADMIN). */
bool vs_process_can_load_filter_late(const struct vs_oci_process *p);
/* Mark every fd past stdio and the preserved ones close-on-exec, load the
 * filter, execve. Never returns: on failure the error is printed on stderr
 * (the process's own) and it exits 127 (not found) or 126. */
_Noreturn void vs_process_exec(const struct vs_oci_process *p, const char *exe, void *filter, int preserve_fds);

#endif
