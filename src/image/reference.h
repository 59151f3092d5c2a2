/* vessel: image references as Docker users write them, normalised as docker
 * and podman do:
 *   busybox                       -> docker.io/library/busybox:latest
 *   library/busybox:1.36          -> docker.io/library/busybox:1.36
 *   127.0.0.1:5000/team/app@sha256:...  (tag and digest may both be given)
 * The first component is a registry when it has a '.' or a ':' or is
 * "localhost"; otherwise docker.io is implied, and "library/" for one-component
 * paths on docker.io. Paths are lowercase ([a-z0-9] with . _ __ - separators),
 * tags [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, digests as util/digest.h checks. */
#ifndef VESSEL_IMAGE_REFERENCE_H
#define VESSEL_IMAGE_REFERENCE_H

#include <stdbool.h>

#include "util/error.h"

#define VS_IMAGE_DEFAULT_DOMAIN "docker.io"
#define VS_IMAGE_DEFAULT_TAG "latest"

struct vs_image_ref {
        char *domain; /* "docker.io", "127.0.0.1:5000", "localhost" */
        char *path;   /* "library/busybox", "team/app" */
        char *tag;    /* "latest" when neither tag nor digest was given; NULL when only a digest was */
        char *digest; /* "sha256:..." or NULL */
};

/* Parse and normalise; the error quotes the reference and says what is wrong
 * ("invalid reference format: repository name must be lowercase: Busybox"). */
int vs_image_ref_parse(const char *text, struct vs_image_ref *ret, struct vs_error *err);
void vs_image_ref_free(struct vs_image_ref *ref);
/* A deep copy; NULL on ENOMEM. */
int vs_image_ref_copy(const struct vs_image_ref *src, struct vs_image_ref *ret);

/* "docker.io/library/busybox:latest", "host:5000/a/b@sha256:..", "d/p:t@sha256:..". malloc'd. */
char *vs_image_ref_full(const struct vs_image_ref *ref);
/* "docker.io/library/busybox" (no tag, no digest). malloc'd. */
char *vs_image_ref_repository(const struct vs_image_ref *ref);
/* Docker's short form for tables: "busybox:latest", "team/app:1" on docker.io,
 * the full form elsewhere. malloc'd. */
char *vs_image_ref_familiar(const struct vs_image_ref *ref);
/* vs_image_ref_familiar of a reference given as text (a stored name);
 * text that does not parse comes back as it is. malloc'd; NULL on ENOMEM. */
char *vs_image_ref_familiar_text(const char *text);
/* True when text could be an image ID or a prefix of one (hex, 1..64 chars,
 * optional "sha256:" prefix); such text is looked up as an ID before a name. */
bool vs_image_ref_looks_like_id(const char *text);

#endif
