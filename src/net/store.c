/* vessel: networking tables (see store.h). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "net/store.h"
#include "util/cleanup.h"
#include "util/db.h"

static const char *const schema[] = {
        "CREATE TABLE net_networks ("
        " id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, driver TEXT NOT NULL, bridge TEXT NOT NULL UNIQUE,"
        " subnet INTEGER NOT NULL, prefix INTEGER NOT NULL, gateway INTEGER NOT NULL,"
        " range INTEGER NOT NULL DEFAULT 0, range_prefix INTEGER NOT NULL DEFAULT 0,"
        " internal INTEGER NOT NULL DEFAULT 0, mtu INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);"
        "CREATE TABLE net_endpoints ("
        " container_id TEXT NOT NULL, network_id TEXT NOT NULL, ip_request INTEGER NOT NULL DEFAULT 0,"
        " ip INTEGER, mac TEXT NOT NULL DEFAULT '', aliases TEXT NOT NULL DEFAULT '',"
        " PRIMARY KEY (container_id, network_id));"
        "CREATE UNIQUE INDEX net_leases ON net_endpoints (network_id, ip) WHERE ip IS NOT NULL;"
        "CREATE TABLE net_ports ("
        " container_id TEXT NOT NULL, proto TEXT NOT NULL, host_ip TEXT NOT NULL,"
        " host_port_request INTEGER NOT NULL, host_port INTEGER NOT NULL DEFAULT 0,"
        " container_port INTEGER NOT NULL);"
        "CREATE UNIQUE INDEX net_bound ON net_ports (proto, host_port) WHERE host_port != 0;"
        /* the default network: 172.17.0.0/16 on vessel0, as docker's docker0 */
        "INSERT INTO net_networks (id, name, driver, bridge, subnet, prefix, gateway, created)"
        " VALUES (lower(hex(randomblob(32))), 'bridge', 'bridge', 'vessel0', 2886795264, 16, 2886795265,"
        " CAST(strftime('%s','now') AS INTEGER) * 1000000000);",
        /* 2: an endpoint's interface slot (network connect/disconnect) */
        "ALTER TABLE net_endpoints ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;",
        /* 3: IPv6 networks and leases (16-byte blobs: their order is the addresses'); a host
         * port bound per host IP ("" is 0.0.0.0, which conflicts with every IP: bind_one) */
        "ALTER TABLE net_networks ADD COLUMN subnet6 BLOB;"
        "ALTER TABLE net_networks ADD COLUMN prefix6 INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE net_networks ADD COLUMN gateway6 BLOB;"
        "ALTER TABLE net_endpoints ADD COLUMN ip6_request BLOB;"
        "ALTER TABLE net_endpoints ADD COLUMN ip6 BLOB;"
        "CREATE UNIQUE INDEX net_leases6 ON net_endpoints (network_id, ip6) WHERE ip6 IS NOT NULL;"
        "DROP INDEX net_bound;"
        "CREATE UNIQUE INDEX net_bound ON net_ports (proto, host_ip, host_port) WHERE host_port != 0;",
};

int vs_net_store_init(sqlite3 *db, struct vs_error *err)
{
        return vs_db_migrate(db, "net", schema, (int) VS_ARRAY_SIZE(schema), err);
}

static int exec_bound(sqlite3 *db, const char *sql, const char *a, const char *b, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, sql, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
        if (b)
                sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
        r = vs_db_step(db, st, err);
        return r < 0 ? r : 0;
}

#define NET_COLUMNS                                                                                                    \
        "id, name, driver, bridge, subnet, prefix, gateway, range, range_prefix, internal, mtu, created, subnet6,"     \
        " prefix6, gateway6"

/* A 16-byte blob column into *a (left zero when NULL). */
static void column_ip6(sqlite3_stmt *st, int col, struct in6_addr *a)
{
        if (sqlite3_column_bytes(st, col) == (int) sizeof(*a))
                memcpy(a, sqlite3_column_blob(st, col), sizeof(*a));
}

static void bind_ip6(sqlite3_stmt *st, int col, const struct in6_addr *a)
{
        if (vs_ipv6_is_zero(a))
                sqlite3_bind_null(st, col);
        else
                sqlite3_bind_blob(st, col, a, (int) sizeof(*a), SQLITE_TRANSIENT);
}

static void network_read(sqlite3_stmt *st, struct vs_net_network *n)
{
        memset(n, 0, sizeof(*n));
        snprintf(n->id, sizeof(n->id), "%s", (const char *) sqlite3_column_text(st, 0));
        snprintf(n->name, sizeof(n->name), "%s", (const char *) sqlite3_column_text(st, 1));
        snprintf(n->driver, sizeof(n->driver), "%s", (const char *) sqlite3_column_text(st, 2));
        snprintf(n->bridge, sizeof(n->bridge), "%s", (const char *) sqlite3_column_text(st, 3));
        n->subnet.addr = (uint32_t) sqlite3_column_int64(st, 4);
        n->subnet.prefix = (unsigned) sqlite3_column_int(st, 5);
        n->gateway = (uint32_t) sqlite3_column_int64(st, 6);
        n->ip_range.addr = (uint32_t) sqlite3_column_int64(st, 7);
        n->ip_range.prefix = (unsigned) sqlite3_column_int(st, 8);
        n->internal = sqlite3_column_int(st, 9) != 0;
        n->mtu = (unsigned) sqlite3_column_int(st, 10);
        n->created = sqlite3_column_int64(st, 11);
        column_ip6(st, 12, &n->subnet6.addr);
        n->subnet6.prefix = (unsigned) sqlite3_column_int(st, 13);
        column_ip6(st, 14, &n->gateway6);
        n->ipv6 = sqlite3_column_type(st, 12) == SQLITE_BLOB;
}

int vs_net_network_list(sqlite3 *db, struct vs_net_network **ret, size_t *n, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "SELECT " NET_COLUMNS " FROM net_networks ORDER BY created, name", &st, err);
        struct vs_net_network *list = NULL;
        size_t count = 0;
        while (r == 0 && (r = vs_db_step(db, st, err)) == 1) {
                struct vs_net_network *grown = realloc(list, (count + 1) * sizeof(*list));
                if (!grown) {
                        r = vs_error_set(err, ENOMEM, "out of memory");
                        break;
                }
                list = grown;
                network_read(st, &list[count++]);
                r = 0;
        }
        if (r < 0) {
                free(list);
                return r;
        }
        *ret = list;
        *n = count;
        return 0;
}

int vs_net_network_find(sqlite3 *db, const char *text, struct vs_net_network *ret, struct vs_error *err)
{
        _cleanup_free_ struct vs_net_network *list = NULL;
        size_t n = 0;
        int r = vs_net_network_list(db, &list, &n, err);
        if (r < 0)
                return r;
        const struct vs_net_network *found = NULL;
        size_t prefixed = 0;
        for (size_t i = 0; i < n; i++) {
                if (strcmp(list[i].name, text) == 0 || strcmp(list[i].id, text) == 0) {
                        *ret = list[i];
                        return 0;
                }
                if (text[0] && strncmp(list[i].id, text, strlen(text)) == 0) {
                        found = &list[i];
                        prefixed++;
                }
        }
        if (prefixed == 1) {
                *ret = *found;
                return 0;
        }
        return vs_error_set(err, ENOENT, "network %s not found", text);
}

/* The first free bridge name vessel1, vessel2, ... */
static void next_bridge(const struct vs_net_network *list, size_t n, char out[16])
{
        for (unsigned short k = 1;; k++) {
                snprintf(out, 16, "vessel%hu", k);
                bool taken = false;
                for (size_t i = 0; i < n && !taken; i++)
                        taken = strcmp(list[i].bridge, out) == 0;
                taken = taken || if_nametoindex(out) != 0; /* another store's, in this namespace */
                if (!taken)
                        return;
        }
}

static int network_check(const struct vs_net_network *list, size_t count, const struct vs_net_network *n,
                         struct vs_error *err)
{
        for (size_t i = 0; i < count; i++) {
                if (strcmp(list[i].name, n->name) == 0)
                        return vs_error_set(err, EEXIST, "network with name %s already exists", n->name);
                if (vs_cidr_overlap(&list[i].subnet, &n->subnet)) {
                        char a[20], b[20];
                        vs_cidr_format(&n->subnet, a);
                        vs_cidr_format(&list[i].subnet, b);
                        return vs_error_set(err, EEXIST,
                                            "invalid pool request: subnet %s overlaps with %s of network %s", a, b,
                                            list[i].name);
                }
                if (n->ipv6 && list[i].ipv6 && vs_cidr6_overlap(&list[i].subnet6, &n->subnet6)) {
                        char a[VS_IP6_STRLEN + 4], b[VS_IP6_STRLEN + 4];
                        vs_cidr6_format(&n->subnet6, a);
                        vs_cidr6_format(&list[i].subnet6, b);
                        return vs_error_set(err, EEXIST,
                                            "invalid pool request: subnet %s overlaps with %s of network %s", a, b,
                                            list[i].name);
                }
        }
        return 0;
}

static int network_write(sqlite3 *db, const struct vs_net_network *n, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "INSERT INTO net_networks (" NET_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, n->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, n->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, n->driver, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, n->bridge, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, n->subnet.addr);
        sqlite3_bind_int(st, 6, (int) n->subnet.prefix);
        sqlite3_bind_int64(st, 7, n->gateway);
        sqlite3_bind_int64(st, 8, n->ip_range.addr);
        sqlite3_bind_int(st, 9, (int) n->ip_range.prefix);
        sqlite3_bind_int(st, 10, n->internal);
        sqlite3_bind_int(st, 11, (int) n->mtu);
        sqlite3_bind_int64(st, 12, n->created);
        if (n->ipv6) {
                sqlite3_bind_blob(st, 13, &n->subnet6.addr, (int) sizeof(n->subnet6.addr), SQLITE_STATIC);
                sqlite3_bind_int(st, 14, (int) n->subnet6.prefix);
                sqlite3_bind_blob(st, 15, &n->gateway6, (int) sizeof(n->gateway6), SQLITE_STATIC);
        } else
                sqlite3_bind_int(st, 14, 0);
        r = vs_db_step(db, st, err);
        return r < 0 ? r : 0;
}

int vs_net_network_insert(sqlite3 *db, struct vs_net_network *n, struct vs_error *err)
{
        unsigned char raw[32];
        if (getrandom(raw, sizeof(raw), 0) != (ssize_t) sizeof(raw))
                return vs_error_syscall(err, "cannot make a network ID");
        for (size_t i = 0; i < sizeof(raw); i++)
                sprintf(n->id + 2 * i, "%02x", raw[i]);
        int r = vs_db_begin(db, err);
        if (r < 0)
                return r;
        _cleanup_free_ struct vs_net_network *list = NULL;
        size_t count = 0;
        r = vs_net_network_list(db, &list, &count, err);
        if (r == 0)
                r = network_check(list, count, n, err);
        if (r == 0) {
                next_bridge(list, count, n->bridge);
                r = network_write(db, n, err);
        }
        if (r == 0)
                r = vs_db_commit(db, err);
        if (r < 0)
                vs_db_rollback(db);
        return r;
}

int vs_net_network_delete(sqlite3 *db, const struct vs_net_network *n, struct vs_error *err)
{
        int r = vs_db_begin(db, err);
        if (r < 0)
                return r;
        _cleanup_free_ struct vs_net_endpoint *eps = NULL;
        size_t count = 0;
        r = vs_net_endpoint_list(db, NULL, n->id, &eps, &count, err);
        if (r == 0 && count > 0)
                r = vs_error_set(err, EBUSY, "error while removing network: network %s id %s has active endpoints",
                                 n->name, n->id);
        if (r == 0)
                r = exec_bound(db, "DELETE FROM net_networks WHERE id = ?", n->id, NULL, err);
        if (r == 0)
                r = vs_db_commit(db, err);
        if (r < 0)
                vs_db_rollback(db);
        return r;
}

/* The lowest interface slot (eth<slot>) the container does not use. */
static int free_slot(sqlite3 *db, const char *container_id, unsigned *ret, struct vs_error *err)
{
        _cleanup_free_ struct vs_net_endpoint *eps = NULL;
        size_t n = 0;
        int r = vs_net_endpoint_list(db, container_id, NULL, &eps, &n, err);
        if (r < 0)
                return r;
        for (unsigned slot = 0; slot < VS_NET_MAX_ENDPOINTS; slot++) {
                bool used = false;
                for (size_t i = 0; i < n && !used; i++)
                        used = eps[i].slot == slot;
                if (!used) {
                        *ret = slot;
                        return 0;
                }
        }
        return vs_error_set(err, ENOSPC, "container %.12s is on %d networks already", container_id,
                            VS_NET_MAX_ENDPOINTS);
}

int vs_net_endpoint_add(sqlite3 *db, struct vs_net_endpoint *e, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = free_slot(db, e->container_id, &e->slot, err);
        if (r == 0)
                r = vs_db_prepare(db,
                                  "INSERT INTO net_endpoints (container_id, network_id, ip_request, mac, aliases, slot,"
                                  " ip6_request) VALUES (?,?,?,?,?,?,?)",
                                  &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, e->container_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, e->network_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, e->ip_request);
        sqlite3_bind_text(st, 4, e->mac, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, e->aliases, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 6, (int) e->slot);
        bind_ip6(st, 7, &e->ip6_request);
        r = vs_db_step(db, st, err);
        if (r == -EEXIST) {
                vs_error_ignore(err);
                return vs_error_set(err, EEXIST, "container %.12s is already on network %.12s", e->container_id,
                                    e->network_id);
        }
        return r < 0 ? r : 0;
}

int vs_net_endpoint_remove(sqlite3 *db, const char *container_id, const char *network_id, struct vs_error *err)
{
        return exec_bound(db, "DELETE FROM net_endpoints WHERE container_id = ? AND network_id = ?", container_id,
                          network_id, err);
}

int vs_net_endpoint_list(sqlite3 *db, const char *container_id, const char *network_id, struct vs_net_endpoint **ret,
                         size_t *n, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(
                db,
                "SELECT container_id, network_id, ip_request, ifnull(ip, 0), mac, aliases, slot, ip6_request, ip6"
                " FROM net_endpoints WHERE (?1 IS NULL OR container_id = ?1)"
                " AND (?2 IS NULL OR network_id = ?2) ORDER BY slot, rowid",
                &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, network_id, -1, SQLITE_STATIC);
        struct vs_net_endpoint *list = NULL;
        size_t count = 0;
        while ((r = vs_db_step(db, st, err)) == 1) {
                struct vs_net_endpoint *grown = realloc(list, (count + 1) * sizeof(*list));
                if (!grown) {
                        r = vs_error_set(err, ENOMEM, "out of memory");
                        break;
                }
                list = grown;
                struct vs_net_endpoint *e = &list[count++];
                memset(e, 0, sizeof(*e));
                snprintf(e->container_id, sizeof(e->container_id), "%s", (const char *) sqlite3_column_text(st, 0));
                snprintf(e->network_id, sizeof(e->network_id), "%s", (const char *) sqlite3_column_text(st, 1));
                e->ip_request = (uint32_t) sqlite3_column_int64(st, 2);
                e->ip = (uint32_t) sqlite3_column_int64(st, 3);
                snprintf(e->mac, sizeof(e->mac), "%s", (const char *) sqlite3_column_text(st, 4));
                snprintf(e->aliases, sizeof(e->aliases), "%s", (const char *) sqlite3_column_text(st, 5));
                e->slot = (unsigned) sqlite3_column_int(st, 6);
                column_ip6(st, 7, &e->ip6_request);
                column_ip6(st, 8, &e->ip6);
        }
        if (r < 0) {
                free(list);
                return r;
        }
        *ret = list;
        *n = count;
        return 0;
}

/* The lowest free address of the network's range (not its network, gateway or broadcast). */
static int pick_address(sqlite3 *db, const struct vs_net_network *n, uint32_t *ret, struct vs_error *err)
{
        const struct vs_cidr *range = n->ip_range.prefix ? &n->ip_range : &n->subnet;
        uint32_t first = range->addr, last = range->addr | ~vs_cidr_mask(range);
        uint32_t bcast = n->subnet.addr | ~vs_cidr_mask(&n->subnet);
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db,
                              "SELECT ip FROM net_endpoints WHERE network_id = ? AND ip IS NOT NULL"
                              " AND ip >= ? AND ip <= ? ORDER BY ip",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, n->id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, first);
        sqlite3_bind_int64(st, 3, last);
        /* the taken addresses come sorted: walk both */
        int more = vs_db_step(db, st, err);
        for (uint64_t next = first; next <= last; next++) {
                while (more == 1 && (uint32_t) sqlite3_column_int64(st, 0) < next)
                        more = vs_db_step(db, st, err);
                if (more < 0)
                        return more;
                bool taken = more == 1 && (uint32_t) sqlite3_column_int64(st, 0) == next;
                if (taken || next == n->subnet.addr || next == n->gateway || next == bcast)
                        continue;
                *ret = (uint32_t) next;
                return 0;
        }
        return vs_error_set(err, ENOSPC, "no free address left on network %s", n->name);
}

/* The lowest free IPv6 address of the network: subnet + 1, 2, ... (not the
 * subnet-router anycast address or the gateway), at most 2^20 tried. */
static int pick_address6(sqlite3 *db, const struct vs_net_network *n, struct in6_addr *ret, struct vs_error *err)
{
        unsigned host_bits = 128 - n->subnet6.prefix;
        uint64_t last = host_bits >= 20 ? (1u << 20) : ((uint64_t) 1 << host_bits) - 1;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "SELECT ip6 FROM net_endpoints WHERE network_id = ? AND ip6 > ? ORDER BY ip6", &st,
                              err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, n->id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, &n->subnet6.addr, (int) sizeof(n->subnet6.addr), SQLITE_STATIC);
        int more = vs_db_step(db, st, err);
        struct in6_addr taken = {0};
        if (more == 1)
                column_ip6(st, 0, &taken);
        for (uint64_t k = 1; k <= last; k++) {
                struct in6_addr next = vs_ipv6_add(&n->subnet6.addr, k);
                while (more == 1 && memcmp(&taken, &next, sizeof(next)) < 0)
                        if ((more = vs_db_step(db, st, err)) == 1)
                                column_ip6(st, 0, &taken);
                if (more < 0)
                        return more;
                if ((more == 1 && memcmp(&taken, &next, sizeof(next)) == 0) ||
                    memcmp(&next, &n->gateway6, sizeof(next)) == 0)
                        continue;
                *ret = next;
                return 0;
        }
        return vs_error_set(err, ENOSPC, "no free IPv6 address left on network %s", n->name);
}

static int lease_write(sqlite3 *db, const struct vs_net_endpoint *e, uint32_t ip, const struct in6_addr *ip6,
                       struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db, "UPDATE net_endpoints SET ip = ?, ip6 = ? WHERE container_id = ? AND network_id = ?",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, ip);
        bind_ip6(st, 2, ip6);
        sqlite3_bind_text(st, 3, e->container_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, e->network_id, -1, SQLITE_STATIC);
        r = vs_db_step(db, st, err);
        if (r == -EEXIST) {
                char a[16], a6[VS_IP6_STRLEN];
                vs_ipv4_format(ip, a);
                vs_ipv6_format(ip6, a6);
                vs_error_ignore(err);
                return vs_error_set(err, EADDRINUSE, "address %s%s%s is already in use on network %.12s", a,
                                    vs_ipv6_is_zero(ip6) ? "" : " or ", vs_ipv6_is_zero(ip6) ? "" : a6, e->network_id);
        }
        return r < 0 ? r : 0;
}

int vs_net_endpoint_lease(sqlite3 *db, const struct vs_net_network *n, struct vs_net_endpoint *e, struct vs_error *err)
{
        int r = vs_db_begin(db, err);
        if (r < 0)
                return r;
        uint32_t ip = e->ip_request;
        struct in6_addr ip6 = n->ipv6 ? e->ip6_request : (struct in6_addr){0};
        if (!ip)
                r = pick_address(db, n, &ip, err);
        if (r == 0 && n->ipv6 && vs_ipv6_is_zero(&ip6))
                r = pick_address6(db, n, &ip6, err);
        if (r == 0)
                r = lease_write(db, e, ip, &ip6, err);
        if (r == 0)
                r = vs_db_commit(db, err);
        if (r < 0) {
                vs_db_rollback(db);
                return r;
        }
        e->ip = ip;
        e->ip6 = ip6;
        return 0;
}

int vs_net_release(sqlite3 *db, const char *container_id, struct vs_error *err)
{
        int r = exec_bound(db, "UPDATE net_endpoints SET ip = NULL, ip6 = NULL WHERE container_id = ?", container_id,
                           NULL, err);
        if (r == 0)
                r = exec_bound(db, "UPDATE net_ports SET host_port = 0 WHERE container_id = ?", container_id, NULL,
                               err);
        return r;
}

int vs_net_forget(sqlite3 *db, const char *container_id, struct vs_error *err)
{
        int r = exec_bound(db, "DELETE FROM net_endpoints WHERE container_id = ?", container_id, NULL, err);
        if (r == 0)
                r = exec_bound(db, "DELETE FROM net_ports WHERE container_id = ?", container_id, NULL, err);
        return r;
}

int vs_net_lease_count(sqlite3 *db, const char *network_id, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db,
                              "SELECT count(*) FROM net_endpoints WHERE ip IS NOT NULL"
                              " AND (?1 IS NULL OR network_id = ?1)",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, network_id, -1, SQLITE_STATIC);
        r = vs_db_step(db, st, err);
        return r < 0 ? r : sqlite3_column_int(st, 0);
}

int vs_net_port_add(sqlite3 *db, const struct vs_net_port *p, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db,
                              "INSERT INTO net_ports (container_id, proto, host_ip, host_port_request, container_port)"
                              " VALUES (?,?,?,?,?)",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, p->container_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, p->proto, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, p->host_ip, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, p->host_port_request);
        sqlite3_bind_int(st, 5, p->container_port);
        r = vs_db_step(db, st, err);
        return r < 0 ? r : 0;
}

int vs_net_port_list(sqlite3 *db, const char *container_id, struct vs_net_port **ret, size_t *n, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db,
                              "SELECT container_id, proto, host_ip, host_port_request, host_port, container_port"
                              " FROM net_ports WHERE (?1 IS NULL OR container_id = ?1) ORDER BY rowid",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
        struct vs_net_port *list = NULL;
        size_t count = 0;
        while ((r = vs_db_step(db, st, err)) == 1) {
                struct vs_net_port *grown = realloc(list, (count + 1) * sizeof(*list));
                if (!grown) {
                        r = vs_error_set(err, ENOMEM, "out of memory");
                        break;
                }
                list = grown;
                struct vs_net_port *p = &list[count++];
                memset(p, 0, sizeof(*p));
                snprintf(p->container_id, sizeof(p->container_id), "%s", (const char *) sqlite3_column_text(st, 0));
                snprintf(p->proto, sizeof(p->proto), "%s", (const char *) sqlite3_column_text(st, 1));
                snprintf(p->host_ip, sizeof(p->host_ip), "%s", (const char *) sqlite3_column_text(st, 2));
                p->host_port_request = (uint16_t) sqlite3_column_int(st, 3);
                p->host_port = (uint16_t) sqlite3_column_int(st, 4);
                p->container_port = (uint16_t) sqlite3_column_int(st, 5);
        }
        if (r < 0) {
                free(list);
                return r;
        }
        *ret = list;
        *n = count;
        return 0;
}

/* Is `port` bound by another row on host_ip, or on 0.0.0.0 when either is? (1: yes) */
static int port_taken(sqlite3 *db, sqlite3_int64 rowid, const char *proto, const char *host_ip, int port,
                      struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(db,
                              "SELECT 1 FROM net_ports WHERE proto = ?1 AND host_port = ?2 AND rowid != ?3"
                              " AND (host_ip = ?4 OR host_ip = '' OR ?4 = '') LIMIT 1",
                              &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, proto, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, port);
        sqlite3_bind_int64(st, 3, rowid);
        sqlite3_bind_text(st, 4, host_ip, -1, SQLITE_STATIC);
        return vs_db_step(db, st, err);
}

/* Bind one port row (by rowid) to `port`: EADDRINUSE when it is taken. */
static int bind_one(sqlite3 *db, sqlite3_int64 rowid, const char *proto, const char *host_ip, int port,
                    struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = port_taken(db, rowid, proto, host_ip, port, err);
        if (r == 0)
                r = vs_db_prepare(db, "UPDATE net_ports SET host_port = ? WHERE rowid = ?", &st, err);
        if (r == 0) {
                sqlite3_bind_int(st, 1, port);
                sqlite3_bind_int64(st, 2, rowid);
                r = vs_db_step(db, st, err);
        }
        if (r == 1 || r == -EEXIST) {
                if (r < 0)
                        vs_error_ignore(err);
                return vs_error_set(err, EADDRINUSE, "Bind for %s:%d failed: port is already allocated (%s)",
                                    host_ip[0] ? host_ip : "0.0.0.0", port, proto);
        }
        return r < 0 ? r : 0;
}

static int bind_all(sqlite3 *db, const char *container_id, struct vs_error *err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = vs_db_prepare(
                db, "SELECT rowid, proto, host_port_request, host_ip FROM net_ports WHERE container_id = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, container_id, -1, SQLITE_STATIC);
        while ((r = vs_db_step(db, st, err)) == 1) {
                sqlite3_int64 rowid = sqlite3_column_int64(st, 0);
                char proto[4];
                snprintf(proto, sizeof(proto), "%s", (const char *) sqlite3_column_text(st, 1));
                int want = sqlite3_column_int(st, 2);
                char host_ip[sizeof(((struct vs_net_port *) 0)->host_ip)];
                snprintf(host_ip, sizeof(host_ip), "%s", (const char *) sqlite3_column_text(st, 3));
                if (want) {
                        r = bind_one(db, rowid, proto, host_ip, want, err);
                } else {
                        r = -EADDRINUSE;
                        for (int port = 49153; port <= 60999 && r == -EADDRINUSE; port++) {
                                r = bind_one(db, rowid, proto, host_ip, port, err);
                                if (r == -EADDRINUSE)
                                        vs_error_ignore(err);
                        }
                        if (r == -EADDRINUSE)
                                r = vs_error_set(err, EADDRINUSE, "no free host port left");
                }
                if (r < 0)
                        return r;
        }
        return r;
}

int vs_net_ports_bind(sqlite3 *db, const char *container_id, struct vs_error *err)
{
        int r = vs_db_begin(db, err);
        if (r < 0)
                return r;
        r = bind_all(db, container_id, err);
        if (r == 0)
                r = vs_db_commit(db, err);
        if (r < 0)
                vs_db_rollback(db);
        return r;
}
