/* vessel: CVE-2019-5736. A process the runtime forks into a container has
 * the runtime's binary as its /proc/PID/exe until it execs; a container
 * process that reaches that link could open the binary and overwrite it.
 * The runtime therefore runs from a sealed in-memory copy of itself. */
#ifndef VESSEL_LINUX_SEALED_EXE_H
#define VESSEL_LINUX_SEALED_EXE_H

#include "util/error.h"

/* When the running binary is writable and not already a sealed memfd: copy
 * it into a memfd, seal it against writes, growth and shrinking, and
 * fexecve it with the same arguments and environment. Returns only when
 * nothing needs doing (0) or on failure. */
int vs_sealed_exe_reexec(char **argv, char **envp, struct vs_error *err);

#endif
