/* vessel: pty pairs for process.terminal (see terminal.h). */
#include "linux/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "util/cleanup.h"

int vs_pty_open(int *ret_master, char **ret_slave, struct vs_error *err)
{
        /* Relative to the current root: after pivot_root this is the
         * container's /dev/ptmx (a symlink to its devpts' pts/ptmx), so the
         * pair belongs to the container's devpts instance, not the host's. */
        _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return vs_error_syscall(err, "cannot open /dev/ptmx");
        int unlock = 0;
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return vs_error_syscall(err, "cannot unlock the pty slave (TIOCSPTLCK)");
        unsigned int index;
        if (ioctl(master, TIOCGPTN, &index) < 0)
                return vs_error_syscall(err, "cannot get the pty number (TIOCGPTN)");
        char *slave = NULL;
        if (asprintf(&slave, "/dev/pts/%u", index) < 0)
                return vs_error_errno(err, ENOMEM, "cannot name the pty slave");
        *ret_master = TAKE_FD(master);
        *ret_slave = slave;
        return 0;
}

int vs_pty_set_size(int fd, unsigned short rows, unsigned short cols, struct vs_error *err)
{
        struct winsize ws = {.ws_row = rows, .ws_col = cols};
        if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
                return vs_error_syscall(err, "cannot set the terminal size to %ux%u (TIOCSWINSZ)", rows, cols);
        return 0;
}

/* A session leader without a controlling terminal may take one: the
 * process that will exec is either a fresh child (setsid works) or already
 * leads its session (the container's init as pid 1 of a new pid namespace
 * may have called setsid itself). */
static int new_session(struct vs_error *err)
{
        if (setsid() >= 0)
                return 0;
        if (errno == EPERM && getsid(0) == getpid())
                return 0;
        return vs_error_syscall(err, "cannot start a new session for the terminal");
}

/* Make fd (an open tty) the process's stdin, stdout and stderr, inherited by exec. */
static int dup_to_stdio(int fd, const char *slave, struct vs_error *err)
{
        for (int target = 0; target <= 2; target++) {
                if (fd == target) {
                        if (fcntl(fd, F_SETFD, 0) < 0)
                                return vs_error_syscall(err, "cannot make %s inheritable as fd %d", slave, target);
                } else if (dup2(fd, target) < 0) {
                        return vs_error_syscall(err, "cannot dup %s to fd %d", slave, target);
                }
        }
        return 0;
}

int vs_pty_make_controlling(const char *slave, uid_t uid, gid_t gid, struct vs_error *err)
{
        int r = new_session(err);
        if (r < 0)
                return r;
        /* O_NOFOLLOW, and the check that it is a terminal: the name comes from
         * TIOCGPTN, but /dev/pts is in a root the container's image shaped, and
         * the fd becomes its stdio; what is opened must be a pty, not a file
         * the image planted (the TIOCGPTPEER rationale). */
        _cleanup_close_ int fd = open(slave, O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open the pty slave %s", slave);
        if (!isatty(fd))
                return vs_error_errno(err, ENOTTY, "cannot use %s as the terminal", slave);
        if ((uid != (uid_t) -1 || gid != (gid_t) -1) && fchown(fd, uid, gid) < 0)
                return vs_error_syscall(err, "cannot chown the pty slave %s to %d:%d", slave, (int) uid, (int) gid);
        if (ioctl(fd, TIOCSCTTY, 0) < 0)
                return vs_error_syscall(err, "cannot make %s the controlling terminal (TIOCSCTTY)", slave);
        r = dup_to_stdio(fd, slave, err);
        if (r < 0)
                return r;
        /* fd 0..2 are the terminal now: the cleanup must not close them. */
        if (fd <= 2)
                (void) TAKE_FD(fd);
        return 0;
}
