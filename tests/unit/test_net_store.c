/* Unit tests for src/net/store.c: networks (unique names, no overlapping
 * subnets), IPAM (lowest free address, the gateway and broadcast skipped,
 * --ip-range, exhaustion, release, no duplicate under racing processes) and
 * port bindings (conflicts, per host IP, free ports chosen), IPv6 networks
 * (overlaps refused, leases from subnet + 1, the gateway skipped, --ip6). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/store.h"
#include "util/db.h"
#include "util/files.h"

struct fixture {
        char tmp[64], path[128];
        sqlite3 *db;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        snprintf(f->tmp, sizeof(f->tmp), "/tmp/vessel-net-XXXXXX");
        if (!mkdtemp(f->tmp))
                return -1;
        snprintf(f->path, sizeof(f->path), "%s/vessel.db", f->tmp);
        struct vs_error err = VS_ERROR_INIT;
        if (vs_db_open(f->path, &f->db, &err) < 0 || vs_net_store_init(f->db, &err) < 0) {
                print_message("# setup: %s\n", err.msg);
                return -1;
        }
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        vs_db_close(f->db);
        int r = vs_remove_tree_at(AT_FDCWD, f->tmp, &err);
        free(f);
        return r;
}

static void assert_contains(const char *haystack, const char *needle)
{
        if (!strstr(haystack, needle))
                fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void add_network(sqlite3 *db, const char *name, const char *subnet, const char *range, struct vs_net_network *n)
{
        struct vs_error err = VS_ERROR_INIT;
        memset(n, 0, sizeof(*n));
        snprintf(n->name, sizeof(n->name), "%s", name);
        snprintf(n->driver, sizeof(n->driver), "bridge");
        assert_int_equal(vs_cidr_parse(subnet, "--subnet", &n->subnet, &err), 0);
        if (range)
                assert_int_equal(vs_cidr_parse(range, "--ip-range", &n->ip_range, &err), 0);
        n->gateway = n->subnet.addr + 1;
        if (vs_net_network_insert(db, n, &err) < 0)
                fail_msg("%s", err.msg);
}

static uint32_t lease(sqlite3 *db, const struct vs_net_network *n, const char *ctr, uint32_t want, int expect)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_net_endpoint e = {.ip_request = want};
        snprintf(e.container_id, sizeof(e.container_id), "%s", ctr);
        snprintf(e.network_id, sizeof(e.network_id), "%s", n->id);
        assert_int_equal(vs_net_endpoint_add(db, &e, &err), 0);
        int r = vs_net_endpoint_lease(db, n, &e, &err);
        if (r != expect)
                fail_msg("lease for %s: %d (%s), want %d", ctr, r, err.msg, expect);
        return e.ip;
}

static void test_default_network(void **state)
{
        struct fixture *f = *state;
        struct vs_net_network n;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_net_network_find(f->db, "bridge", &n, &err), 0);
        assert_string_equal(n.bridge, "vessel0");
        char buf[20];
        vs_cidr_format(&n.subnet, buf);
        assert_string_equal(buf, "172.17.0.0/16");
        vs_ipv4_format(n.gateway, buf);
        assert_string_equal(buf, "172.17.0.1");
        assert_int_equal(strlen(n.id), 64);
        /* a prefix of the id finds it too */
        char prefix[8];
        snprintf(prefix, sizeof(prefix), "%.6s", n.id);
        assert_int_equal(vs_net_network_find(f->db, prefix, &n, &err), 0);
        assert_int_equal(vs_net_network_find(f->db, "nope", &n, &err), -ENOENT);
        assert_string_equal(err.msg, "network nope not found");
}

static void test_network_conflicts(void **state)
{
        struct fixture *f = *state;
        struct vs_net_network a, b;
        add_network(f->db, "one", "10.1.0.0/16", NULL, &a);
        assert_string_equal(a.bridge, "vessel1");
        struct vs_error err = VS_ERROR_INIT;
        memset(&b, 0, sizeof(b));
        snprintf(b.name, sizeof(b.name), "one");
        vs_cidr_parse("10.2.0.0/16", "x", &b.subnet, &err);
        assert_int_equal(vs_net_network_insert(f->db, &b, &err), -EEXIST);
        assert_contains(err.msg, "already exists");
        snprintf(b.name, sizeof(b.name), "two");
        vs_cidr_parse("10.1.128.0/24", "x", &b.subnet, &err);
        struct vs_error e2 = VS_ERROR_INIT;
        assert_int_equal(vs_net_network_insert(f->db, &b, &e2), -EEXIST);
        assert_contains(e2.msg, "overlaps with 10.1.0.0/16 of network one");
        struct vs_net_network *list = NULL;
        size_t n = 0;
        assert_int_equal(vs_net_network_list(f->db, &list, &n, &err), 0);
        assert_int_equal(n, 2); /* bridge and one: nothing of the refused ones */
        free(list);
}

static void test_lease_order(void **state)
{
        struct fixture *f = *state;
        struct vs_net_network n;
        add_network(f->db, "small", "10.5.0.0/29", NULL, &n); /* .1 gateway, .2-.6 hosts, .7 broadcast */
        assert_int_equal(lease(f->db, &n, "c1", 0, 0), 0x0a050002u);
        assert_int_equal(lease(f->db, &n, "c2", 0, 0), 0x0a050003u);
        assert_int_equal(lease(f->db, &n, "c3", 0x0a050005u, 0), 0x0a050005u); /* --ip */
        lease(f->db, &n, "c4", 0x0a050005u, -EADDRINUSE);
        assert_int_equal(lease(f->db, &n, "c5", 0, 0), 0x0a050004u);
        assert_int_equal(lease(f->db, &n, "c6", 0, 0), 0x0a050006u);
        lease(f->db, &n, "c7", 0, -ENOSPC);
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_net_lease_count(f->db, n.id, &err), 5);
        /* a release frees the address for the next one */
        assert_int_equal(vs_net_release(f->db, "c2", &err), 0);
        assert_int_equal(lease(f->db, &n, "c8", 0, 0), 0x0a050003u);
        /* a network with endpoints cannot go */
        assert_int_equal(vs_net_network_delete(f->db, &n, &err), -EBUSY);
        assert_contains(err.msg, "active endpoints");
}

static void test_lease_range(void **state)
{
        struct fixture *f = *state;
        struct vs_net_network n;
        add_network(f->db, "ranged", "10.6.0.0/24", "10.6.0.128/25", &n);
        assert_int_equal(lease(f->db, &n, "c1", 0, 0), 0x0a060080u);
        assert_int_equal(lease(f->db, &n, "c2", 0, 0), 0x0a060081u);
}

static void test_lease_race(void **state)
{
        struct fixture *f = *state;
        struct vs_net_network n;
        add_network(f->db, "race", "10.7.0.0/24", NULL, &n);
        enum {
                PROCS = 6,
                EACH = 5
        };
        for (int p = 0; p < PROCS; p++) {
                pid_t pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                        sqlite3 *db;
                        struct vs_error err = VS_ERROR_INIT;
                        if (vs_db_open(f->path, &db, &err) < 0)
                                _exit(1);
                        for (int i = 0; i < EACH; i++) {
                                struct vs_net_endpoint e = {0};
                                snprintf(e.container_id, sizeof(e.container_id), "p%dc%d", p, i);
                                snprintf(e.network_id, sizeof(e.network_id), "%s", n.id);
                                if (vs_net_endpoint_add(db, &e, &err) < 0 ||
                                    vs_net_endpoint_lease(db, &n, &e, &err) < 0)
                                        _exit(2);
                        }
                        vs_db_close(db);
                        _exit(0);
                }
        }
        for (int p = 0; p < PROCS; p++) {
                int status;
                wait(&status);
                assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        struct vs_net_endpoint *eps = NULL;
        size_t count = 0;
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_net_endpoint_list(f->db, NULL, n.id, &eps, &count, &err), 0);
        assert_int_equal(count, PROCS * EACH);
        for (size_t i = 0; i < count; i++) {
                assert_true(eps[i].ip > 0x0a070001u && eps[i].ip < 0x0a0700ffu);
                for (size_t j = i + 1; j < count; j++)
                        assert_int_not_equal(eps[i].ip, eps[j].ip);
        }
        free(eps);
}

static void add_port_ip(sqlite3 *db, const char *ctr, const char *proto, const char *ip, uint16_t host, uint16_t cport)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_net_port p = {.host_port_request = host, .container_port = cport};
        snprintf(p.container_id, sizeof(p.container_id), "%s", ctr);
        snprintf(p.proto, sizeof(p.proto), "%s", proto);
        snprintf(p.host_ip, sizeof(p.host_ip), "%s", ip);
        assert_int_equal(vs_net_port_add(db, &p, &err), 0);
}

static void add_port(sqlite3 *db, const char *ctr, const char *proto, uint16_t host, uint16_t cport)
{
        add_port_ip(db, ctr, proto, "", host, cport);
}

/* Bind ctr's ports: 0, or EADDRINUSE with `msg` in the error. */
static void bind_expect(sqlite3 *db, const char *ctr, const char *msg)
{
        struct vs_error err = VS_ERROR_INIT;
        int r = vs_net_ports_bind(db, ctr, &err);
        if (r != (msg ? -EADDRINUSE : 0))
                fail_msg("bind %s: %d (%s)", ctr, r, err.msg);
        if (msg)
                assert_contains(err.msg, msg);
}

static void test_ports_by_ip(void **state)
{
        struct fixture *f = *state;
        add_port_ip(f->db, "a", "tcp", "127.0.0.1", 8080, 80);
        bind_expect(f->db, "a", NULL);
        add_port_ip(f->db, "b", "tcp", "10.0.0.1", 8080, 80); /* another IP: both */
        bind_expect(f->db, "b", NULL);
        add_port_ip(f->db, "c", "tcp", "127.0.0.1", 8080, 80); /* the same IP */
        bind_expect(f->db, "c", "Bind for 127.0.0.1:8080 failed");
        add_port(f->db, "d", "tcp", 8080, 80); /* 0.0.0.0 against an IP */
        bind_expect(f->db, "d", "Bind for 0.0.0.0:8080 failed");
        add_port(f->db, "e", "udp", 8080, 80); /* another protocol */
        bind_expect(f->db, "e", NULL);
        add_port_ip(f->db, "g", "udp", "10.0.0.2", 8080, 80); /* an IP against 0.0.0.0 */
        bind_expect(f->db, "g", "Bind for 10.0.0.2:8080 failed");
        /* one container: 0.0.0.0 and an IP on one port conflict too */
        add_port(f->db, "h", "tcp", 9000, 80);
        add_port_ip(f->db, "h", "tcp", "10.0.0.9", 9000, 81);
        bind_expect(f->db, "h", "9000");
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_net_release(f->db, "a", &err), 0);
        assert_int_equal(vs_net_release(f->db, "b", &err), 0);
        bind_expect(f->db, "d", NULL);
}

static void add_network6(sqlite3 *db, const char *name, const char *subnet, const char *subnet6, int expect,
                         struct vs_net_network *n)
{
        struct vs_error err = VS_ERROR_INIT;
        memset(n, 0, sizeof(*n));
        snprintf(n->name, sizeof(n->name), "%s", name);
        snprintf(n->driver, sizeof(n->driver), "bridge");
        assert_int_equal(vs_cidr_parse(subnet, "--subnet", &n->subnet, &err), 0);
        n->gateway = n->subnet.addr + 1;
        assert_int_equal(vs_cidr6_parse(subnet6, "--subnet", &n->subnet6, &err), 0);
        n->ipv6 = true;
        n->gateway6 = vs_ipv6_add(&n->subnet6.addr, 1);
        int r = vs_net_network_insert(db, n, &err);
        if (r != expect)
                fail_msg("insert %s: %d (%s)", name, r, err.msg);
}

static void lease6_expect(sqlite3 *db, const struct vs_net_network *n, const char *ctr, const char *want_req,
                          const char *expect)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_net_endpoint e = {0};
        snprintf(e.container_id, sizeof(e.container_id), "%s", ctr);
        snprintf(e.network_id, sizeof(e.network_id), "%s", n->id);
        if (want_req)
                assert_int_equal(vs_ipv6_parse(want_req, "--ip6", &e.ip6_request, &err), 0);
        assert_int_equal(vs_net_endpoint_add(db, &e, &err), 0);
        int r = vs_net_endpoint_lease(db, n, &e, &err);
        if (!expect) {
                assert_int_equal(r, -EADDRINUSE);
                return;
        }
        if (r < 0)
                fail_msg("lease6 %s: %s", ctr, err.msg);
        char buf[VS_IP6_STRLEN];
        vs_ipv6_format(&e.ip6, buf);
        assert_string_equal(buf, expect);
        assert_true(e.ip != 0);
}

static void test_ipv6(void **state)
{
        struct fixture *f = *state;
        struct vs_net_network n, m, back;
        struct vs_error err = VS_ERROR_INIT;
        add_network6(f->db, "six", "10.60.0.0/24", "fd00:60::/64", 0, &n);
        add_network6(f->db, "six-overlap", "10.61.0.0/24", "fd00:60::8000:0:0:0/65", -EEXIST, &m);
        assert_int_equal(vs_net_network_find(f->db, "six", &back, &err), 0);
        assert_true(back.ipv6);
        assert_int_equal(back.subnet6.prefix, 64);
        assert_memory_equal(&back.gateway6, &n.gateway6, sizeof(n.gateway6));
        assert_int_equal(vs_net_network_find(f->db, "bridge", &back, &err), 0);
        assert_false(back.ipv6);
        lease6_expect(f->db, &n, "a", NULL, "fd00:60::2"); /* ::1 is the gateway */
        lease6_expect(f->db, &n, "b", "fd00:60::3", "fd00:60::3");
        lease6_expect(f->db, &n, "c", NULL, "fd00:60::4");
        lease6_expect(f->db, &n, "d", "fd00:60::2", NULL); /* taken */
        assert_int_equal(vs_net_release(f->db, "a", &err), 0);
        lease6_expect(f->db, &n, "e", NULL, "fd00:60::2");
        struct vs_net_endpoint *eps = NULL;
        size_t count = 0;
        assert_int_equal(vs_net_endpoint_list(f->db, "a", NULL, &eps, &count, &err), 0);
        assert_int_equal(count, 1);
        assert_true(vs_ipv6_is_zero(&eps[0].ip6) && eps[0].ip == 0);
        free(eps);
}

static void test_ports(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        add_port(f->db, "a", "tcp", 8080, 80);
        add_port(f->db, "a", "udp", 8080, 80);
        add_port(f->db, "a", "tcp", 0, 443);
        assert_int_equal(vs_net_ports_bind(f->db, "a", &err), 0);
        add_port(f->db, "b", "tcp", 9090, 90);
        add_port(f->db, "b", "tcp", 8080, 81);
        struct vs_error e2 = VS_ERROR_INIT;
        assert_int_equal(vs_net_ports_bind(f->db, "b", &e2), -EADDRINUSE);
        assert_contains(e2.msg, "8080");
        assert_contains(e2.msg, "already allocated");
        struct vs_net_port *ps = NULL;
        size_t n = 0;
        assert_int_equal(vs_net_port_list(f->db, "b", &ps, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(ps[0].host_port, 0); /* nothing of b is bound */
        assert_int_equal(ps[1].host_port, 0);
        free(ps);
        assert_int_equal(vs_net_port_list(f->db, "a", &ps, &n, &err), 0);
        assert_int_equal(ps[2].host_port, 49153); /* the first free one */
        free(ps);
        /* once a's are released, b binds */
        assert_int_equal(vs_net_release(f->db, "a", &err), 0);
        assert_int_equal(vs_net_ports_bind(f->db, "b", &err), 0);
        assert_int_equal(vs_net_forget(f->db, "b", &err), 0);
        assert_int_equal(vs_net_port_list(f->db, "b", &ps, &n, &err), 0);
        assert_int_equal(n, 0);
        free(ps);
}

/* The tables as vessel made them before IPv6 (version 2), with a lease and a bound port. */
static const char *const schema_v2[] = {
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
        "INSERT INTO net_networks (id, name, driver, bridge, subnet, prefix, gateway, created)"
        " VALUES ('0123', 'bridge', 'bridge', 'vessel0', 2886795264, 16, 2886795265, 1);",
        "ALTER TABLE net_endpoints ADD COLUMN slot INTEGER NOT NULL DEFAULT 0;"
        "INSERT INTO net_endpoints (container_id, network_id, ip) VALUES ('old', '0123', 2886795266);"
        "INSERT INTO net_ports (container_id, proto, host_ip, host_port_request, host_port, container_port)"
        " VALUES ('old', 'tcp', '127.0.0.1', 8080, 8080, 80);",
};

static void test_upgrade_v2(void **state)
{
        struct fixture *f = *state;
        struct vs_error err = VS_ERROR_INIT;
        char path[160];
        sqlite3 *db = NULL;
        snprintf(path, sizeof(path), "%s/old.db", f->tmp);
        assert_int_equal(vs_db_open(path, &db, &err), 0);
        assert_int_equal(vs_db_migrate(db, "net", schema_v2, 2, &err), 0);
        if (vs_net_store_init(db, &err) < 0)
                fail_msg("upgrade: %s", err.msg);
        struct vs_net_network n;
        assert_int_equal(vs_net_network_find(db, "bridge", &n, &err), 0);
        assert_false(n.ipv6);
        struct vs_net_endpoint *eps = NULL;
        size_t count = 0;
        assert_int_equal(vs_net_endpoint_list(db, "old", NULL, &eps, &count, &err), 0);
        assert_int_equal(count, 1);
        assert_int_equal(eps[0].ip, 2886795266u);
        assert_true(vs_ipv6_is_zero(&eps[0].ip6));
        free(eps);
        /* the old binding holds 127.0.0.1:8080 only, now */
        add_port_ip(db, "new", "tcp", "10.0.0.1", 8080, 80);
        bind_expect(db, "new", NULL);
        add_port_ip(db, "newer", "tcp", "127.0.0.1", 8080, 80);
        bind_expect(db, "newer", "127.0.0.1:8080");
        vs_db_close(db);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_default_network, setup, teardown),
                cmocka_unit_test_setup_teardown(test_network_conflicts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lease_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lease_range, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lease_race, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ports_by_ip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
                cmocka_unit_test_setup_teardown(test_upgrade_v2, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
