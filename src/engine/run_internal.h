/* vessel: the value parsers behind `run`/`create`'s flags (private to
 * src/engine). Each fills its result and, on bad input, an error with the
 * reason only ("invalid mode: x"): run_options.c adds the value and the
 * flag's name around it. */
#ifndef VESSEL_ENGINE_RUN_INTERNAL_H
#define VESSEL_ENGINE_RUN_INTERNAL_H

#include <stdbool.h>

#include "engine/run_options.h"
#include "util/error.h"

/* Append a copy of s to the NULL-terminated list (which may be NULL). */
int vs_run_strv_add(char ***list, const char *s);
size_t vs_run_strv_len(char *const *list);

/* -e K=V (a bare K takes K's value from the environment when set). */
int vs_run_env_value(const char *text, char **ret);
/* Lines of an --env-file (lookup_env) or --label-file, appended to *list. */
int vs_run_read_kv_file(const char *path, bool lookup_env, char ***list, struct vs_error *err);

int vs_run_parse_volume(const char *spec, struct vs_run_mount *ret, struct vs_error *err);
int vs_run_parse_mount(const char *spec, struct vs_run_mount *ret, struct vs_error *err);
int vs_run_parse_tmpfs(const char *spec, struct vs_run_mount *ret, struct vs_error *err);
void vs_run_mount_clear(struct vs_run_mount *m);

int vs_run_parse_device(const char *spec, struct vs_run_device *ret, struct vs_error *err);
int vs_run_parse_throttle(const char *spec, bool bytes, struct vs_run_throttle *ret, struct vs_error *err);
int vs_run_parse_ulimit(const char *spec, struct vs_run_ulimit *ret, struct vs_error *err);

int vs_run_parse_restart(const char *spec, enum vs_restart_policy *ret, int *ret_max, struct vs_error *err);
/* "chown", "cap_chown", "ALL" -> "CAP_CHOWN" / "ALL". */
int vs_run_parse_capability(const char *name, char **ret, struct vs_error *err);
int vs_run_parse_namespace(const char *spec, const char *const *modes, struct vs_run_namespace *ret,
                           struct vs_error *err);
int vs_run_parse_security_opt(const char *spec, struct vs_run_options *o, struct vs_error *err);
int vs_run_parse_cpus(const char *spec, int64_t *ret, struct vs_error *err);
int vs_run_parse_int(const char *spec, int64_t min, int64_t max, int64_t *ret, struct vs_error *err);
int vs_run_parse_cpuset(const char *spec, struct vs_error *err);
int vs_run_parse_log_opt(const char *spec, struct vs_run_options *o, struct vs_error *err);
int vs_run_parse_sysctl(const char *spec, struct vs_error *err);

#endif
