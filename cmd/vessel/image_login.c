/* vessel login, vessel logout: credentials in Docker's config.json. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "commands.h"
#include "image/auth_file.h"
#include "image/reference.h"
#include "image/registry.h"
#include "util/cleanup.h"

/* "127.0.0.1:5000", "https://127.0.0.1:5000/v2/" or nothing (Docker Hub). */
static char *server_domain(const char *server)
{
        if (!server)
                return strdup(VS_IMAGE_DEFAULT_DOMAIN);
        const char *p = strstr(server, "://");
        p = p ? p + 3 : server;
        size_t n = strcspn(p, "/");
        char *d = strndup(p, n);
        if (d && (strcmp(d, "index.docker.io") == 0 || strcmp(d, "registry-1.docker.io") == 0)) {
                free(d);
                d = strdup(VS_IMAGE_DEFAULT_DOMAIN);
        }
        return d;
}

/* One line from stdin without its newline; echo off on a terminal. */
static char *read_line(const char *prompt, bool secret)
{
        struct termios old, quiet;
        bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
        if (tty) {
                fputs(prompt, stderr);
                if (secret) {
                        quiet = old;
                        quiet.c_lflag &= ~(tcflag_t) ECHO;
                        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
                }
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t n = getline(&line, &cap, stdin);
        if (tty && secret) {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
                fputc('\n', stderr);
        }
        if (n < 0) {
                free(line);
                return NULL;
        }
        line[strcspn(line, "\r\n")] = '\0';
        return line;
}

int cmd_login(const struct globals *g, int argc, char **argv)
{
        enum {
                OPT_STDIN = 1000,
                OPT_TLS,
                OPT_AUTHFILE
        };
        static const struct option longopts[] = {
                {"username", required_argument, NULL, 'u'},
                {"password", required_argument, NULL, 'p'},
                {"password-stdin", no_argument, NULL, OPT_STDIN},
                {"tls-verify", optional_argument, NULL, OPT_TLS},
                {"authfile", required_argument, NULL, OPT_AUTHFILE},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        struct vs_registry_options opts = {.tls_verify = -1};
        _cleanup_free_ char *user = NULL, *password = NULL;
        bool from_stdin = false;
        int c;
        (void) g;
        while ((c = next_option(argc, argv, "u:p:h", longopts)) != -1) {
                switch (c) {
                case 'u':
                        free(user);
                        user = strdup(optarg);
                        break;
                case 'p':
                        free(password);
                        password = strdup(optarg);
                        break;
                case OPT_STDIN:
                        from_stdin = true;
                        break;
                case OPT_TLS:
                        opts.tls_verify = !optarg || strcmp(optarg, "false") != 0;
                        break;
                case OPT_AUTHFILE:
                        opts.auth_file = optarg;
                        break;
                case 'h':
                        print_help("login [OPTIONS] [SERVER]", "Log in to a registry",
                                   "  -p, --password string   Password\n"
                                   "      --password-stdin    Take the password from stdin\n"
                                   "  -u, --username string   Username\n"
                                   "      --authfile string   Path of the authentication file\n"
                                   "      --tls-verify        Require HTTPS and verify certificates\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 0, 1, "login [OPTIONS] [SERVER]"))
                return 125;
        if (from_stdin && password)
                return fail_usage("--password and --password-stdin are mutually exclusive");
        if (from_stdin && !user)
                return fail_usage("must provide --username with --password-stdin");
        _cleanup_free_ char *domain = server_domain(optind < argc ? argv[optind] : NULL);
        if (!user)
                user = read_line("Username: ", false);
        if (!password)
                password = read_line("Password: ", true);
        struct vs_error err = VS_ERROR_INIT;
        if (!domain || !user || !user[0] || !password) {
                vs_error_set(&err, EINVAL, "login %s: a username and a password are required", domain ? domain : "");
                return fail(&err);
        }
        opts.username = user;
        opts.password = password;
        int r = vs_registry_login(domain, &opts, &err);
        if (r == 0)
                r = vs_auth_file_store(opts.auth_file, domain, user, password, &err);
        if (r < 0)
                return fail(&err);
        printf("Login Succeeded\n");
        return 0;
}

int cmd_logout(const struct globals *g, int argc, char **argv)
{
        enum {
                OPT_AUTHFILE = 1000
        };
        static const struct option longopts[] = {
                {"authfile", required_argument, NULL, OPT_AUTHFILE},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *auth_file = NULL;
        int c;
        (void) g;
        while ((c = next_option(argc, argv, "h", longopts)) != -1) {
                switch (c) {
                case OPT_AUTHFILE:
                        auth_file = optarg;
                        break;
                case 'h':
                        print_help("logout [SERVER]", "Log out from a registry",
                                   "      --authfile string   Path of the authentication file\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (!want_args(argc, argv, 0, 1, "logout [SERVER]"))
                return 125;
        _cleanup_free_ char *domain = server_domain(optind < argc ? argv[optind] : NULL);
        struct vs_error err = VS_ERROR_INIT;
        if (!domain)
                return 1;
        if (vs_auth_file_remove(auth_file, domain, &err) < 0)
                return fail(&err);
        printf("Removing login credentials for %s\n", domain);
        return 0;
}
