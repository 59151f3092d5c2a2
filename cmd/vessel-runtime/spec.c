/* vessel-runtime spec / features */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "oci/features.h"
#include "oci/spec.h"
#include "util/cleanup.h"

int cmd_spec(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"bundle", required_argument, NULL, 'b'}, {"rootless", no_argument, NULL, 'r'}, {0}};
        const char *bundle = ".";
        bool rootless = false;
        int c;
        while ((c = next_option(argc, argv, "+b:", longopts, "spec")) != -1) {
                if (c == 'b')
                        bundle = optarg;
                else if (c == 'r')
                        rootless = true;
                else
                        return 1;
        }
        if (!want_args(argc, argv, 0, "spec [--bundle DIR] [--rootless]"))
                return 1;
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_free_ char *json = NULL;
        if (vs_oci_spec_default(rootless, &json, &err) < 0)
                return fail(&err);
        _cleanup_close_ int dfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                vs_error_syscall(&err, "spec: --bundle %s", bundle);
                return fail(&err);
        }
        /* As runc: never overwrite a config.json that is there. */
        _cleanup_close_ int fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) {
                if (errno == EEXIST)
                        vs_error_set(&err, EEXIST, "spec: %s/config.json already exists", bundle);
                else
                        vs_error_syscall(&err, "spec: cannot create %s/config.json", bundle);
                return fail(&err);
        }
        size_t len = strlen(json);
        if (write(fd, json, len) != (ssize_t) len) {
                vs_error_syscall(&err, "spec: cannot write %s/config.json", bundle);
                return fail(&err);
        }
        return 0;
}

int cmd_features(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{0}};
        if (next_option(argc, argv, "+", longopts, "features") != -1 || !want_args(argc, argv, 0, "features"))
                return 1;
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_free_ char *json = NULL;
        if (vs_oci_features(&json, &err) < 0)
                return fail(&err);
        fputs(json, stdout);
        if (json[0] && json[strlen(json) - 1] != '\n')
                putchar('\n');
        return 0;
}
