/* vessel: the container's user from the image's /etc/passwd and /etc/group,
 * read inside its root (never following a link out of it), with the rules
 * of runc's user.GetExecUser that docker relies on. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/spec_gen.h"
#include "util/cleanup.h"
#include "util/files.h"

#define OOM(err) vs_error_set(err, ENOMEM, "out of memory")
#define ID_MAX INT32_MAX /* docker: "uids and gids must be in range 0-2147483647" */

/* The text of a file inside the root, "" when it is missing or there is no root. */
static int read_in_root(int rootfd, const char *path, char **ret, struct vs_error *err)
{
        if (rootfd < 0) {
                *ret = strdup("");
                return *ret ? 0 : OOM(err);
        }
        struct vs_error open_err = VS_ERROR_INIT;
        _cleanup_close_ int fd = vs_open_in_root(rootfd, path, O_RDONLY | O_CLOEXEC, 0, &open_err);
        if (fd == -ENOENT || fd == -ENOTDIR) {
                *ret = strdup("");
                return *ret ? 0 : OOM(err);
        }
        if (fd < 0) {
                *err = open_err;
                return fd;
        }
        char fd_path[64];
        size_t len;
        snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
        int r = vs_read_file_at(AT_FDCWD, fd_path, 4u << 20, ret, &len, err);
        return r < 0 ? vs_error_wrap(err, "%s of the container", path) : 0;
}

static bool parse_id(const char *text, uint32_t *ret)
{
        char *end;
        if (!*text || *text < '0' || *text > '9')
                return false;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 10);
        if (*end || errno || v > ID_MAX)
                return false;
        *ret = (uint32_t) v;
        return true;
}

/* Split one line into at most n colon-separated fields (in place). */
static size_t split_fields(char *line, char **fields, size_t n)
{
        size_t i = 0;
        while (line && i < n) {
                fields[i++] = line;
                if ((line = strchr(line, ':')))
                        *line++ = '\0';
        }
        return i;
}

/* Call fn for each line of a passwd- or group-style file; fn returns 1 to stop. */
static int each_line(char *text, size_t n_fields, int (*fn)(char **fields, void *data), void *data)
{
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *fields[7] = {NULL};
                if (line[0] == '#' || split_fields(line, fields, n_fields) < 3)
                        continue;
                int r = fn(fields, data);
                if (r != 0)
                        return r;
        }
        return 0;
}

struct user_match {
        const char *arg;
        bool numeric;
        uint32_t id;
        bool found;
        uint32_t uid, gid;
        char *name, *home;
};

static int match_user(char **f, void *data)
{
        struct user_match *m = data;
        uint32_t uid, gid;
        if (!parse_id(f[2], &uid) || !f[3] || !parse_id(f[3], &gid))
                return 0;
        if (m->numeric ? uid != m->id : strcmp(f[0], m->arg) != 0)
                return 0;
        m->found = true;
        m->uid = uid;
        m->gid = gid;
        m->name = strdup(f[0]);
        m->home = f[5] ? strdup(f[5]) : NULL;
        return m->name ? 1 : -ENOMEM;
}

struct group_match {
        const char *arg; /* a group name or gid; NULL: the groups listing `member` */
        const char *member;
        uint32_t *gids;
        size_t n;
};

static bool lists_member(char *members, const char *name)
{
        char *save = NULL;
        for (char *m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save))
                if (strcmp(m, name) == 0)
                        return true;
        return false;
}

static int match_group(char **f, void *data)
{
        struct group_match *m = data;
        uint32_t gid, wanted;
        if (!parse_id(f[2], &gid))
                return 0;
        bool hit = m->arg ? (parse_id(m->arg, &wanted) ? gid == wanted : strcmp(f[0], m->arg) == 0)
                          : m->member && f[3] && lists_member(f[3], m->member);
        if (!hit)
                return 0;
        uint32_t *grown = realloc(m->gids, (m->n + 1) * sizeof(uint32_t));
        if (!grown)
                return -ENOMEM;
        m->gids = grown;
        m->gids[m->n++] = gid;
        return m->arg ? 1 : 0;
}

/* One group by name or gid: from the file, or a number not in it. */
static int find_group(const char *group_text, const char *arg, uint32_t *ret, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(group_text);
        struct group_match m = {.arg = arg};
        if (!copy)
                return OOM(err);
        int r = each_line(copy, 4, match_group, &m);
        if (r < 0)
                return OOM(err);
        if (m.n) {
                *ret = m.gids[0];
                free(m.gids);
                return 0;
        }
        if (parse_id(arg, ret))
                return 0;
        return vs_error_set(err, ENOENT, "unable to find group %s: no matching entries in group file", arg);
}

static int find_user(const char *passwd_text, const char *arg, struct user_match *m, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(passwd_text);
        if (!copy)
                return OOM(err);
        m->arg = arg;
        m->numeric = parse_id(arg, &m->id);
        if (each_line(copy, 7, match_user, m) < 0)
                return OOM(err);
        if (m->found)
                return 0;
        if (!m->numeric)
                return vs_error_set(err, ENOENT, "unable to find user %s: no matching entries in passwd file", arg);
        m->uid = m->id;
        m->gid = 0;
        return 0;
}

static int supplementary_groups(const char *group_text, const char *name, struct vs_spec_user *u, struct vs_error *err)
{
        _cleanup_free_ char *copy = strdup(group_text);
        struct group_match m = {.member = name};
        if (!copy)
                return OOM(err);
        if (each_line(copy, 4, match_group, &m) < 0) {
                free(m.gids);
                return OOM(err);
        }
        u->additional_gids = m.gids;
        u->n_additional_gids = m.n;
        return 0;
}

static int add_groups(const char *group_text, char *const *group_add, struct vs_spec_user *u, struct vs_error *err)
{
        for (char *const *g = group_add; g && *g; g++) {
                uint32_t gid;
                int r = find_group(group_text, *g, &gid, err);
                if (r < 0)
                        return vs_error_wrap(err, "--group-add");
                uint32_t *grown = realloc(u->additional_gids, (u->n_additional_gids + 1) * sizeof(uint32_t));
                if (!grown)
                        return OOM(err);
                u->additional_gids = grown;
                u->additional_gids[u->n_additional_gids++] = gid;
        }
        return 0;
}

static int resolve(const char *passwd, const char *group, const char *user, char *const *group_add,
                   struct vs_spec_user *u, struct vs_error *err)
{
        _cleanup_free_ char *user_arg = strdup(user && *user ? user : "0");
        if (!user_arg)
                return OOM(err);
        char *group_arg = strchr(user_arg, ':');
        if (group_arg)
                *group_arg++ = '\0';
        struct user_match m = {0};
        int r = find_user(passwd, user_arg, &m, err);
        u->uid = m.uid;
        u->gid = m.gid;
        u->home = TAKE_PTR(m.home);
        if (r == 0 && group_arg && *group_arg)
                r = find_group(group, group_arg, &u->gid, err);
        else if (r == 0 && m.found)
                r = supplementary_groups(group, m.name, u, err);
        free(m.name);
        if (r == 0)
                r = add_groups(group, group_add, u, err);
        return r;
}

int vs_spec_resolve_user(int rootfd, const char *user, char *const *group_add, struct vs_spec_user *ret,
                         struct vs_error *err)
{
        _cleanup_free_ char *passwd = NULL, *group = NULL;
        int r = read_in_root(rootfd, "/etc/passwd", &passwd, err);
        if (r == 0)
                r = read_in_root(rootfd, "/etc/group", &group, err);
        if (r < 0)
                return r;
        struct vs_spec_user u = {0};
        r = resolve(passwd, group, user, group_add, &u, err);
        if (r < 0) {
                vs_spec_user_free(&u);
                return r;
        }
        *ret = u;
        return 0;
}

void vs_spec_user_free(struct vs_spec_user *u)
{
        free(u->additional_gids);
        free(u->home);
        *u = (struct vs_spec_user){0};
}
