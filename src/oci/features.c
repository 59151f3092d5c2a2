/* vessel: the runtime-spec features document. As features.md asks, it is
 * what this build recognizes, not what the host can do: it is built from the
 * same tables the parser validates against. */
#include "oci/features.h"

#include <errno.h>
#include <jansson.h>

#include "oci/config.h"
#include "oci/json.h"
#include "oci/mount_options.h"
#include "oci/names.h"
#include "util/cleanup.h"
#include "vessel-config.h"

static json_t *mount_option_names(void)
{
        size_t n;
        const struct vs_oci_mount_option_info *options = vs_oci_mount_options(&n);
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < n; i++)
                if (json_array_append_new(arr, json_string(options[i].name)) < 0) {
                        json_decref(arr);
                        return NULL;
                }
        return arr;
}

static json_t *capability_names(void)
{
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < vs_oci_n_capability_names; i++)
                if (json_array_append_new(arr, json_string(vs_oci_capability_names[i])) < 0) {
                        json_decref(arr);
                        return NULL;
                }
        return arr;
}

/* Sorted by name, as runc lists them. */
static json_t *namespace_names(void)
{
        static const char *const sorted[] = {
                "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL,
        };
        return vs_oci_json_string_array(sorted);
}

/* Recognized, not necessarily supported by this host's kernel and libseccomp:
 * supportedFlags is what the libseccomp vessel builds against can set. */
static json_t *seccomp_features(void)
{
        return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1, "actions",
                         vs_oci_json_string_array(vs_oci_seccomp_actions), "operators",
                         vs_oci_json_string_array(vs_oci_seccomp_operators), "archs",
                         vs_oci_json_string_array(vs_oci_seccomp_archs), "knownFlags",
                         vs_oci_json_string_array(vs_oci_seccomp_known_flags), "supportedFlags",
                         vs_oci_json_string_array(vs_oci_seccomp_supported_flags));
}

/* cgroup: cgroupfs on v1, v2 and hybrid hosts; no systemd manager yet. No LSM
 * and no Intel RDT support: their config fields are parsed but not applied. */
static json_t *linux_features(void)
{
        return json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}, s:{s:b}, s:{s:{s:b}}}",
                         "namespaces", namespace_names(), "capabilities", capability_names(), "cgroup", "v1", 1, "v2",
                         1, "systemd", 0, "systemdUser", 0, "seccomp", seccomp_features(), "apparmor", "enabled", 0,
                         "selinux", "enabled", 0, "intelRdt", "enabled", 0, "mountExtensions", "idmap", "enabled", 1);
}

int vs_oci_features(char **ret_json, struct vs_error *err)
{
        _cleanup_oci_json_ json_t *features = json_pack(
                "{s:s, s:s, s:o, s:o, s:o, s:{s:s}}", "ociVersionMin", "1.0.0", "ociVersionMax", VESSEL_OCI_VERSION,
                "hooks", vs_oci_json_string_array(vs_oci_hook_names), "mountOptions", mount_option_names(), "linux",
                linux_features(), "annotations", "dev.vessel.version", VESSEL_VERSION);
        if (!features)
                return vs_error_set(err, ENOMEM, "cannot build the features document: out of memory");
        return vs_oci_json_dump(features, "the features document", ret_json, err);
}
