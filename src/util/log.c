#include "util/log.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct {
        const char *program;
        int fd;
        bool json;
        enum vs_log_level level;
} log_sink = {"vessel", -1, false, VS_LOG_WARNING};

static const char *const level_names[] = {"error", "warning", "info", "debug"};

int vs_log_open(const char *program, const char *log_path, bool json, enum vs_log_level level)
{
        log_sink.program = program;
        log_sink.json = json;
        log_sink.level = level;
        if (log_path && log_path[0]) {
                log_sink.fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (log_sink.fd < 0)
                        return -1;
        }
        return 0;
}

bool vs_log_enabled(enum vs_log_level level)
{
        return level <= log_sink.level;
}

static void format_time(char *buf, size_t sz)
{
        struct timeval tv;
        struct tm tm;
        gettimeofday(&tv, NULL);
        gmtime_r(&tv.tv_sec, &tm);
        size_t n = strftime(buf, sz, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, sz - n, ".%06ldZ", (long) tv.tv_usec);
}

static void write_sink(enum vs_log_level level, const char *msg)
{
        char line[2048], when[64];
        format_time(when, sizeof(when));
        int n;
        if (log_sink.json) {
                json_t *o = json_pack("{s:s,s:s,s:s}", "level", level_names[level], "msg", msg, "time", when);
                char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
                n = snprintf(line, sizeof(line), "%s\n", s ? s : "{}");
                free(s);
                json_decref(o);
        } else {
                n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"\n", when, level_names[level], msg);
        }
        if (n > 0)
                (void) !write(log_sink.fd, line, (size_t) n < sizeof(line) ? (size_t) n : sizeof(line) - 1);
}

void vs_log(enum vs_log_level level, const char *fmt, ...)
{
        /* Warnings always reach stderr (a failed poststop hook must be seen);
         * the --log file gets them only at their level, so that at the
         * default level it holds just the one error line engines parse. */
        if (!vs_log_enabled(level) && level != VS_LOG_WARNING)
                return;
        char msg[1536];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        /* Errors always reach stderr: engines that pass no --log-format json
         * (conmon for runtimes it does not know) read the error there. */
        if (level == VS_LOG_ERROR)
                fprintf(stderr, "%s: %s\n", log_sink.program, msg);
        else if (log_sink.fd < 0 || level == VS_LOG_WARNING)
                fprintf(stderr, "%s: %s: %s\n", log_sink.program, level_names[level], msg);
        if (log_sink.fd >= 0 && vs_log_enabled(level))
                write_sink(level, msg);
}
