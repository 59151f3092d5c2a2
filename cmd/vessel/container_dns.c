/* vessel: the embedded DNS server of a container on a user network (docker's
 * 127.0.0.11), which its monitor serves (cmd/vessel-monitor/dns.c): whether
 * a container gets one, and the monitor flags that start it. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine.h"
#include "engine/run_options.h"
#include "net/store.h"
#include "util/cleanup.h"

bool container_dns_embedded(const char *network)
{
        if (!network || strcmp(network, "default") == 0 || strcmp(network, VS_NET_DEFAULT) == 0)
                return false;
        return strcmp(network, "none") != 0 && strcmp(network, "host") != 0 && strncmp(network, "container:", 10) != 0;
}

static bool starts(const char *line, const char *word)
{
        size_t n = strlen(word);
        return strncmp(line, word, n) == 0 && (line[n] == ' ' || line[n] == '\t');
}

static void put_joined(FILE *f, const char *key, char **values)
{
        fputs(key, f);
        for (char **v = values; *v; v++)
                fprintf(f, " %s", *v);
        fputc('\n', f);
}

/* As docker writes it on a user network: the embedded server only (the
 * servers of --dns or the host's are its upstreams), the host's search and
 * options lines unless --dns-search/--dns-option replace them, and ndots:0
 * unless an ndots is given, so that a container's name is asked as is
 * before any search domain. */
char *container_dns_resolv_text(const char *host, const struct vs_run_options *o, size_t *len)
{
        char *out = NULL;
        FILE *f = open_memstream(&out, len);
        if (!f)
                return NULL;
        fprintf(f, "nameserver %s\n", CONTAINER_DNS_ADDRESS);
        bool ndots = false;
        _cleanup_free_ char *copy = strdup(host ? host : "");
        for (char *save = NULL, *line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
                bool search = starts(line, "search") || starts(line, "domain");
                bool options = starts(line, "options");
                if ((search && !o->dns_search) || (options && !o->dns_options)) {
                        fprintf(f, "%s\n", line);
                        ndots = ndots || (options && strstr(line, "ndots:"));
                }
        }
        if (o->dns_search && *o->dns_search)
                put_joined(f, "search", o->dns_search);
        if (o->dns_options && *o->dns_options) {
                put_joined(f, "options", o->dns_options);
                for (char **v = o->dns_options; *v; v++)
                        ndots = ndots || strncmp(*v, "ndots:", 6) == 0;
        }
        if (!ndots)
                fputs("options ndots:0\n", f);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* Its HostConfig's Dns addresses, the first CONTAINER_DNS_UPSTREAM_MAX; a
 * name that is not an address (resolv.conf takes only addresses) is skipped. */
static void upstreams(json_t *dns, struct container_dns_args *x, size_t *n)
{
        size_t i, count = 0;
        json_t *v;
        json_array_foreach (dns, i, v) {
                const char *ip = json_string_value(v);
                unsigned char addr[sizeof(struct in6_addr)];
                if (count == CONTAINER_DNS_UPSTREAM_MAX || !ip || strlen(ip) >= sizeof(x->upstream[0]))
                        continue;
                if (inet_pton(AF_INET, ip, addr) != 1 && inet_pton(AF_INET6, ip, addr) != 1)
                        continue;
                snprintf(x->upstream[count], sizeof(x->upstream[count]), "%s", ip);
                x->argv[(*n)++] = "--dns-upstream";
                x->argv[(*n)++] = x->upstream[count++];
        }
}

int container_dns_monitor_args(const struct vs_container *c, const struct ctr_paths *p, struct container_dns_args *x,
                               struct vs_error *err)
{
        size_t n = 0;
        x->argv[0] = NULL;
        if (!c->host_config || !c->host_config[0])
                return 0;
        json_error_t jerr;
        json_t *hc = json_loads(c->host_config, 0, &jerr);
        if (!hc)
                return vs_error_set(err, EINVAL, "container %.12s: HostConfig: %s", c->id, jerr.text);
        if (container_dns_embedded(json_string_value(json_object_get(hc, "NetworkMode")))) {
                snprintf(x->hosts, sizeof(x->hosts), "%s/hosts", p->rundir);
                x->argv[n++] = "--dns-hosts";
                x->argv[n++] = x->hosts;
                upstreams(json_object_get(hc, "Dns"), x, &n);
        }
        x->argv[n] = NULL;
        json_decref(hc);
        return 0;
}
