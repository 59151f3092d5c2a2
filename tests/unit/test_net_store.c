/* Unit tests for src/net/store.c: networks (unique names, no overlapping
 * subnets), IPAM (lowest free address, the gateway and broadcast skipped,
 * --ip-range, exhaustion, release, no duplicate under racing processes) and
 * port bindings (conflicts, free ports chosen). */
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

static void add_port(sqlite3 *db, const char *ctr, const char *proto, uint16_t host, uint16_t cport)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_net_port p = {.host_port_request = host, .container_port = cport};
        snprintf(p.container_id, sizeof(p.container_id), "%s", ctr);
        snprintf(p.proto, sizeof(p.proto), "%s", proto);
        assert_int_equal(vs_net_port_add(db, &p, &err), 0);
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

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_default_network, setup, teardown),
                cmocka_unit_test_setup_teardown(test_network_conflicts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lease_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lease_range, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lease_race, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
