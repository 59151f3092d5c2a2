/* vessel: ownership idioms. Every local that owns memory, an fd, a stream,
 * a JSON value or a child process is declared with a cleanup attribute;
 * TAKE_PTR / TAKE_FD hand ownership on. Destructors accept "nothing held". */
#ifndef VESSEL_UTIL_CLEANUP_H
#define VESSEL_UTIL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void vs_freep(void *p)
{
        free(*(void **) p);
}

/* close() that keeps errno, so a cleanup never hides the error being reported. */
static inline int vs_safe_close(int fd)
{
        if (fd >= 0) {
                int saved = errno;
                close(fd);
                errno = saved;
        }
        return -1;
}

static inline void vs_closep(int *fd)
{
        vs_safe_close(*fd);
}

static inline void vs_fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

static inline void vs_closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

/* A child that must not outlive an early return: SIGKILL it and reap it. */
static inline void vs_killp(pid_t *pid)
{
        if (*pid > 0) {
                int saved = errno;
                kill(*pid, SIGKILL);
                while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                errno = saved;
        }
}

/* Free a NULL-terminated array of strings and the array. */
static inline void vs_strv_free(char **v)
{
        if (v)
                for (char **p = v; *p; p++)
                        free(*p);
        free(v);
}

static inline void vs_strv_freep(char ***v)
{
        vs_strv_free(*v);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(vs_freep)
#define _cleanup_close_ _cleanup_(vs_closep)
#define _cleanup_fclose_ _cleanup_(vs_fclosep)
#define _cleanup_closedir_ _cleanup_(vs_closedirp)
#define _cleanup_child_ _cleanup_(vs_killp)
#define _cleanup_strv_ _cleanup_(vs_strv_freep)

#define TAKE_PTR(p)                                                                                                    \
        ({                                                                                                             \
                __typeof__(p) _taken = (p);                                                                            \
                (p) = NULL;                                                                                            \
                _taken;                                                                                                \
        })

#define TAKE_FD(fd)                                                                                                    \
        ({                                                                                                             \
                int _taken = (fd);                                                                                     \
                (fd) = -1;                                                                                             \
                _taken;                                                                                                \
        })

#define TAKE_PID(pid)                                                                                                  \
        ({                                                                                                             \
                pid_t _taken = (pid);                                                                                  \
                (pid) = 0;                                                                                             \
                _taken;                                                                                                \
        })

#define VS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
