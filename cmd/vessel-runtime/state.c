/* vessel-runtime state / list */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "runtime/state.h"
#include "util/cleanup.h"

int cmd_state(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {{0}};
        if (next_option(argc, argv, "+", longopts, "state") != -1 || !want_args(argc, argv, 1, "state ID"))
                return 1;
        struct vs_error err = VS_ERROR_INIT;
        const char *id = argv[optind];
        _cleanup_close_ int rootfd = vs_state_open_root(g->root, false, &err);
        if (rootfd < 0) {
                vs_error_set(&err, ENOENT, "container %s does not exist", id);
                return fail(&err);
        }
        struct vs_state st;
        if (vs_state_check_id(id, &err) < 0 || vs_state_load(rootfd, id, &st, &err) < 0)
                return fail(&err);
        _cleanup_free_ char *text = vs_state_to_json(&st, true);
        vs_state_clear(&st);
        printf("%s\n", text);
        return 0;
}

static int load_all(const char *root, struct vs_state **ret, size_t *ret_n)
{
        *ret = NULL;
        *ret_n = 0;
        struct vs_error err = VS_ERROR_INIT;
        _cleanup_close_ int rootfd = vs_state_open_root(root, false, &err);
        if (rootfd < 0)
                return 0; /* no root yet: no containers */
        _cleanup_closedir_ DIR *d = opendir(root);
        size_t n = 0;
        struct vs_state *all = NULL;
        for (struct dirent *de; d && (de = readdir(d));) {
                if (de->d_name[0] == '.' || de->d_type != DT_DIR)
                        continue;
                struct vs_state st;
                if (vs_state_load(rootfd, de->d_name, &st, &err) < 0) {
                        vs_error_ignore(&err); /* being created or deleted right now */
                        continue;
                }
                struct vs_state *grown = realloc(all, (n + 1) * sizeof(*all));
                if (!grown) {
                        vs_state_clear(&st);
                        break;
                }
                all = grown;
                all[n++] = st;
        }
        *ret = all;
        *ret_n = n;
        return 0;
}

static void print_table(const struct vs_state *all, size_t n)
{
        printf("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
        for (size_t i = 0; i < n; i++) {
                const struct vs_state *s = &all[i];
                int pid = s->status == VS_STATUS_STOPPED ? 0 : s->pid;
                printf("%-12s %-10d %-10s %-40s %-30s %s\n", s->id, pid, vs_status_name(s->status),
                       s->bundle ? s->bundle : "", s->created ? s->created : "", s->owner == 0 ? "root" : "");
        }
}

int cmd_list(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"quiet", no_argument, NULL, 'q'}, {"format", required_argument, NULL, 'f'}, {0}};
        bool quiet = false;
        const char *format = "table";
        int c;
        while ((c = next_option(argc, argv, "+qf:", longopts, "list")) != -1) {
                if (c == 'q')
                        quiet = true;
                else if (c == 'f')
                        format = optarg;
                else
                        return 1;
        }
        if (!want_args(argc, argv, 0, "list [-q] [--format table|json]"))
                return 1;
        if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
                struct vs_error err = VS_ERROR_INIT;
                vs_error_set(&err, EINVAL, "list: --format: expected table or json, got \"%s\"", format);
                return fail(&err);
        }
        struct vs_state *all;
        size_t n;
        load_all(g->root, &all, &n);
        if (quiet) {
                for (size_t i = 0; i < n; i++)
                        printf("%s\n", all[i].id);
        } else if (strcmp(format, "json") == 0) {
                printf("[");
                for (size_t i = 0; i < n; i++) {
                        char *one = vs_state_to_json(&all[i], false);
                        printf("%s%s", i ? "," : "", one ? one : "{}");
                        free(one);
                }
                printf("]\n");
        } else {
                print_table(all, n);
        }
        for (size_t i = 0; i < n; i++)
                vs_state_clear(&all[i]);
        free(all);
        return 0;
}
