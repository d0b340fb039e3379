/*
 * urgentlink_cmd.c — `samvei urgent-link list [--team T]` and `samvei
 * urgent-link revoke ID` (each with [server options]). A revoked link is
 * refused at its next urgent-watch or urgent-request.
 */
#include "app/urgentlink_cmd.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/store_wire.h"
#include "common/common.h"

static int usage(const char *why) {
  fprintf(stderr,
          "samvei urgent-link: %s\n"
          "usage: samvei urgent-link list [--team T] [server options]\n"
          "       samvei urgent-link revoke ID [server options]\n"
          "  list: one link a line: id, team, role, to, created, revoked or -, name\n"
          "  ID: the link's id, as list and the API show it\n",
          why);
  return 2;
}

static int list_links(sv_store *st, const char *team) {
  sv_urgent_link *links = NULL;
  size_t n = 0;
  if (sv_store_urgent_link_list(st, team, &links, &n) < 0) {
    fprintf(stderr, "samvei urgent-link: cannot read the links (see the log above)\n");
    return 2;
  }
  for (size_t i = 0; i < n; i++) {
    char created[32], revoked[32] = "-";
    sv_app_cli_format_time(links[i].created, created, sizeof created);
    if (links[i].revoked) sv_app_cli_format_time(links[i].revoked, revoked, sizeof revoked);
    printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", links[i].id, links[i].team, links[i].role,
           links[i].to_team, created, revoked, links[i].name);
  }
  g_free(links);
  return 0;
}

static int revoke_link(sv_store *st, const char *id) {
  int err = sv_store_urgent_link_revoke(st, id, g_get_real_time() / G_USEC_PER_SEC);
  if (err == SV_ENOENT || err == SV_ESTATE) {
    fprintf(stderr, "samvei urgent-link: %s\n",
            err == SV_ENOENT ? "no link has this id (see samvei urgent-link list)"
                             : "this link is already revoked");
    return 2;
  }
  if (err < 0) {
    fprintf(stderr, "samvei urgent-link: cannot revoke the link (see the log above)\n");
    return 2;
  }
  fprintf(stderr, "urgent link %s revoked\n", id);
  return 0;
}

int sv_app_urgentlink_main(int argc, char **argv) {
  if (argc < 3) return usage("say list or revoke");
  bool list = strcmp(argv[2], "list") == 0, revoke = strcmp(argv[2], "revoke") == 0;
  if (!list && !revoke) return usage("say list or revoke");
  const char *id = NULL;
  int first = 3;
  if (revoke) {
    if (argc < 4 || g_str_has_prefix(argv[3], "--") || strlen(argv[3]) >= SV_STORE_ID_MAX)
      return usage("give the id of the link to revoke");
    id = argv[3];
    first = 4;
  }
  static const char *const names[] = {"team"};
  const char *values[1] = {NULL};
  sv_config cfg;
  char *error = NULL;
  sv_store *st = NULL;
  int rc = 2;
  if (sv_app_cli_parse(argc, argv, first, names, list ? 1 : 0, values, &cfg, &error) < 0) {
    rc = usage(error);
    goto out;
  }
  sv_log_set_level(SV_LOG_WARN);
  if (sv_app_store_open(&cfg, &st, &error) < 0) {
    fprintf(stderr, "samvei urgent-link: %s\n", error);
    goto out;
  }
  rc = list ? list_links(st, values[0]) : revoke_link(st, id);
out:
  sv_store_close(st);
  g_free(error);
  sv_config_free(&cfg);
  return rc;
}
