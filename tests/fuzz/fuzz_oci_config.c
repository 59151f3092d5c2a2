/* libFuzzer target: config.json and process.json parsing must never crash,
 * leak or hit undefined behaviour, and must keep their promises: an error is
 * one non-empty line; a parsed config has what validation guarantees. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "oci/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct vs_error *err)
{
        if (err->code <= 0 || err->msg[0] == '\0' || strchr(err->msg, '\n'))
                __builtin_trap();
}

static void check_process(const struct vs_oci_process *p)
{
        if (p->n_args == 0 || !p->args[0] || p->args[p->n_args] || !p->cwd || p->cwd[0] != '/')
                __builtin_trap();
        if (p->env && p->env[p->n_env])
                __builtin_trap();
}

static void check_config(const struct vs_oci_config *c)
{
        if (!c->oci_version || !c->root_path)
                __builtin_trap();
        for (size_t i = 0; i < c->n_mounts; i++)
                if (c->mounts[i].destination[0] != '/')
                        __builtin_trap();
        if (c->process)
                check_process(c->process);
        for (int t = 0; t < VS_NS_COUNT; t++) {
                const struct vs_oci_namespace *ns = vs_oci_config_namespace(c, (enum vs_oci_ns_type) t);
                if (ns && (ns->type != (enum vs_oci_ns_type) t || (ns->path && ns->path[0] != '/')))
                        __builtin_trap();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_oci_config *config = NULL;
        if (vs_oci_config_parse((const char *) data, size, "config.json", &config, &err) == 0) {
                check_config(config);
                vs_oci_config_free(config);
        } else {
                check_error(&err);
        }

        struct vs_error perr = VS_ERROR_INIT;
        struct vs_oci_process *process = NULL;
        if (vs_oci_process_parse((const char *) data, size, "process.json", &process, &perr) == 0) {
                check_process(process);
                vs_oci_process_free(process);
        } else {
                check_error(&perr);
        }
        return 0;
}
