/* unpack-layer LAYER DIR: unpack one layer blob (tar, gzip or zstd) into the empty directory
 * DIR with vessel's unpacker and print its diff ID. For bench/pull, which times it against
 * `tar -xzf` of the same layer. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "image/unpack.h"

int main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: unpack-layer LAYER DIR\n");
                return 2;
        }
        int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        int dirfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || dirfd < 0) {
                perror("unpack-layer: open");
                return 1;
        }
        struct vs_unpack_options opts = {.origin = argv[1]};
        struct vs_error err = VS_ERROR_INIT;
        char diff_id[VS_DIGEST_MAX];
        if (vs_layer_unpack(fd, dirfd, &opts, diff_id, &err) < 0) {
                fprintf(stderr, "unpack-layer: %s\n", err.msg);
                return 1;
        }
        printf("%s\n", diff_id);
        return 0;
}
