/*
 * urgentlink_cmd.h — `samvei urgent-link list|revoke`: the stored links of
 * urgent guidance (made by POST /api/teams/{id}/urgent-links).
 */
#ifndef SV_APP_URGENTLINK_CMD_H
#define SV_APP_URGENTLINK_CMD_H

/* argv[0] is "samvei", argv[1] "urgent-link". Returns the exit code: 0,
 * or 2 for bad input, an unknown or already revoked link, or an unusable
 * database. */
int sv_app_urgentlink_main(int argc, char **argv);

#endif
