/* vessel-procfs: load averages per cgroup. The kernel keeps them only for
 * the whole host, so a thread samples each cgroup that was read in the last
 * ten minutes every 5 seconds and decays the averages as the kernel does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/figures.h"
#include "daemon.h"
#include "procfs/procfs.h"
#include "util/cleanup.h"

#define LOADS_MAX 1024
#define LOADS_IDLE_SECONDS 600

struct load_entry {
        char **dirs; /* owned */
        char *key;   /* the directories joined */
        double load[3];
        time_t last_read;
};

struct loads {
        pthread_mutex_t lock;
        pthread_cond_t wake;
        bool stop;
        pthread_t thread;
        const struct vs_cgroup_hosts *hosts;
        struct load_entry e[LOADS_MAX];
        size_t n;
};

static char *join(char **dirs)
{
        size_t len = 1;
        for (char **d = dirs; *d; d++)
                len += strlen(*d) + 1;
        char *k = malloc(len);
        if (!k)
                return NULL;
        k[0] = '\0';
        for (char **d = dirs; *d; d++)
                strcat(strcat(k, *d), "\n");
        return k;
}

static char **strv_copy(char **v)
{
        size_t n = 0;
        while (v[n])
                n++;
        char **c = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; c && i < n; i++)
                if (!(c[i] = strdup(v[i]))) {
                        vs_strv_free(c);
                        return NULL;
                }
        return c;
}

static void entry_drop(struct loads *l, size_t i)
{
        vs_strv_free(l->e[i].dirs);
        free(l->e[i].key);
        l->e[i] = l->e[--l->n];
}

/* Sample every entry, dropping those not read for a while or whose cgroup is gone. */
static void sample(struct loads *l)
{
        time_t now = time(NULL);
        for (size_t i = 0; i < l->n;) {
                struct vs_cgroup_figures f;
                struct vs_error ignored = VS_ERROR_INIT;
                bool ok = vs_cgroup_figures_read(l->hosts, l->e[i].dirs, VS_FIGURES_TASKS, &f, &ignored) == 0;
                vs_error_ignore(&ignored);
                if (!ok || !f.has_tasks || now - l->e[i].last_read > LOADS_IDLE_SECONDS) {
                        entry_drop(l, i);
                        continue;
                }
                vs_procfs_load_update(l->e[i].load, f.tasks_running);
                i++;
        }
}

static void *sampler(void *arg)
{
        struct loads *l = arg;
        pthread_mutex_lock(&l->lock);
        while (!l->stop) {
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_sec += VS_PROCFS_LOAD_INTERVAL;
                while (!l->stop && pthread_cond_timedwait(&l->wake, &l->lock, &until) != ETIMEDOUT)
                        ;
                if (!l->stop)
                        sample(l); /* under the lock: a few reads per container every 5 s */
        }
        pthread_mutex_unlock(&l->lock);
        return NULL;
}

int loads_start(struct loads **ret, const struct vs_cgroup_hosts *hosts, struct vs_error *err)
{
        struct loads *l = calloc(1, sizeof(*l));
        if (!l)
                return vs_error_set(err, ENOMEM, "out of memory");
        pthread_mutex_init(&l->lock, NULL);
        pthread_cond_init(&l->wake, NULL);
        l->hosts = hosts;
        int r = pthread_create(&l->thread, NULL, sampler, l);
        if (r != 0) {
                free(l);
                return vs_error_errno(err, r, "cannot start the load average thread");
        }
        *ret = l;
        return 0;
}

void loads_stop(struct loads *l)
{
        if (!l)
                return;
        pthread_mutex_lock(&l->lock);
        l->stop = true;
        pthread_cond_signal(&l->wake);
        pthread_mutex_unlock(&l->lock);
        pthread_join(l->thread, NULL);
        while (l->n)
                entry_drop(l, 0);
        free(l);
}

void loads_get(struct loads *l, char **dirs, double out[3])
{
        _cleanup_free_ char *key = join(dirs);
        if (!key)
                return;
        pthread_mutex_lock(&l->lock);
        size_t i = 0;
        while (i < l->n && strcmp(l->e[i].key, key) != 0)
                i++;
        if (i == l->n && l->n < LOADS_MAX) {
                char **copy = strv_copy(dirs);
                if (copy)
                        l->e[l->n++] = (struct load_entry){.dirs = copy, .key = TAKE_PTR(key)};
        }
        if (i < l->n) {
                l->e[i].last_read = time(NULL);
                memcpy(out, l->e[i].load, sizeof(l->e[i].load));
        }
        pthread_mutex_unlock(&l->lock);
}
