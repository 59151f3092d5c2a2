#include "linux/sealed_exe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/cleanup.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* Already safe: running from a sealed memfd (after the re-exec), or from a
 * read-only filesystem, where no one can open the binary for writing. */
static bool already_safe(int exe)
{
        int seals = fcntl(exe, F_GET_SEALS);
        if (seals >= 0 && (seals & SEALS) == SEALS)
                return true;
        struct statvfs sv;
        return fstatvfs(exe, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static int copy_sealed(int exe, struct vs_error *err)
{
        struct stat st;
        if (fstat(exe, &st) < 0)
                return vs_error_syscall(err, "cannot stat /proc/self/exe");
        _cleanup_close_ int mfd = memfd_create("vessel-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (mfd < 0)
                return vs_error_syscall(err, "cannot create a memfd for the runtime's copy");
        off_t off = 0;
        while (off < st.st_size) {
                ssize_t n = sendfile(mfd, exe, &off, (size_t) (st.st_size - off));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return vs_error_syscall(err, "cannot copy the runtime into a memfd");
        }
        if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
                return vs_error_syscall(err, "cannot seal the runtime's copy");
        return TAKE_FD(mfd);
}

int vs_sealed_exe_reexec(char **argv, char **envp, struct vs_error *err)
{
        _cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (exe < 0)
                return vs_error_syscall(err, "cannot open /proc/self/exe");
        if (already_safe(exe))
                return 0;
        _cleanup_close_ int mfd = copy_sealed(exe, err);
        if (mfd < 0)
                return mfd;
        fexecve(mfd, argv, envp);
        return vs_error_syscall(err, "cannot run the runtime's sealed copy");
}
