/* vessel: shared libraries opened when first used (see image/lazy_curl.h).
 * A table of function pointers, one member per function, each of the type
 * of the library's own declaration. */
#ifndef VESSEL_UTIL_LAZY_H
#define VESSEL_UTIL_LAZY_H

#define VS_LAZY_MEMBER(name) __typeof__(&name) name;

/* dlopen soname and fill table[i] with names[i], for n names; on any
 * failure print one line naming the library or the function and exit 127. */
void vs_lazy_load(const char *soname, const char *const *names, void **table, unsigned n);

#endif
