/* vessel: progress lines for pulls and pushes (see progress.h). */
#include "image/progress.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

#define BAR_WIDTH 50
#define REDRAW_NS (100 * 1000 * 1000LL)
#define LINE_MAX_LEN 256

struct line {
        char *label;
        int64_t done, total;
        int64_t drawn_at; /* monotonic ns of the last draw; 0: never */
        bool started, finished;
};

struct vs_progress {
        int fd;
        bool tty;
        char *action;       /* "Downloading" */
        char *action_lower; /* "downloading", for plain lines */
        size_t n;
        struct line *lines;
};

static int64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Output is best effort: a closed terminal must not fail a pull. */
static void emit(struct vs_progress *p, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t w = write(p->fd, buf, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return;
                buf += w;
                len -= (size_t) w;
        }
}

void vs_progress_short_digest(const char *digest, char out[16])
{
        const char *colon = strchr(digest, ':');
        snprintf(out, 16, "%.12s", colon ? colon + 1 : digest);
}

/* Docker's sizes: decimal units, three significant digits ("1.23MB"). */
static void human_size(int64_t bytes, char *buf, size_t sz)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
        double v = (double) bytes;
        size_t u = 0;
        while (v >= 1000 && u + 1 < VS_ARRAY_SIZE(units))
                v /= 1000, u++;
        if (u == 0)
                snprintf(buf, sz, "%lldB", (long long) bytes);
        else
                snprintf(buf, sz, "%.3g%s", v, units[u]);
}

/* The text of one line, without the newline. */
static void render_line(const struct vs_progress *p, const struct line *l, char *buf, size_t sz)
{
        if (!l->started) {
                snprintf(buf, sz, "%s: Waiting", l->label);
                return;
        }
        char done[32], total[32];
        human_size(l->done, done, sizeof(done));
        if (l->total <= 0) {
                snprintf(buf, sz, "%s: %s  %s", l->label, p->action, done);
                return;
        }
        human_size(l->total, total, sizeof(total));
        int64_t d = l->done > l->total ? l->total : l->done;
        size_t fill = (size_t) (d * BAR_WIDTH / l->total);
        char bar[BAR_WIDTH + 1];
        for (size_t i = 0; i < BAR_WIDTH; i++)
                bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
        bar[BAR_WIDTH] = '\0';
        snprintf(buf, sz, "%s: %s [%s]  %s/%s", l->label, p->action, bar, done, total);
}

/* Redraw line `index` in place: up to it, clear it, write it, back down. */
static void redraw(struct vs_progress *p, size_t index, const char *text)
{
        char buf[LINE_MAX_LEN + 64];
        size_t up = p->n - index;
        int len = snprintf(buf, sizeof(buf), "\033[%zuA\r\033[2K%s\r\033[%zuB", up, text, up);
        if (len > 0)
                emit(p, buf, (size_t) len < sizeof(buf) ? (size_t) len : sizeof(buf) - 1);
}

int vs_progress_new(int fd, enum vs_progress_mode mode, const char *action, size_t n, const char *const *labels,
                    struct vs_progress **ret, struct vs_error *err)
{
        struct vs_progress *p = calloc(1, sizeof(*p));
        if (!p)
                return vs_error_errno(err, ENOMEM, "cannot show progress");
        p->fd = fd;
        p->tty = mode == VS_PROGRESS_TTY || (mode == VS_PROGRESS_AUTO && isatty(fd) == 1);
        p->n = n;
        p->action = strdup(action);
        p->action_lower = strdup(action);
        p->lines = calloc(n ? n : 1, sizeof(*p->lines));
        bool ok = p->action && p->action_lower && p->lines;
        for (size_t i = 0; ok && i < n; i++)
                ok = (p->lines[i].label = strdup(labels[i])) != NULL;
        if (!ok) {
                vs_progress_free(p);
                return vs_error_errno(err, ENOMEM, "cannot show progress");
        }
        for (char *c = p->action_lower; *c; c++)
                *c = (char) tolower((unsigned char) *c);
        /* A terminal gets the whole block at once; redraws move within it. */
        for (size_t i = 0; p->tty && i < n; i++) {
                char text[LINE_MAX_LEN];
                render_line(p, &p->lines[i], text, sizeof(text));
                size_t len = strlen(text);
                text[len] = '\n';
                emit(p, text, len + 1);
        }
        *ret = p;
        return 0;
}

void vs_progress_update(struct vs_progress *p, size_t index, int64_t done, int64_t total)
{
        if (!p || index >= p->n || p->lines[index].finished)
                return;
        struct line *l = &p->lines[index];
        bool first = !l->started;
        l->started = true;
        l->done = done;
        l->total = total;
        if (!p->tty) {
                if (first) {
                        char buf[LINE_MAX_LEN];
                        int len = snprintf(buf, sizeof(buf), "%s: %s\n", l->label, p->action_lower);
                        if (len > 0)
                                emit(p, buf, (size_t) len < sizeof(buf) ? (size_t) len : sizeof(buf) - 1);
                }
                return;
        }
        int64_t t = now_ns();
        bool complete = total > 0 && done >= total;
        if (!first && !complete && t - l->drawn_at < REDRAW_NS)
                return;
        l->drawn_at = t;
        char text[LINE_MAX_LEN];
        render_line(p, l, text, sizeof(text));
        redraw(p, index, text);
}

void vs_progress_finish(struct vs_progress *p, size_t index, const char *status)
{
        if (!p || index >= p->n || p->lines[index].finished)
                return;
        struct line *l = &p->lines[index];
        l->finished = true;
        char text[LINE_MAX_LEN];
        int len = snprintf(text, sizeof(text), "%s: %s", l->label, status);
        if (len < 0)
                return;
        if (p->tty) {
                redraw(p, index, text);
                return;
        }
        size_t n = (size_t) len < sizeof(text) - 1 ? (size_t) len : sizeof(text) - 2;
        text[n] = '\n';
        emit(p, text, n + 1);
}

void vs_progress_free(struct vs_progress *p)
{
        if (!p)
                return;
        for (size_t i = 0; p->lines && i < p->n; i++)
                free(p->lines[i].label);
        free(p->lines);
        free(p->action);
        free(p->action_lower);
        free(p);
}

void vs_progress_callback(void *data, size_t index, int64_t done, int64_t total)
{
        vs_progress_update(data, index, done, total);
}
