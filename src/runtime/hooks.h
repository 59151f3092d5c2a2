/* vessel: OCI hooks. Each hook is run with the container's state JSON on
 * its stdin, its own args and env, and killed at its timeout. */
#ifndef VESSEL_RUNTIME_HOOKS_H
#define VESSEL_RUNTIME_HOOKS_H

#include <stddef.h>

#include "oci/config.h"
#include "util/error.h"

/* Run hooks[0..n) in order; the first failure stops the rest and is
 * returned, naming the hook: "hooks.prestart[1] (/usr/bin/x): exit status 3". */
int vs_hooks_run(const char *kind, const struct vs_oci_hook *hooks, size_t n, const char *state_json,
                 struct vs_error *err);

#endif
