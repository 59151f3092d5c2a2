/* vessel: a container's /etc/resolv.conf and /etc/hosts as its networks
 * make them: the host's resolv.conf with loopback nameservers replaced (as
 * docker does) or --dns/--dns-search/--dns-option; --add-host lines; and on
 * a user network, the names of the containers on its networks, kept current
 * as they come and go (the bind-mounted file is rewritten in place). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "engine/run_options.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/files.h"

#define HOSTS_MARK "# vessel: the containers of its networks\n"

static bool loopback_nameserver(const char *line)
{
        const char *v = line + strlen("nameserver");
        v += strspn(v, " \t");
        return strncmp(v, "127.", 4) == 0 || strncmp(v, "::1", 3) == 0;
}

static bool starts(const char *line, const char *word)
{
        size_t n = strlen(word);
        return strncmp(line, word, n) == 0 && (line[n] == ' ' || line[n] == '\t');
}

static void put_list(FILE *f, const char *key, char **values, bool one_line)
{
        if (!values || !*values)
                return;
        if (one_line) {
                fprintf(f, "%s", key);
                for (char **v = values; *v; v++)
                        fprintf(f, " %s", *v);
                fprintf(f, "\n");
                return;
        }
        for (char **v = values; *v; v++)
                fprintf(f, "%s %s\n", key, *v);
}

/* The resolv.conf text: the host's lines, each kind replaced by its flag. */
static char *resolv_text(const char *host, const struct vs_run_options *o, bool keep_loopback, size_t *len)
{
        char *out = NULL;
        FILE *f = open_memstream(&out, len);
        if (!f)
                return NULL;
        bool any_ns = false;
        _cleanup_free_ char *copy = strdup(host ? host : "");
        for (char *save = NULL, *line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
                if (starts(line, "nameserver")) {
                        if (o->dns || (!keep_loopback && loopback_nameserver(line)))
                                continue;
                        any_ns = true;
                } else if ((starts(line, "search") || starts(line, "domain")) && o->dns_search)
                        continue;
                else if (starts(line, "options") && o->dns_options)
                        continue;
                fprintf(f, "%s\n", line);
        }
        put_list(f, "nameserver", o->dns, false);
        if (!any_ns && !o->dns)
                fprintf(f, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
        put_list(f, "search", o->dns_search, true);
        put_list(f, "options", o->dns_options, true);
        fclose(f);
        return out;
}

static int write_at(const char *dir, const char *name, const char *text, size_t len, struct vs_error *err)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return vs_error_syscall(err, "cannot open %s", dir);
        return vs_write_file_replace(fd, name, text, len, 0644, err);
}

/* --add-host NAME:IP lines ("host-gateway": the network's gateway). */
static int add_hosts(const struct ctr_paths *p, const struct vs_run_options *o, uint32_t gateway, struct vs_error *err)
{
        if (!o->add_hosts)
                return 0;
        char path[700];
        snprintf(path, sizeof(path), "%s/hosts", p->rundir);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = vs_read_file(path, &text, &len, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *out = NULL;
        size_t out_len = 0;
        FILE *f = open_memstream(&out, &out_len);
        if (!f)
                return vs_error_set(err, ENOMEM, "out of memory");
        fwrite(text, 1, len, f);
        for (char **h = o->add_hosts; r == 0 && *h; h++) {
                const char *colon = strchr(*h, ':');
                if (!colon || colon == *h || !colon[1]) {
                        r = vs_error_set(err, EINVAL, "invalid argument \"%s\" for \"--add-host\" flag: HOST:IP", *h);
                        break;
                }
                char ip[16];
                uint32_t addr;
                if (strcmp(colon + 1, "host-gateway") == 0 && gateway)
                        vs_ipv4_format(gateway, ip);
                else if (vs_ipv4_parse(colon + 1, "--add-host", &addr, err) == 0)
                        vs_ipv4_format(addr, ip);
                else
                        r = -EINVAL;
                if (r == 0)
                        fprintf(f, "%s\t%.*s\n", ip, (int) (colon - *h), *h);
        }
        fclose(f);
        if (r == 0)
                r = write_at(p->rundir, "hosts", out, out_len, err);
        return r;
}

int container_net_etc(const struct ctr_paths *p, const struct vs_run_options *o, uint32_t gateway, struct vs_error *err)
{
        _cleanup_free_ char *host = NULL;
        size_t len = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file("/etc/resolv.conf", &host, &len, &ignored) < 0)
                vs_error_ignore(&ignored);
        bool host_mode = o->network && strcmp(o->network, "host") == 0;
        _cleanup_free_ char *text = container_dns_embedded(o->network) ? container_dns_resolv_text(host, o, &len)
                                                                       : resolv_text(host, o, host_mode, &len);
        if (!text)
                return vs_error_set(err, ENOMEM, "out of memory");
        int r = write_at(p->rundir, "resolv.conf", text, len, err);
        if (r == 0)
                r = add_hosts(p, o, gateway, err);
        return r;
}

/* --- names on user networks --- */

/* The containers sharing a user network with `id` (and id itself). */
static int peers_of(sqlite3 *db, const char *id, char ***ret, struct vs_error *err)
{
        _cleanup_free_ struct vs_net_endpoint *mine = NULL;
        size_t n = 0, count = 0;
        struct vs_net_network def;
        int r = vs_net_endpoint_list(db, id, NULL, &mine, &n, err);
        if (r == 0)
                r = vs_net_network_find(db, VS_NET_DEFAULT, &def, err);
        char **list = calloc(1, sizeof(char *));
        for (size_t i = 0; r == 0 && list && i < n; i++) {
                if (strcmp(mine[i].network_id, def.id) == 0)
                        continue;
                _cleanup_free_ struct vs_net_endpoint *eps = NULL;
                size_t ne = 0;
                r = vs_net_endpoint_list(db, NULL, mine[i].network_id, &eps, &ne, err);
                for (size_t j = 0; r == 0 && j < ne; j++) {
                        bool seen = false;
                        for (size_t k = 0; k < count && !seen; k++)
                                seen = strcmp(list[k], eps[j].container_id) == 0;
                        char **grown = seen ? list : realloc(list, (count + 2) * sizeof(char *));
                        if (!grown || (!seen && !(grown[count] = strdup(eps[j].container_id)))) {
                                r = vs_error_set(err, ENOMEM, "out of memory");
                                break;
                        }
                        list = grown;
                        if (!seen)
                                list[++count] = NULL;
                }
        }
        if (!list && r == 0)
                r = vs_error_set(err, ENOMEM, "out of memory");
        if (r < 0) {
                vs_strv_free(list);
                return r;
        }
        *ret = list;
        return 0;
}

/* The lines of `id`'s hosts file after the mark: every leased peer on its user networks. */
static void peer_lines(struct vs_store *s, const char *id, FILE *f)
{
        struct vs_error ignored = VS_ERROR_INIT;
        _cleanup_free_ struct vs_net_endpoint *mine = NULL;
        size_t n = 0;
        struct vs_net_network def;
        if (vs_net_endpoint_list(s->db, id, NULL, &mine, &n, &ignored) < 0 ||
            vs_net_network_find(s->db, VS_NET_DEFAULT, &def, &ignored) < 0)
                n = 0;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ struct vs_net_endpoint *eps = NULL;
                size_t ne = 0;
                if (strcmp(mine[i].network_id, def.id) == 0 ||
                    vs_net_endpoint_list(s->db, NULL, mine[i].network_id, &eps, &ne, &ignored) < 0)
                        continue;
                for (size_t j = 0; j < ne; j++) {
                        struct vs_container c = {0};
                        if (!eps[j].ip || strcmp(eps[j].container_id, id) == 0 ||
                            vs_container_find(s->db, eps[j].container_id, &c, &ignored) < 0)
                                continue;
                        char ips[2][VS_IP6_STRLEN] = {"", ""}; /* its IPv4, and IPv6 address */
                        vs_ipv4_format(eps[j].ip, ips[0]);
                        if (!vs_ipv6_is_zero(&eps[j].ip6))
                                vs_ipv6_format(&eps[j].ip6, ips[1]);
                        for (int v = 0; v < 2 && ips[v][0]; v++) {
                                fprintf(f, "%s\t%s %.12s", ips[v], c.name, c.id);
                                for (char *a = eps[j].aliases, *end; *a; a = *end ? end + 1 : end) {
                                        end = strchrnul(a, ','); /* --network-alias, comma-separated */
                                        fprintf(f, " %.*s", (int) (end - a), a);
                                }
                                fputc('\n', f);
                        }
                        vs_container_free(&c);
                }
        }
        vs_error_ignore(&ignored);
}

/* Rewrite the part of `id`'s hosts file after the mark, in place. */
static void hosts_rewrite(const struct globals *g, struct vs_store *s, const char *id)
{
        struct ctr_paths p;
        ctr_paths(g, id, &p);
        char path[700];
        snprintf(path, sizeof(path), "%s/hosts", p.rundir);
        _cleanup_free_ char *text = NULL, *out = NULL;
        size_t len = 0, out_len = 0;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_read_file(path, &text, &len, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return;
        }
        char *mark = strstr(text, HOSTS_MARK);
        if (mark)
                *mark = '\0';
        FILE *f = open_memstream(&out, &out_len);
        if (!f)
                return;
        fprintf(f, "%s%s", text, HOSTS_MARK);
        peer_lines(s, id, f);
        fclose(f);
        int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd >= 0) {
                if (write(fd, out, out_len) != (ssize_t) out_len) {
                        /* a full disk: the names stay as they were */
                }
                close(fd);
        }
}

char **container_net_peers(struct vs_store *s, const char *id)
{
        char **list = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (peers_of(s->db, id, &list, &ignored) < 0)
                vs_error_ignore(&ignored);
        return list;
}

void container_net_hosts_refresh(const struct globals *g, struct vs_store *s, char **peers)
{
        for (char **p = peers; p && *p; p++)
                hosts_rewrite(g, s, *p);
}
