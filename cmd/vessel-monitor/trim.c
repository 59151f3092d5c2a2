/* vessel-monitor: give back what the create used. An idle monitor's RSS is
 * a density figure (one monitor per container), and the create touched
 * far more than the loop ever will: the OCI parser, libseccomp, jansson,
 * libvessel's set-up, and their heap. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "monitor.h"

/* Drop our page-table references to the binary's read-only pages: they
 * stay in the page cache, shared, and the few the loop uses fault back in
 * (with the kernel's fault-around, 64 KiB at a time: measured 1.2 MiB
 * before, 0.7 MiB after, for an idle monitor).
 * Only mappings with no anonymous (written, copy-on-write) page are
 * dropped, read from smaps: MADV_DONTNEED on .data, .got or RELRO would
 * lose what was written there. */
static void drop_file_pages(void)
{
        FILE *smaps = fopen("/proc/self/smaps", "re");
        if (!smaps)
                return;
        char line[512];
        unsigned long start = 0, end = 0;
        bool candidate = false;
        while (fgets(line, sizeof(line), smaps)) {
                unsigned long s, e, anon;
                char perms[5];
                int path_at = 0;
                if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &s, &e, perms, &path_at) == 3) {
                        const char *path = line + path_at;
                        candidate = path_at && path[0] == '/' && perms[1] == '-' && perms[3] == 'p';
                        start = s;
                        end = e;
                } else if (candidate && sscanf(line, "Anonymous: %lu kB", &anon) == 1) {
                        if (anon == 0) {
                                (void) madvise((void *) start, end - start, MADV_DONTNEED);
                        }
                        candidate = false;
                }
        }
        fclose(smaps);
}

void monitor_trim_memory(void)
{
        malloc_trim(0);
        drop_file_pages();
}
