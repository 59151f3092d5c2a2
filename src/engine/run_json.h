/* vessel: what a container was created with, in docker's words: the
 * `Config` and `HostConfig` objects of `docker inspect`, built from the
 * run/create flags (struct vs_run_options) and the image config. The
 * engine stores both in the container's record at create, and reads back
 * from HostConfig what later steps need (the restart policy, the log
 * options, the runtime). Pure: no store, no host. */
#ifndef VESSEL_ENGINE_RUN_JSON_H
#define VESSEL_ENGINE_RUN_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "engine/run_options.h"
#include "image/manifest.h"
#include "util/error.h"

/* docker's Config: Hostname, Domainname, User, Attach*, ExposedPorts, Tty,
 * OpenStdin, StdinOnce, Env (the image's, then -e: a later key replaces an
 * earlier one, a bare "K" removes K), Cmd, Image, Volumes, WorkingDir,
 * Entrypoint, OnBuild, Labels (the image's, then -l), StopSignal,
 * StopTimeout. `image` may be NULL. New reference in *ret. */
int vs_run_config_json(const struct vs_run_options *o, const struct vs_image_config *image, const char *hostname,
                       json_t **ret, struct vs_error *err);

/* docker's HostConfig from the flags. `runtime` is the OCI runtime the
 * container is created with: "vessel" (in-process) or a binary's path. */
int vs_run_host_config_json(const struct vs_run_options *o, const char *runtime, json_t **ret, struct vs_error *err);

/* Read back from a stored HostConfig (JSON text; NULL or "" gives the
 * defaults): the restart policy, the log driver and limits, the runtime
 * ("vessel" when absent). Bad text fails with EINVAL naming the member. */
struct vs_run_host_summary {
        enum vs_restart_policy restart;
        int restart_max_retries;
        bool log_none;        /* LogConfig.Type "none" */
        int64_t log_max_size; /* 0: unlimited */
        int log_max_file;     /* 0: unset */
        char runtime[4096];
};
int vs_run_host_summary(const char *host_config, struct vs_run_host_summary *ret, struct vs_error *err);

/* "no", "always", "unless-stopped", "on-failure". */
const char *vs_restart_policy_name(enum vs_restart_policy p);

#endif
