#include "linux/capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci/names.h"
#include "util/cleanup.h"

/* The highest capability this kernel knows (it may know fewer than libcap). */
static int last_cap(void)
{
        char buf[16] = "";
        FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        int last = CAP_LAST_CAP;
        if (f) {
                if (fgets(buf, sizeof(buf), f))
                        last = atoi(buf);
                fclose(f);
        }
        return last;
}

/* The set's bit mask; a name the parser accepted but this kernel does not
 * know is an error naming it (the process would lack it silently). */
static int mask_of(char **names, const char *set, int last, uint64_t *ret, struct vs_error *err)
{
        uint64_t mask = 0;
        for (char **n = names; n && *n; n++) {
                int cap = vs_oci_capability_number(*n);
                if (cap < 0)
                        return vs_error_set(err, EINVAL, "process.capabilities.%s: unknown capability \"%s\"", set, *n);
                if (cap > last)
                        return vs_error_set(err, EINVAL, "process.capabilities.%s: %s is not known to this kernel", set,
                                            *n);
                mask |= 1ULL << cap;
        }
        *ret = mask;
        return 0;
}

int vs_caps_prepare(const struct vs_oci_capabilities *caps, struct vs_error *err)
{
        if (!caps)
                return 0;
        int last = last_cap();
        uint64_t bounding;
        int r = mask_of(caps->bounding, "bounding", last, &bounding, err);
        if (r < 0)
                return r;
        for (int cap = 0; cap <= last; cap++) {
                if (bounding & (1ULL << cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return vs_error_syscall(err, "process.capabilities.bounding: cannot drop %s",
                                                vs_oci_capability_names[cap]);
        }
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return vs_error_syscall(err, "cannot keep capabilities across the switch of user");
        return 0;
}

int vs_caps_apply(const struct vs_oci_capabilities *caps, struct vs_error *err)
{
        if (!caps)
                return 0;
        int last = last_cap();
        uint64_t eff, perm, inh, amb;
        int r = mask_of(caps->effective, "effective", last, &eff, err);
        if (r == 0)
                r = mask_of(caps->permitted, "permitted", last, &perm, err);
        if (r == 0)
                r = mask_of(caps->inheritable, "inheritable", last, &inh, err);
        if (r == 0)
                r = mask_of(caps->ambient, "ambient", last, &amb, err);
        if (r < 0)
                return r;
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct data[2] = {
                {.effective = (uint32_t) eff, .permitted = (uint32_t) perm, .inheritable = (uint32_t) inh},
                {.effective = (uint32_t) (eff >> 32),
                 .permitted = (uint32_t) (perm >> 32),
                 .inheritable = (uint32_t) (inh >> 32)},
        };
        if (syscall(SYS_capset, &hdr, data) < 0)
                return vs_error_syscall(err, "process.capabilities: cannot set the capability sets");
        (void) prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
        /* The kernel raises an ambient capability only if it is permitted
         * and inheritable too. runc's default spec lists ambient ones with no
         * inheritable set, and runc skips those; so does vessel: the ambient
         * set is what the other two sets allow of it. */
        uint64_t raisable = amb & perm & inh;
        for (int cap = 0; cap <= last; cap++) {
                if (!(raisable & (1ULL << cap)))
                        continue;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
                        return vs_error_syscall(err, "process.capabilities.ambient: cannot raise %s",
                                                vs_oci_capability_names[cap]);
        }
        return 0;
}
