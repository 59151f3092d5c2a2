/* vessel: shared libraries opened when first used (see util/lazy.h). */
#include "util/lazy.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

void vs_lazy_load(const char *soname, const char *const *names, void **table, unsigned n)
{
        void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
                fprintf(stderr, "vessel: cannot load %s: %s\n", soname, dlerror());
                exit(127);
        }
        for (unsigned i = 0; i < n; i++) {
                table[i] = dlsym(lib, names[i]);
                if (!table[i]) {
                        fprintf(stderr, "vessel: %s has no %s\n", soname, names[i]);
                        exit(127);
                }
        }
}
