/* Unit tests for src/image/image_config.c: the image config JSON. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/manifest.h"
#include "util/cleanup.h"

#define HA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ORIGIN "config sha256:c0ff"
#define ROOTFS "'rootfs':{'type':'layers','diff_ids':['sha256:" HA "']}"

static char *dq(const char *s)
{
        char *out = strdup(s);
        assert_non_null(out);
        for (char *p = out; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return out;
}

static void parse_ok(const char *squoted, struct vs_image_config *c)
{
        _cleanup_free_ char *doc = dq(squoted);
        struct vs_error err = VS_ERROR_INIT;
        if (vs_image_config_parse(doc, strlen(doc), ORIGIN, c, &err) < 0)
                fail_msg("unexpected error: %s", err.msg);
}

/* What `docker image inspect` shows of a busybox built by docker 20.10. */
static const char busybox_config[] =
        "{'architecture':'amd64','config':{'Hostname':'','Domainname':'','User':'','AttachStdin':false,"
        "'Env':['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],'Cmd':['sh'],"
        "'Image':'sha256:" HB "','Volumes':null,'WorkingDir':'','Entrypoint':null,'OnBuild':null,'Labels':null},"
        "'container':'0123','container_config':{'Cmd':['/bin/sh','-c','#(nop) ','CMD [\\'sh\\']']},"
        "'created':'2023-07-18T23:19:33.655005962Z','docker_version':'20.10.23',"
        "'history':[{'created':'2023-07-18T23:19:33.538571854Z','created_by':'/bin/sh -c #(nop) ADD file:7e in / '},"
        "{'created':'2023-07-18T23:19:33.655005962Z','created_by':'/bin/sh -c #(nop)  CMD [\\'sh\\']',"
        "'empty_layer':true}],"
        "'os':'linux','rootfs':{'type':'layers','diff_ids':['sha256:" HA "']}}";

static void test_busybox(void **state)
{
        struct vs_image_config c = {NULL};
        parse_ok(busybox_config, &c);
        assert_string_equal(c.architecture, "amd64");
        assert_string_equal(c.os, "linux");
        assert_null(c.variant);
        assert_null(c.author);
        assert_string_equal(c.created, "2023-07-18T23:19:33.655005962Z");
        assert_string_equal(c.user, "");
        assert_string_equal(c.working_dir, "");
        assert_null(c.stop_signal);
        assert_string_equal(c.env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        assert_null(c.env[1]);
        assert_null(c.entrypoint);
        assert_string_equal(c.cmd[0], "sh");
        assert_null(c.cmd[1]);
        assert_null(c.exposed_ports);
        assert_null(c.volumes);
        assert_null(c.label_keys);
        assert_int_equal(c.n_diff_ids, 1);
        assert_string_equal(c.diff_ids[0], "sha256:" HA);
        assert_null(c.diff_ids[1]);
        assert_int_equal(c.n_history, 2);
        assert_false(c.history[0].empty_layer);
        assert_string_equal(c.history[1].created_by, "/bin/sh -c #(nop)  CMD [\"sh\"]");
        assert_true(c.history[1].empty_layer);
        /* Everything is kept for inspect, the unused members too. */
        assert_non_null(c.raw);
        assert_string_equal(json_string_value(json_object_get(c.raw, "docker_version")), "20.10.23");
        vs_image_config_free(&c);
        vs_image_config_free(&c);
}

static void test_full(void **state)
{
        struct vs_image_config c = {NULL};
        parse_ok("{'architecture':'arm','os':'linux','variant':'v7','author':'me <me@example.org>',"
                 "'config':{'User':'1000:1000','WorkingDir':'/srv','StopSignal':'SIGQUIT',"
                 "'Env':['A=1','B='],'Entrypoint':['/bin/app','--serve'],'Cmd':[],"
                 "'ExposedPorts':{'80/tcp':{},'53/udp':null},'Volumes':{'/data':{},'/cache':{}},"
                 "'Labels':{'org.opencontainers.image.title':'app','empty':null},"
                 "'Healthcheck':{'Test':['CMD','true']},'ArgsEscaped':true,'Future':[1]},"
                 "'rootfs':{'type':'layers','diff_ids':['sha256:" HA "','sha256:" HB "']},"
                 "'history':[{'author':'a','comment':'c','created':'x'}],'moreFuture':{}}",
                 &c);
        assert_string_equal(c.variant, "v7");
        assert_string_equal(c.author, "me <me@example.org>");
        assert_string_equal(c.user, "1000:1000");
        assert_string_equal(c.working_dir, "/srv");
        assert_string_equal(c.stop_signal, "SIGQUIT");
        assert_string_equal(c.env[1], "B=");
        assert_string_equal(c.entrypoint[1], "--serve");
        /* Present but empty is not absent. */
        assert_non_null(c.cmd);
        assert_null(c.cmd[0]);
        assert_string_equal(c.exposed_ports[0], "80/tcp");
        assert_string_equal(c.exposed_ports[1], "53/udp");
        assert_null(c.exposed_ports[2]);
        assert_string_equal(c.volumes[0], "/data");
        assert_string_equal(c.volumes[1], "/cache");
        assert_null(c.volumes[2]);
        assert_string_equal(c.label_keys[0], "org.opencontainers.image.title");
        assert_string_equal(c.label_values[0], "app");
        assert_string_equal(c.label_keys[1], "empty");
        assert_string_equal(c.label_values[1], "");
        assert_null(c.label_keys[2]);
        assert_null(c.label_values[2]);
        assert_int_equal(c.n_diff_ids, 2);
        assert_string_equal(c.history[0].author, "a");
        assert_string_equal(c.history[0].comment, "c");
        assert_null(c.history[0].created_by);
        vs_image_config_free(&c);
}

static void test_minimal(void **state)
{
        struct vs_image_config c = {NULL};
        parse_ok("{'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':[]}}", &c);
        assert_int_equal(c.n_diff_ids, 0);
        assert_null(c.user);
        assert_null(c.env);
        assert_null(c.history);
        vs_image_config_free(&c);
}

static const struct {
        const char *doc;
        const char *message; /* after "<origin>: " */
} bad[] = {
        {"", "not valid JSON"},
        {"'x'", "not valid JSON"},
        {"[]", "expected an object, got array"},
        {"{'os':'linux'," ROOTFS "}", "architecture: is required"},
        {"{'architecture':'amd64'," ROOTFS "}", "os: is required"},
        {"{'architecture':64,'os':'linux'," ROOTFS "}", "architecture: expected a string, got integer"},
        {"{'architecture':'amd64','os':'linux'}", "rootfs: is required"},
        {"{'architecture':'amd64','os':'linux','rootfs':[]}", "rootfs: expected an object, got array"},
        {"{'architecture':'amd64','os':'linux','rootfs':{'diff_ids':[]}}", "rootfs.type: is required"},
        {"{'architecture':'amd64','os':'linux','rootfs':{'type':'tarballs','diff_ids':[]}}",
         "rootfs.type: must be \"layers\""},
        {"{'architecture':'amd64','os':'linux','rootfs':{'type':'layers'}}", "rootfs.diff_ids: is required"},
        {"{'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':{}}}",
         "rootfs.diff_ids: expected an array, got object"},
        {"{'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':['sha256:" HA "','sha256:A']}}",
         "rootfs.diff_ids[1]: invalid digest \"sha256:A\""},
        {"{'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':[1]}}",
         "rootfs.diff_ids[0]: expected a string, got integer"},
        {"{'architecture':'amd64','os':'linux','config':'x'," ROOTFS "}", "config: expected an object, got string"},
        {"{'architecture':'amd64','os':'linux','config':{'User':0}," ROOTFS "}",
         "config.User: expected a string, got integer"},
        {"{'architecture':'amd64','os':'linux','config':{'Env':'A=1'}," ROOTFS "}",
         "config.Env: expected an array, got string"},
        {"{'architecture':'amd64','os':'linux','config':{'Cmd':['sh',1]}," ROOTFS "}",
         "config.Cmd[1]: expected a string, got integer"},
        {"{'architecture':'amd64','os':'linux','config':{'Entrypoint':[null]}," ROOTFS "}",
         "config.Entrypoint[0]: expected a string, got null"},
        {"{'architecture':'amd64','os':'linux','config':{'ExposedPorts':['80/tcp']}," ROOTFS "}",
         "config.ExposedPorts: expected an object, got array"},
        {"{'architecture':'amd64','os':'linux','config':{'ExposedPorts':{'80/tcp':true}}," ROOTFS "}",
         "config.ExposedPorts.80/tcp: expected an object, got boolean"},
        {"{'architecture':'amd64','os':'linux','config':{'Volumes':{'/a':'yes'}}," ROOTFS "}",
         "config.Volumes./a: expected an object, got string"},
        {"{'architecture':'amd64','os':'linux','config':{'Labels':{'a':'b','c':2}}," ROOTFS "}",
         "config.Labels.c: expected a string, got integer"},
        {"{'architecture':'amd64','os':'linux','config':{'Labels':['a']}," ROOTFS "}",
         "config.Labels: expected an object, got array"},
        {"{'architecture':'amd64','os':'linux','config':{'WorkingDir':'a\\u0000b'}," ROOTFS "}", "not valid JSON"},
        {"{'architecture':'amd64','os':'linux'," ROOTFS ",'history':{}}", "history: expected an array, got object"},
        {"{'architecture':'amd64','os':'linux'," ROOTFS ",'history':[{},'x']}",
         "history[1]: expected an object, got string"},
        {"{'architecture':'amd64','os':'linux'," ROOTFS ",'history':[{'empty_layer':'true'}]}",
         "history[0].empty_layer: expected a boolean, got string"},
        {"{'architecture':'amd64','os':'linux'," ROOTFS ",'history':[{},{'created_by':['x']}]}",
         "history[1].created_by: expected a string, got array"},
        {"{'architecture':'amd64','os':'linux','created':1," ROOTFS "}", "created: expected a string, got integer"},
};

static void test_bad(void **state)
{
        for (size_t i = 0; i < VS_ARRAY_SIZE(bad); i++) {
                _cleanup_free_ char *doc = dq(bad[i].doc);
                struct vs_image_config c = {NULL};
                struct vs_error err = VS_ERROR_INIT;
                int r = vs_image_config_parse(doc, strlen(doc), ORIGIN, &c, &err);
                if (r != -EINVAL)
                        fail_msg("case %zu: expected EINVAL, got %d: %s", i, r, err.msg);
                if (strncmp(err.msg, ORIGIN ": ", strlen(ORIGIN) + 2) != 0 ||
                    strncmp(err.msg + strlen(ORIGIN) + 2, bad[i].message, strlen(bad[i].message)) != 0)
                        fail_msg("case %zu: unexpected message: %s\n   expected: %s", i, err.msg, bad[i].message);
                assert_null(c.raw);
                assert_null(c.architecture);
        }
}

static void test_size_limit(void **state)
{
        size_t len = VS_IMAGE_CONFIG_MAX_SIZE + 1;
        _cleanup_free_ char *doc = malloc(len);
        assert_non_null(doc);
        memset(doc, ' ', len);
        doc[0] = '{';
        doc[len - 1] = '}';
        struct vs_image_config c = {NULL};
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_image_config_parse(doc, len, ORIGIN, &c, &err), -EFBIG);
        assert_non_null(strstr(err.msg, "over the limit"));
}

/* The config's diff IDs give the chain IDs the layer store is keyed by. */
static void test_chain_ids_from_config(void **state)
{
        struct vs_image_config c = {NULL};
        parse_ok("{'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':['sha256:" HA
                 "','sha256:" HB "']}}",
                 &c);
        char chain[2][VS_DIGEST_MAX];
        struct vs_error err = VS_ERROR_INIT;
        assert_int_equal(vs_chain_ids(c.diff_ids, c.n_diff_ids, chain, &err), 0);
        assert_string_equal(chain[0], "sha256:" HA);
        assert_string_not_equal(chain[1], "sha256:" HB);
        assert_int_equal(vs_digest_validate(chain[1], &err), 0);
        vs_image_config_free(&c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_busybox),    cmocka_unit_test(test_full),
                cmocka_unit_test(test_minimal),    cmocka_unit_test(test_bad),
                cmocka_unit_test(test_size_limit), cmocka_unit_test(test_chain_ids_from_config),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
