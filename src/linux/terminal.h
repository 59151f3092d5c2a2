/* vessel: terminals for process.terminal. A pty pair made by the container's
 * init from its own devpts (terminal.c), the master handed to the runtime and
 * to runc's --console-socket over unix sockets with SCM_RIGHTS
 * (console_socket.c), and the foreground proxy between the caller's terminal
 * and the master for `run` / `exec -t` without a console socket
 * (pty_proxy.c).
 *
 * Every fallible function returns 0 or a negative errno and fills err with
 * one line naming the operation and the object; every fd made is O_CLOEXEC;
 * outputs are untouched on failure. */
#ifndef VESSEL_LINUX_TERMINAL_H
#define VESSEL_LINUX_TERMINAL_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* The longest pty name runc's console socket protocol carries (data < 4096 bytes). */
#define VS_CONSOLE_NAME_MAX 4096

/* Open a new pty pair from the /dev/ptmx of the CURRENT mount namespace (the
 * container's own devpts when called by the init after pivot_root):
 * *ret_master is O_RDWR|O_NOCTTY|O_CLOEXEC, *ret_slave the slave's path
 * ("/dev/pts/0", malloc'd), already unlocked. */
int vs_pty_open(int *ret_master, char **ret_slave, struct vs_error *err);

/* Set the window size (TIOCSWINSZ) of a pty fd (master or slave). */
int vs_pty_set_size(int fd, unsigned short rows, unsigned short cols, struct vs_error *err);

/* In the process that will exec the user's program: a new session (kept if
 * the caller already leads one), open the slave, make it the controlling
 * terminal (TIOCSCTTY), dup it to 0, 1 and 2 (without close-on-exec); chown
 * it to uid/gid first when asked ((uid_t) -1 / (gid_t) -1 keep). */
int vs_pty_make_controlling(const char *slave, uid_t uid, gid_t gid, struct vs_error *err);

/* Pass one fd with a payload over a unix socket: exactly one SCM_RIGHTS
 * control message holding exactly one fd, in one sendmsg. Used between the
 * container's init and the runtime (SOCK_SEQPACKET) and for the console
 * socket (SOCK_STREAM). A zero-length payload is sent as one NUL byte (a
 * stream socket carries no control data without data), which the receiver
 * sees as a 1-byte payload. */
int vs_fd_send(int sock, int fd, const void *data, size_t len, struct vs_error *err);

/* Receive one message sent by vs_fd_send (or runc's console socket
 * protocol): the fd (close-on-exec) in *ret_fd, the payload in buf, its
 * length in *ret_len (ret_len may be NULL). buf is not NUL-terminated. A
 * message with no fd, more than one fd, truncated control data, a payload
 * larger than bufsz on a SOCK_SEQPACKET socket, or the peer gone (EPIPE) are
 * errors, and any fd that did arrive is closed. */
int vs_fd_recv(int sock, int *ret_fd, void *buf, size_t bufsz, size_t *ret_len, struct vs_error *err);

/* runc's --console-socket protocol: connect AF_UNIX SOCK_STREAM to path and
 * send, in ONE sendmsg, the pty name as data (no NUL, < 4096 bytes) with
 * exactly one SCM_RIGHTS fd, the master. Errors name the path: "--console-socket
 * /x: No such file or directory", "--console-socket /x is not a socket". A
 * path longer than sun_path is reached through /proc/self/fd. */
int vs_console_socket_send(const char *path, int master, const char *name, struct vs_error *err);

/* Validate --console-socket early, before anything is created: the path
 * exists and is a socket (a symlink to one is followed, as connect does). */
int vs_console_socket_check(const char *path, struct vs_error *err);

/* The foreground terminal (`run` / `exec -t` without --console-socket).
 *
 * If stdin is a tty it is put in raw mode, restored on return (also on
 * error). stdin is copied to the master and the master to stdout with epoll
 * until the master reports EOF or EIO, that is until every holder of the
 * slave closed it (the process exited); stdin reaching EOF only stops the
 * input side. The master's window size is set at start from
 * initial_rows/initial_cols when either is nonzero (process.consoleSize),
 * else from stdin's (or stdout's) terminal, and again from it on every
 * SIGWINCH, read with a signalfd.
 *
 * The caller:
 *  - blocks SIGWINCH (sigprocmask / pthread_sigmask) before the call: a
 *    signal ignored by default is dropped when generated, so the signalfd
 *    would never see it. If it is not blocked it is blocked for the call
 *    and the mask restored on return, but a resize before that is lost.
 *  - makes sure the slave is already open (held by the container's process
 *    or by the caller) before the call: a master whose slave nobody holds
 *    reports a hang-up at once, and the proxy returns.
 *  - ignores SIGPIPE if stdout may be a pipe closed early. Output that
 *    stdout no longer takes is drained and dropped so the container's
 *    process never blocks on it.
 *
 * The master is switched to O_NONBLOCK; stdin and stdout are never (their
 * file descriptions are shared with the caller's shell). */
int vs_pty_proxy(int master, unsigned short initial_rows, unsigned short initial_cols, struct vs_error *err);

#endif
