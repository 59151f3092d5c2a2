/* vessel: the engine's defaults file, /etc/vessel/vessel.conf ($VESSEL_CONFIG
 * overrides the path, for tests). A small TOML subset, one setting a line:
 *
 *   # comments and blank lines are ignored; [section] headers too
 *   runtime = "/usr/bin/runc"    # OCI runtime binary; "vessel" = in-process (default)
 *
 * A missing file gives the defaults. An unknown key or a line that is not
 * `key = value` fails naming the file and line. */
#ifndef VESSEL_ENGINE_ENGINE_CONF_H
#define VESSEL_ENGINE_ENGINE_CONF_H

#include "util/error.h"

struct vs_engine_conf {
        char *runtime; /* NULL: in-process ("vessel") */
};

/* $VESSEL_CONFIG, else /etc/vessel/vessel.conf. */
const char *vs_engine_conf_path(void);
/* Parse `text` (origin names it in errors). */
int vs_engine_conf_parse(const char *text, const char *origin, struct vs_engine_conf *ret, struct vs_error *err);
/* Read and parse `path`; a missing file gives the defaults. */
int vs_engine_conf_load(const char *path, struct vs_engine_conf *ret, struct vs_error *err);
void vs_engine_conf_free(struct vs_engine_conf *c);

#endif
