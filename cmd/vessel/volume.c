/* vessel volume create, ls, inspect, rm, prune: docker's flags and output. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine/volumes.h"
#include "format.h"
#include "util/cleanup.h"

#define LS_TABLE "table {{.Driver}}\\t{{.Name}}"

static const struct header_name ls_headers[] = {{"Name", "VOLUME NAME"}, {NULL, NULL}};

static int strv_add(char ***list, size_t *n, const char *s)
{
        char **grown = realloc(*list, (*n + 2) * sizeof(char *));
        if (!grown)
                return -ENOMEM;
        *list = grown;
        if (!(grown[*n] = strdup(s)))
                return -ENOMEM;
        grown[++*n] = NULL;
        return 0;
}

static json_t *kv_object(char *const *list)
{
        json_t *o = json_object();
        for (char *const *p = list; o && p && *p; p++) {
                const char *eq = strchr(*p, '=');
                _cleanup_free_ char *key = eq ? strndup(*p, (size_t) (eq - *p)) : strdup(*p);
                if (key)
                        json_object_set_new(o, key, json_string(eq ? eq + 1 : ""));
        }
        return o;
}

/* docker's volume inspect object. */
static json_t *volume_object(const struct vs_store *s, const struct vs_volume *v)
{
        char created[64];
        rfc3339(v->created / 1000000000, 0, created, sizeof(created));
        /* docker prints whole seconds: drop ".000000000" */
        char *dot = strchr(created, '.');
        if (dot)
                memmove(dot, dot + 10, strlen(dot + 10) + 1);
        _cleanup_free_ char *mountpoint = vs_volume_data_path(s->root, v->name);
        return json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:s}", "CreatedAt", created, "Driver", v->driver, "Labels",
                         v->labels ? kv_object(v->labels) : json_null(), "Mountpoint", mountpoint ? mountpoint : "",
                         "Name", v->name, "Options", v->options ? kv_object(v->options) : json_null(), "Scope",
                         "local");
}

/* --- create --- */

struct create_args {
        const char *driver;
        char **options, **labels;
        size_t n_options, n_labels;
};

static int volume_create(const struct globals *g, const char *name, struct create_args *a, struct vs_error *err)
{
        char random[65];
        if (!name) {
                int r = vs_volume_random_name(random, err);
                if (r < 0)
                        return r;
                name = random;
        }
        struct vs_store *s = NULL;
        int r = engine_open(g, &s, err);
        if (r < 0)
                return r;
        struct vs_volume v = {.name = (char *) name,
                              .driver = (char *) (a->driver ? a->driver : "local"),
                              .options = a->options,
                              .labels = a->labels};
        r = vs_volume_create(s->db, s->root, &v, err);
        if (r == -EEXIST) { /* docker: creating an existing volume gives it back */
                vs_error_ignore(err);
                r = 0;
        }
        if (r == 0)
                printf("%s\n", name);
        vs_store_close(s);
        return r;
}

static int cmd_volume_create(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"driver", required_argument, NULL, 'd'}, {"opt", required_argument, NULL, 'o'},
                {"label", required_argument, NULL, 'L'},  {"name", required_argument, NULL, 'N'},
                {"help", no_argument, NULL, 'h'},         {0},
        };
        struct create_args a = {0};
        const char *name = NULL;
        int c, status = 0;
        while (status == 0 && (c = next_option(argc, argv, "d:o:h", longopts)) != -1) {
                switch (c) {
                case 'd':
                        a.driver = optarg;
                        break;
                case 'o':
                        if (strv_add(&a.options, &a.n_options, optarg) < 0)
                                status = fail_usage("out of memory");
                        break;
                case 'L':
                        if (strv_add(&a.labels, &a.n_labels, optarg) < 0)
                                status = fail_usage("out of memory");
                        break;
                case 'N':
                        name = optarg;
                        break;
                case 'h':
                        print_help("volume create [OPTIONS] [VOLUME]", "Create a volume",
                                   "  -d, --driver string   Specify volume driver name (default \"local\")\n"
                                   "      --label list      Set metadata for a volume\n"
                                   "  -o, --opt map         Set driver specific options (default map[])\n");
                        status = -1;
                        break;
                default:
                        status = 125;
                }
        }
        if (status == 0 && !want_args(argc, argv, 0, 1, "volume create [OPTIONS] [VOLUME]"))
                status = 125;
        if (status == 0 && optind < argc) {
                if (name && strcmp(name, argv[optind]) != 0)
                        status = fail_usage("conflicting options: either specify --name or provide positional arg, "
                                            "not both");
                name = argv[optind];
        }
        if (status == 0) {
                struct vs_error err = VS_ERROR_INIT;
                if (volume_create(g, name, &a, &err) < 0)
                        status = fail(&err);
        }
        vs_strv_free(a.options);
        vs_strv_free(a.labels);
        return status < 0 ? 0 : status;
}

/* --- ls --- */

struct filters {
        int dangling; /* -1: any */
        char **names, **labels, **drivers;
        size_t n_names, n_labels, n_drivers;
};

static void filters_free(struct filters *f)
{
        vs_strv_free(f->names);
        vs_strv_free(f->labels);
        vs_strv_free(f->drivers);
}

static int filter_add(struct filters *f, const char *spec, bool ls)
{
        const char *eq = strchr(spec, '=');
        size_t klen = eq ? (size_t) (eq - spec) : strlen(spec);
        const char *value = eq ? eq + 1 : "";
        if (!eq)
                return fail_usage("bad format of filter (expected name=value)");
        if (ls && klen == 8 && strncmp(spec, "dangling", 8) == 0) {
                if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
                        f->dangling = 1;
                else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
                        f->dangling = 0;
                else
                        return fail_usage("invalid filter 'dangling=%s'", value);
                return 0;
        }
        int r = -EINVAL;
        if (ls && klen == 4 && strncmp(spec, "name", 4) == 0)
                r = strv_add(&f->names, &f->n_names, value);
        else if (klen == 5 && strncmp(spec, "label", 5) == 0)
                r = strv_add(&f->labels, &f->n_labels, value);
        else if (ls && klen == 6 && strncmp(spec, "driver", 6) == 0)
                r = strv_add(&f->drivers, &f->n_drivers, value);
        if (r == -EINVAL)
                return fail_usage("invalid filter '%.*s'", (int) klen, spec);
        return r < 0 ? fail_usage("out of memory") : 0;
}

static bool has_label(const struct vs_volume *v, const char *want)
{
        bool with_value = strchr(want, '=') != NULL;
        size_t klen = strcspn(want, "=");
        for (char **l = v->labels; l && *l; l++)
                if (with_value ? strcmp(*l, want) == 0 : strncmp(*l, want, klen) == 0 && (*l)[klen] == '=')
                        return true;
        return false;
}

/* Filters of one kind are or-ed, kinds are and-ed (labels: all must match), as docker's. */
static bool matches(const struct filters *f, const struct vs_volume *v, bool in_use)
{
        if (f->dangling >= 0 && f->dangling == in_use)
                return false;
        bool any = !f->names;
        for (char **n = f->names; n && *n && !any; n++)
                any = strstr(v->name, *n) != NULL;
        if (!any)
                return false;
        any = !f->drivers;
        for (char **d = f->drivers; d && *d && !any; d++)
                any = strcmp(v->driver, *d) == 0;
        for (char **l = f->labels; any && l && *l; l++)
                any = has_label(v, *l);
        return any;
}

static bool in_use(struct vs_store *s, const char *name)
{
        _cleanup_strv_ char **ids = NULL;
        struct vs_error ignored = VS_ERROR_INIT;
        if (vs_volume_users(s->db, name, &ids, &ignored) < 0) {
                vs_error_ignore(&ignored);
                return true; /* unknown: treat as used, never pruned */
        }
        return ids[0] != NULL;
}

static json_t *ls_row(const struct vs_store *s, const struct vs_volume *v, size_t links)
{
        char labels[2048] = "";
        size_t len = 0;
        for (char **l = v->labels; l && *l && len < sizeof(labels); l++)
                len += (size_t) snprintf(labels + len, sizeof(labels) - len, "%s%s", len ? "," : "", *l);
        _cleanup_free_ char *mountpoint = vs_volume_data_path(s->root, v->name);
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "Driver", v->driver, "Name", v->name, "Scope", "local",
                         "Mountpoint", mountpoint ? mountpoint : "", "Labels", labels, "Links", (json_int_t) links,
                         "Size", "N/A");
}

static int volume_ls(const struct globals *g, const struct filters *f, bool quiet, const char *format,
                     struct vs_error *err)
{
        struct vs_store *s = NULL;
        struct vs_volume *vs = NULL;
        size_t n = 0;
        int r = engine_open(g, &s, err);
        if (r == 0)
                r = vs_volume_list(s->db, &vs, &n, err);
        json_t *rows = json_array();
        for (size_t i = 0; r == 0 && i < n; i++) {
                _cleanup_strv_ char **ids = NULL;
                r = vs_volume_users(s->db, vs[i].name, &ids, err);
                size_t links = 0;
                while (r == 0 && ids[links])
                        links++;
                if (r == 0 && matches(f, &vs[i], links > 0))
                        json_array_append_new(rows, ls_row(s, &vs[i], links));
        }
        if (r == 0)
                r = format_rows(stdout, quiet ? "{{.Name}}" : format, LS_TABLE, rows, ls_headers, err);
        json_decref(rows);
        vs_volume_list_free(vs, n);
        if (s)
                vs_store_close(s);
        return r;
}

static int cmd_volume_ls(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"quiet", no_argument, NULL, 'q'},        {"filter", required_argument, NULL, 'f'},
                {"format", required_argument, NULL, 'F'}, {"cluster", no_argument, NULL, 'C'},
                {"help", no_argument, NULL, 'h'},         {0},
        };
        struct filters f = {.dangling = -1};
        bool quiet = false;
        const char *format = NULL;
        int c, status = 0;
        while (status == 0 && (c = next_option(argc, argv, "qf:h", longopts)) != -1) {
                switch (c) {
                case 'q':
                        quiet = true;
                        break;
                case 'f':
                        status = filter_add(&f, optarg, true);
                        break;
                case 'F':
                        format = optarg;
                        break;
                case 'C':
                        break;
                case 'h':
                        print_help("volume ls [OPTIONS]", "List volumes",
                                   "  -f, --filter filter   Provide filter values (e.g. \"dangling=true\")\n"
                                   "      --format string   Format output using a custom template\n"
                                   "  -q, --quiet           Only display volume names\n");
                        status = -1;
                        break;
                default:
                        status = 125;
                }
        }
        if (status == 0 && !want_args(argc, argv, 0, 0, "volume ls [OPTIONS]"))
                status = 125;
        struct vs_error err = VS_ERROR_INIT;
        if (status == 0 && volume_ls(g, &f, quiet, format, &err) < 0)
                status = fail(&err);
        filters_free(&f);
        return status < 0 ? 0 : status;
}

/* --- inspect --- */

static int cmd_volume_inspect(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {0}};
        const char *format = NULL;
        int c;
        while ((c = next_option(argc, argv, "f:h", longopts)) != -1) {
                if (c == 'f') {
                        format = optarg;
                        continue;
                }
                if (c == 'h') {
                        print_help("volume inspect [OPTIONS] VOLUME [VOLUME...]",
                                   "Display detailed information on one or more volumes",
                                   "  -f, --format string   Format output using a custom template\n");
                        return 0;
                }
                return 125;
        }
        if (!want_args(argc, argv, 1, -1, "volume inspect [OPTIONS] VOLUME [VOLUME...]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (engine_open(g, &s, &err) < 0)
                return fail(&err);
        json_t *all = json_array();
        int status = 0;
        for (int i = optind; i < argc; i++) {
                struct vs_volume v = {0};
                if (vs_volume_find(s->db, argv[i], &v, &err) < 0) {
                        status = fail(&err);
                        err = (struct vs_error) VS_ERROR_INIT;
                        continue;
                }
                json_array_append_new(all, volume_object(s, &v));
                vs_volume_free(&v);
        }
        size_t i;
        json_t *o;
        if (format) {
                json_array_foreach (all, i, o)
                        if (format_value(stdout, format, o, &err) < 0) {
                                status = fail(&err);
                                break;
                        }
        } else {
                _cleanup_free_ char *text = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
                printf("%s\n", text ? text : "[]");
        }
        json_decref(all);
        vs_store_close(s);
        return status;
}

/* --- rm --- */

static int cmd_volume_rm(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {0}};
        bool force = false;
        int c;
        while ((c = next_option(argc, argv, "fh", longopts)) != -1) {
                if (c == 'f') {
                        force = true;
                        continue;
                }
                if (c == 'h') {
                        print_help("volume rm [OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes",
                                   "  -f, --force   Force the removal of one or more volumes (a missing one is no "
                                   "error)\n");
                        return 0;
                }
                return 125;
        }
        if (!want_args(argc, argv, 1, -1, "volume rm [OPTIONS] VOLUME [VOLUME...]"))
                return 125;
        struct vs_error err = VS_ERROR_INIT;
        struct vs_store *s = NULL;
        if (engine_open(g, &s, &err) < 0)
                return fail(&err);
        int status = 0;
        for (int i = optind; i < argc; i++) {
                int r = vs_volume_remove(s->db, s->root, argv[i], &err);
                if (r == 0)
                        printf("%s\n", argv[i]);
                else if (!(force && r == -ENOENT)) /* docker: -f forgives a missing volume, not one in use */
                        status = fail(&err);
                err = (struct vs_error) VS_ERROR_INIT;
        }
        vs_store_close(s);
        return status;
}

/* --- prune --- */

static bool confirm(bool all)
{
        printf("WARNING! This will remove %s local volumes not used by at least one container.\n"
               "Are you sure you want to continue? [y/N] ",
               all ? "all" : "anonymous");
        fflush(stdout);
        char line[64];
        if (!fgets(line, sizeof(line), stdin))
                return false;
        return line[0] == 'y' || line[0] == 'Y';
}

static int volume_prune(const struct globals *g, const struct filters *f, bool all, struct vs_error *err)
{
        struct vs_store *s = NULL;
        struct vs_volume *vs = NULL;
        size_t n = 0;
        int r = engine_open(g, &s, err);
        if (r == 0)
                r = vs_volume_list(s->db, &vs, &n, err);
        int64_t reclaimed = 0;
        bool header = false;
        for (size_t i = 0; r == 0 && i < n; i++) {
                if ((!all && !vs[i].anonymous) || !matches(f, &vs[i], false) || in_use(s, vs[i].name))
                        continue;
                int64_t size = vs_volume_size(s->root, vs[i].name);
                struct vs_error busy = VS_ERROR_INIT;
                if (vs_volume_remove(s->db, s->root, vs[i].name, &busy) < 0) { /* taken meanwhile */
                        vs_error_ignore(&busy);
                        continue;
                }
                if (!header)
                        printf("Deleted Volumes:\n");
                header = true;
                printf("%s\n", vs[i].name);
                reclaimed += size;
        }
        if (r == 0) {
                char human[32];
                human_size(reclaimed, human, sizeof(human));
                printf("%sTotal reclaimed space: %s\n", header ? "\n" : "", human);
        }
        vs_volume_list_free(vs, n);
        if (s)
                vs_store_close(s);
        return r;
}

static int cmd_volume_prune(const struct globals *g, int argc, char **argv)
{
        static const struct option longopts[] = {
                {"force", no_argument, NULL, 'f'},
                {"all", no_argument, NULL, 'a'},
                {"filter", required_argument, NULL, 'F'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        struct filters f = {.dangling = -1};
        bool force = false, all = false;
        int c, status = 0;
        while (status == 0 && (c = next_option(argc, argv, "fah", longopts)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'a':
                        all = true;
                        break;
                case 'F':
                        status = filter_add(&f, optarg, false);
                        break;
                case 'h':
                        print_help("volume prune [OPTIONS]", "Remove unused local volumes",
                                   "  -a, --all             Remove all unused volumes, not just anonymous ones\n"
                                   "      --filter filter   Provide filter values (e.g. \"label=<label>\")\n"
                                   "  -f, --force           Do not prompt for confirmation\n");
                        status = -1;
                        break;
                default:
                        status = 125;
                }
        }
        if (status == 0 && !want_args(argc, argv, 0, 0, "volume prune [OPTIONS]"))
                status = 125;
        struct vs_error err = VS_ERROR_INIT;
        if (status == 0 && (force || confirm(all)) && volume_prune(g, &f, all, &err) < 0)
                status = fail(&err);
        filters_free(&f);
        return status < 0 ? 0 : status;
}

int cmd_volume(const struct globals *g, int argc, char **argv)
{
        static const struct {
                const char *name, *alias;
                int (*run)(const struct globals *g, int argc, char **argv);
                const char *summary;
        } subs[] = {
                {"create", NULL, cmd_volume_create, "Create a volume"},
                {"inspect", NULL, cmd_volume_inspect, "Display detailed information on one or more volumes"},
                {"ls", "list", cmd_volume_ls, "List volumes"},
                {"prune", NULL, cmd_volume_prune, "Remove unused local volumes"},
                {"rm", "remove", cmd_volume_rm, "Remove one or more volumes"},
        };
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                printf("\nUsage:  vessel volume COMMAND\n\nManage volumes\n\nCommands:\n");
                for (size_t i = 0; i < VS_ARRAY_SIZE(subs); i++)
                        printf("  %-9s %s\n", subs[i].name, subs[i].summary);
                printf("\nRun 'vessel volume COMMAND --help' for more information on a command.\n");
                return 0;
        }
        for (size_t i = 0; i < VS_ARRAY_SIZE(subs); i++)
                if (strcmp(argv[1], subs[i].name) == 0 || (subs[i].alias && strcmp(argv[1], subs[i].alias) == 0)) {
                        optind = 0;
                        return subs[i].run(g, argc - 1, argv + 1);
                }
        return fail_usage("'volume %s' is not a vessel command (see 'vessel volume --help')", argv[1]);
}
