/* vessel: the command fronts' log. Library code never logs: it returns a
 * struct vs_error and the front prints it once with vs_log_error(). The log
 * level and the log sink are the only global state (DESIGN.md). */
#ifndef VESSEL_UTIL_LOG_H
#define VESSEL_UTIL_LOG_H

#include <stdbool.h>

enum vs_log_level {
        VS_LOG_ERROR,
        VS_LOG_WARNING,
        VS_LOG_INFO,
        VS_LOG_DEBUG
};

/* `program` prefixes stderr lines ("vessel-runtime: "). `log_path` (may be
 * NULL) receives every line too, as text or as runc's JSON lines
 * {"level":"error","msg":"...","time":"RFC3339"}. */
int vs_log_open(const char *program, const char *log_path, bool json, enum vs_log_level level);
void vs_log(enum vs_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define vs_log_error(...) vs_log(VS_LOG_ERROR, __VA_ARGS__)
#define vs_log_warning(...) vs_log(VS_LOG_WARNING, __VA_ARGS__)
#define vs_log_debug(...) vs_log(VS_LOG_DEBUG, __VA_ARGS__)
bool vs_log_enabled(enum vs_log_level level);

#endif
