/* vessel: what the config.json parser's files share (private to src/oci).
 * config.c parses the top level, process, mounts and hooks; config_linux.c
 * the "linux" object, with its resources (config_resources.c) and seccomp
 * (config_seccomp.c). Each parse function fills a zeroed struct in place and
 * stores what it allocates there before failing, so that freeing the whole
 * config after an error releases the part already parsed. */
#ifndef VESSEL_OCI_CONFIG_INTERNAL_H
#define VESSEL_OCI_CONFIG_INTERNAL_H

#include <jansson.h>

#include "oci/config.h"
#include "oci/json.h"

/* A printable, quoted and bounded copy of a string from the input, for messages:
 * "pidd", with control characters escaped, so that an error stays one line. */
#define VS_OCI_QUOTE_MAX 80
const char *vs_oci_quote(char *buf, size_t size, const char *s);
#define VS_OCI_QUOTE(s) vs_oci_quote((char[VS_OCI_QUOTE_MAX]){0}, VS_OCI_QUOTE_MAX, (s))

/* Fail unless `path` (the member `key`'s value) is absolute. */
int vs_oci_check_absolute(struct vs_oci_json *j, const char *key, const char *path);

/* An array of {containerID, hostID, size}: each size > 0, no range beyond
 * 2^32, no two container ranges or two host ranges overlapping. */
int vs_oci_parse_idmaps(struct vs_oci_json *j, const json_t *obj, const char *key, struct vs_oci_idmap **ret,
                        size_t *ret_n);

int vs_oci_parse_linux(struct vs_oci_json *j, const json_t *root, struct vs_oci_linux **ret);
void vs_oci_linux_free(struct vs_oci_linux *linux_);

int vs_oci_parse_resources(struct vs_oci_json *j, const json_t *linux_obj, struct vs_oci_resources **ret);
void vs_oci_resources_free(struct vs_oci_resources *resources);

int vs_oci_parse_seccomp(struct vs_oci_json *j, const json_t *linux_obj, struct vs_oci_seccomp **ret);
void vs_oci_seccomp_free(struct vs_oci_seccomp *seccomp);

#endif
