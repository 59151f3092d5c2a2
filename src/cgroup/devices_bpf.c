#include "cgroup/devices_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/resources_internal.h"
#include "util/cleanup.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define ALU64_IMM(op, dst, imm) INSN(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define MOV64_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define JMP_IMM(op, dst, imm, off) INSN(BPF_JMP | (op) | BPF_K, dst, 0, off, imm)
#define EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers after the prologue: R2 device type, R3 access, R4 major, R5 minor; R1 scratch. */
static size_t prologue(struct bpf_insn *p)
{
        size_t k = 0;
        p[k++] = LDX_W(BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        p[k++] = ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff);
        p[k++] = LDX_W(BPF_REG_3, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        p[k++] = ALU32_IMM(BPF_RSH, BPF_REG_3, 16);
        p[k++] = LDX_W(BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major));
        p[k++] = LDX_W(BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor));
        return k;
}

static int32_t bpf_access(unsigned access)
{
        return (access & VS_DEV_MKNOD ? BPF_DEVCG_ACC_MKNOD : 0) | (access & VS_DEV_READ ? BPF_DEVCG_ACC_READ : 0) |
               (access & VS_DEV_WRITE ? BPF_DEVCG_ACC_WRITE : 0);
}

/* One rule: a run of "skip to the next rule unless ..." tests, then the verdict. */
static size_t rule_block(const struct vs_cgroup_device_rule *r, struct bpf_insn *p)
{
        struct bpf_insn tests[8];
        size_t t = 0;
        int32_t acc = bpf_access(r->access);
        if (r->type != 'a')
                tests[t++] = JMP_IMM(BPF_JNE, BPF_REG_2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
        if (r->major >= 0)
                tests[t++] = JMP_IMM(BPF_JNE, BPF_REG_4, (int32_t) (uint32_t) r->major, 0);
        if (r->minor >= 0)
                tests[t++] = JMP_IMM(BPF_JNE, BPF_REG_5, (int32_t) (uint32_t) r->minor, 0);
        if (r->allow && acc != 7) { /* allowed only if every requested access is in the rule */
                tests[t++] = MOV64_REG(BPF_REG_1, BPF_REG_3);
                tests[t++] = ALU64_IMM(BPF_AND, BPF_REG_1, ~acc & 7);
                tests[t++] = JMP_IMM(BPF_JNE, BPF_REG_1, 0, 0);
        } else if (!r->allow && acc != 7) { /* denied if any requested access is in the rule */
                tests[t++] = MOV64_REG(BPF_REG_1, BPF_REG_3);
                tests[t++] = ALU64_IMM(BPF_AND, BPF_REG_1, acc);
                tests[t++] = JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 0);
        }
        size_t len = t + 2;
        for (size_t i = 0; i < t; i++) {
                p[i] = tests[i];
                if (BPF_CLASS(p[i].code) == BPF_JMP)
                        p[i].off = (int16_t) (len - i - 1); /* past the verdict */
        }
        p[t] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
        p[t + 1] = EXIT_INSN();
        return len;
}

int vs_cgroup_devices_program(const struct vs_cgroup_device_rule *rules, size_t n, struct bpf_insn **ret, size_t *ret_n,
                              struct vs_error *err)
{
        _cleanup_free_ struct bpf_insn *p = calloc(6 + n * 8 + 2, sizeof(*p));
        if (!p)
                return vs_error_errno(err, ENOMEM, "cannot build the device filter");
        size_t k = prologue(p);
        for (size_t i = n; i-- > 0;) {
                const struct vs_cgroup_device_rule *r = &rules[i];
                if (r->type != 'a' && r->type != 'b' && r->type != 'c')
                        return vs_error_set(err, EINVAL, VS_RES "devices[%zu].type: expected a, b or c", i);
                k += rule_block(r, p + k);
                /* A rule for everything decides every access: the rules before
                 * it and the default can never be reached, and the verifier
                 * refuses unreachable instructions. */
                if (r->type == 'a' && r->major < 0 && r->minor < 0 && r->access == 7) {
                        *ret_n = k;
                        *ret = TAKE_PTR(p);
                        return 0;
                }
        }
        p[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
        p[k++] = EXIT_INSN();
        *ret_n = k;
        *ret = TAKE_PTR(p);
        return 0;
}

int vs_cgroup_devices_attach(const char *cgroup_dir, const struct bpf_insn *prog, size_t n, struct vs_error *err)
{
        union bpf_attr load = {0};
        load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        load.insns = (uint64_t) (uintptr_t) prog;
        load.insn_cnt = (uint32_t) n;
        load.license = (uint64_t) (uintptr_t) "Apache";
        _cleanup_close_ int prog_fd = (int) syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
        if (prog_fd < 0)
                return vs_error_syscall(err, VS_RES "devices: cannot load the device filter program");
        _cleanup_close_ int cg = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg < 0)
                return vs_error_syscall(err, VS_RES "devices: cannot open %s", cgroup_dir);
        union bpf_attr attach = {0};
        attach.target_fd = (uint32_t) cg;
        attach.attach_bpf_fd = (uint32_t) prog_fd;
        attach.attach_type = BPF_CGROUP_DEVICE;
        attach.attach_flags = BPF_F_ALLOW_MULTI;
        if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof(attach)) < 0)
                return vs_error_syscall(err, VS_RES "devices: cannot attach the device filter to %s", cgroup_dir);
        return 0;
}

int vs_cgroup_v2_devices(const struct vs_cgroup_dir *d, const struct vs_cgroup_device_rule *rules, size_t n,
                         struct vs_error *err)
{
        _cleanup_free_ struct bpf_insn *prog = NULL;
        size_t len = 0;
        int r = vs_cgroup_devices_program(rules, n, &prog, &len, err);
        return r < 0 ? r : vs_cgroup_devices_attach(d->path, prog, len, err);
}
