/* Unit tests for src/cgroup: the v1-to-v2 conversions (as runc does them),
 * the value checks, the device rule list, the v2 device filter program
 * (run through a small interpreter of the instructions it uses), the blkio
 * parsers and the standalone resources parser. Pure functions, no root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup/devices_bpf.h"
#include "cgroup/resources.h"
#include "cgroup/stats.h"
#include "oci/resources_parse.h"
#include "util/cleanup.h"

static void test_shares_to_weight(void **state)
{
        (void) state;
        assert_int_equal(vs_cgroup_shares_to_weight(0), 0);
        assert_int_equal(vs_cgroup_shares_to_weight(2), 1);
        assert_int_equal(vs_cgroup_shares_to_weight(1024), 39); /* runc: 1 + (1022*9999)/262142 */
        assert_int_equal(vs_cgroup_shares_to_weight(262144), 10000);
        assert_int_equal(vs_cgroup_shares_to_weight(512), 1 + (510 * 9999) / 262142);
}

static void test_blkio_weight(void **state)
{
        (void) state;
        assert_int_equal(vs_cgroup_blkio_to_io_weight(0), 0);
        assert_int_equal(vs_cgroup_blkio_to_io_weight(10), 1);
        assert_int_equal(vs_cgroup_blkio_to_io_weight(1000), 10000);
        assert_int_equal(vs_cgroup_blkio_to_io_weight(500), 1 + 490 * 9999 / 990);
}

static void test_swap_v2(void **state)
{
        (void) state;
        struct vs_error err = VS_ERROR_INIT;
        int64_t v = 7;
        assert_int_equal(vs_cgroup_swap_to_v2(100 << 20, 300 << 20, &v, &err), 0);
        assert_int_equal(v, 200 << 20); /* v1 memsw 300M with 100M of memory = 200M of swap */
        assert_int_equal(vs_cgroup_swap_to_v2(100, 100, &v, &err), 0);
        assert_int_equal(v, 0);
        assert_int_equal(vs_cgroup_swap_to_v2(100, -1, &v, &err), 0);
        assert_int_equal(v, -1);
        assert_int_equal(vs_cgroup_swap_to_v2(-1, 0, &v, &err), 0);
        assert_int_equal(v, -1); /* unlimited memory, swap unset: both unlimited */
        assert_int_equal(vs_cgroup_swap_to_v2(100, 0, &v, &err), 0);
        assert_int_equal(v, 0);
        assert_int_equal(vs_cgroup_swap_to_v2(200, 100, &v, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "linux.resources.memory.swap"));
        assert_int_equal(vs_cgroup_swap_to_v2(0, 100, &v, &err), -EINVAL);
}

static struct vs_oci_resources *parse(const char *json)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_oci_resources *res = NULL;
        if (vs_oci_resources_parse(json, strlen(json), "test", &res, &err) < 0)
                fail_msg("parse %s: %s", json, err.msg);
        return res;
}

static void check_fails(const char *json, const char *field)
{
        struct vs_error err = VS_ERROR_INIT;
        struct vs_oci_resources *res = NULL;
        int r = vs_oci_resources_parse(json, strlen(json), "test", &res, &err);
        if (r == 0) {
                r = vs_cgroup_resources_check(res, &err);
                vs_oci_resources_free_all(res);
        }
        if (r == 0)
                fail_msg("%s: accepted", json);
        if (!strstr(err.msg, field))
                fail_msg("%s: error does not name %s: %s", json, field, err.msg);
}

static void test_parse_and_check(void **state)
{
        (void) state;
        struct vs_oci_resources *res =
                parse("{\"memory\":{\"limit\":1048576,\"swap\":2097152},\"cpu\":{\"shares\":512,\"cpus\":\"0-1\"},"
                      "\"pids\":{\"limit\":10}}");
        assert_true(res->memory->limit.set);
        assert_int_equal(res->memory->limit.value, 1048576);
        assert_string_equal(res->cpu->cpus, "0-1");
        assert_int_equal(res->pids_limit, 10);
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_cgroup_resources_check(res, &err), 0);
        vs_oci_resources_free_all(res);

        check_fails("{\"memory\":{\"limit\":-5}}", "linux.resources.memory.limit");
        check_fails("{\"memory\":{\"limit\":\"lots\"}}", "memory.limit");
        check_fails("{\"memory\":{\"limit\":200,\"swap\":100}}", "linux.resources.memory.swap");
        check_fails("{\"memory\":{\"swappiness\":101}}", "linux.resources.memory.swappiness");
        check_fails("{\"cpu\":{\"shares\":1}}", "linux.resources.cpu.shares");
        check_fails("{\"cpu\":{\"quota\":-7}}", "linux.resources.cpu.quota");
        check_fails("{\"cpu\":{\"period\":10}}", "linux.resources.cpu.period");
        check_fails("{\"cpu\":{\"cpus\":\"zero\"}}", "linux.resources.cpu.cpus");
        check_fails("{\"blockIO\":{\"weight\":5}}", "linux.resources.blockIO.weight");
        check_fails("{\"hugepageLimits\":[{\"pageSize\":\"huge\",\"limit\":1}]}", "hugepageLimits[0].pageSize");
        check_fails("{\"unified\":{\"../memory.max\":\"1\"}}", "linux.resources.unified");
        check_fails("{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}", "devices[0].type");
        check_fails("[]", "object");
}

static void test_device_rules(void **state)
{
        (void) state;
        struct vs_oci_resources *res =
                parse("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
                      "{\"allow\":true,\"type\":\"b\",\"major\":7,\"minor\":0,\"access\":\"r\"}]}");
        struct vs_oci_device fuse = {.type = 'c', .path = "/dev/fuse", .major = 10, .minor = 229};
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_free_ struct vs_cgroup_device_rule *rules = NULL;
        size_t n = 0;
        assert_int_equal(vs_cgroup_device_rules(res, &fuse, 1, &rules, &n, &err), 0);
        vs_oci_resources_free_all(res);
        assert_int_equal(n, 2 + 11 + 1);
        assert_false(rules[0].allow);
        assert_int_equal(rules[0].type, 'a');
        assert_int_equal(rules[0].major, -1);
        assert_int_equal(rules[1].type, 'b');
        assert_int_equal(rules[1].access, VS_DEV_READ);
        assert_int_equal(rules[4].major, 1); /* /dev/null, the first default after the two mknod rules */
        assert_int_equal(rules[4].minor, 3);
        assert_int_equal(rules[n - 1].major, 10);
        assert_int_equal(rules[n - 1].minor, 229);
}

/* Run the program on one access: the instructions the generator uses only. */
static int run_filter(const struct bpf_insn *p, size_t n, char type, uint32_t major, uint32_t minor, unsigned access)
{
        struct bpf_cgroup_dev_ctx ctx = {
                .access_type = (uint32_t) ((access & VS_DEV_MKNOD ? BPF_DEVCG_ACC_MKNOD : 0) |
                                           (access & VS_DEV_READ ? BPF_DEVCG_ACC_READ : 0) |
                                           (access & VS_DEV_WRITE ? BPF_DEVCG_ACC_WRITE : 0))
                                       << 16 |
                               (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
                .major = major,
                .minor = minor,
        };
        uint64_t reg[11] = {0};
        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = &p[pc];
                uint64_t imm = (uint64_t) (int64_t) i->imm;
                switch (i->code) {
                case BPF_LDX | BPF_MEM | BPF_W:
                        assert_int_equal(i->src_reg, BPF_REG_1);
                        reg[i->dst_reg] = *(uint32_t *) ((char *) &ctx + i->off);
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        reg[i->dst_reg] = (uint32_t) (reg[i->dst_reg] & imm);
                        break;
                case BPF_ALU | BPF_RSH | BPF_K:
                        reg[i->dst_reg] = (uint32_t) reg[i->dst_reg] >> i->imm;
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_X:
                        reg[i->dst_reg] = reg[i->src_reg];
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_K:
                        reg[i->dst_reg] = imm;
                        break;
                case BPF_ALU64 | BPF_AND | BPF_K:
                        reg[i->dst_reg] &= imm;
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        if (reg[i->dst_reg] != imm)
                                pc += (size_t) i->off;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        if (reg[i->dst_reg] == imm)
                                pc += (size_t) i->off;
                        break;
                case BPF_JMP | BPF_EXIT:
                        return (int) reg[0];
                default:
                        fail_msg("unexpected opcode 0x%x at %zu", i->code, pc);
                }
                assert_true(pc < n);
        }
        fail_msg("fell off the end of the program");
        return -1;
}

static void program(const struct vs_cgroup_device_rule *rules, size_t n, struct bpf_insn **p, size_t *len)
{
        struct vs_error err = VS_ERROR_INIT;
        if (vs_cgroup_devices_program(rules, n, p, len, &err) < 0)
                fail_msg("%s", err.msg);
}

static void test_bpf_deny_all(void **state)
{
        (void) state;
        _cleanup_free_ struct bpf_insn *p = NULL;
        size_t n = 0;
        program(NULL, 0, &p, &n);
        assert_int_equal(n, 8); /* the prologue, then r0 = 0; exit */
        assert_int_equal(p[0].code, BPF_LDX | BPF_MEM | BPF_W);
        assert_int_equal(p[1].code, BPF_ALU | BPF_AND | BPF_K);
        assert_int_equal(p[1].imm, 0xffff);
        assert_int_equal(p[3].imm, 16);
        assert_int_equal(p[4].off, offsetof(struct bpf_cgroup_dev_ctx, major));
        assert_int_equal(p[6].code, BPF_ALU64 | BPF_MOV | BPF_K);
        assert_int_equal(p[6].imm, 0);
        assert_int_equal(p[7].code, BPF_JMP | BPF_EXIT);
        assert_int_equal(run_filter(p, n, 'c', 1, 3, VS_DEV_READ), 0);
}

static void test_bpf_allow_list(void **state)
{
        (void) state;
        const struct vs_cgroup_device_rule rules[] = {
                {false, 'a', -1, -1, 7},
                {true, 'c', 1, 3, 7},
                {true, 'c', 136, -1, VS_DEV_READ | VS_DEV_WRITE},
                {true, 'b', 7, 0, VS_DEV_READ},
        };
        _cleanup_free_ struct bpf_insn *p = NULL;
        size_t n = 0;
        program(rules, VS_ARRAY_SIZE(rules), &p, &n);
        assert_int_equal(run_filter(p, n, 'c', 1, 3, VS_DEV_READ | VS_DEV_WRITE), 1);
        assert_int_equal(run_filter(p, n, 'c', 1, 3, VS_DEV_MKNOD), 1);
        assert_int_equal(run_filter(p, n, 'b', 1, 3, VS_DEV_READ), 0); /* the type matters */
        assert_int_equal(run_filter(p, n, 'c', 1, 5, VS_DEV_READ), 0);
        assert_int_equal(run_filter(p, n, 'c', 136, 42, VS_DEV_WRITE), 1); /* minor wildcard */
        assert_int_equal(run_filter(p, n, 'c', 136, 42, VS_DEV_MKNOD), 0); /* access not in the rule */
        assert_int_equal(run_filter(p, n, 'b', 7, 0, VS_DEV_READ), 1);
        assert_int_equal(run_filter(p, n, 'b', 7, 0, VS_DEV_READ | VS_DEV_WRITE), 0);
        /* the deny-all rule ends the program: no unreachable default after it (the verifier refuses that) */
        assert_int_equal(p[n - 2].code, BPF_ALU64 | BPF_MOV | BPF_K);
        assert_int_equal(p[n - 2].imm, 0);
        assert_int_equal(p[n - 1].code, BPF_JMP | BPF_EXIT);
        assert_int_equal(n, 6 + 8 + 7 + 5 + 2); /* prologue, b 7:0 r, c 136:* rw, c 1:3 rwm, deny all */
}

static void test_bpf_later_rule_wins(void **state)
{
        (void) state;
        const struct vs_cgroup_device_rule rules[] = {
                {true, 'c', 1, 3, 7},   /* reset by the next rule: unreachable */
                {true, 'a', -1, -1, 7}, /* allow everything */
                {false, 'c', 1, 5, VS_DEV_WRITE},
        };
        _cleanup_free_ struct bpf_insn *p = NULL;
        size_t n = 0;
        program(rules, VS_ARRAY_SIZE(rules), &p, &n);
        assert_int_equal(run_filter(p, n, 'c', 1, 5, VS_DEV_READ), 1);
        assert_int_equal(run_filter(p, n, 'c', 1, 5, VS_DEV_WRITE), 0);
        assert_int_equal(run_filter(p, n, 'c', 1, 5, VS_DEV_READ | VS_DEV_WRITE), 0);
        assert_int_equal(run_filter(p, n, 'b', 8, 0, VS_DEV_READ | VS_DEV_WRITE), 1);
        /* the block of the unreachable first rule is not emitted */
        _cleanup_free_ struct bpf_insn *q = NULL;
        size_t m = 0;
        program(rules + 1, 2, &q, &m);
        assert_int_equal(n, m);
        struct vs_cgroup_device_rule bad = {true, 'x', 1, 1, 7};
        struct vs_error err = VS_ERROR_INIT;
        struct bpf_insn *r = NULL;
        assert_int_equal(vs_cgroup_devices_program(&bad, 1, &r, &m, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "devices[0].type"));
}

static void test_blkio_parsers(void **state)
{
        (void) state;
        struct vs_cgroup_blkio_entry e[8];
        size_t n = 0;
        vs_cgroup_parse_blkio_v1("8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n", e, 8, &n);
        assert_int_equal(n, 3);
        assert_int_equal(e[0].major, 8);
        assert_string_equal(e[0].op, "Read");
        assert_int_equal(e[1].value, 512);
        struct vs_cgroup_stats s = {0};
        vs_cgroup_parse_io_stat("254:0 rbytes=100 wbytes=200 rios=3 wios=4 dbytes=0 dios=0\n", &s);
        assert_int_equal(s.n_io_bytes, 2);
        assert_int_equal(s.n_io_ops, 2);
        assert_int_equal(s.io_bytes[1].value, 200);
        assert_string_equal(s.io_ops[0].op, "Read");
        assert_int_equal(s.io_ops[1].value, 4);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shares_to_weight), cmocka_unit_test(test_blkio_weight),
                cmocka_unit_test(test_swap_v2),          cmocka_unit_test(test_parse_and_check),
                cmocka_unit_test(test_device_rules),     cmocka_unit_test(test_bpf_deny_all),
                cmocka_unit_test(test_bpf_allow_list),   cmocka_unit_test(test_bpf_later_rule_wins),
                cmocka_unit_test(test_blkio_parsers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
