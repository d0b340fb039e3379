/*
 * audit_cmd.h — `samvei audit verify` and `samvei audit export`: the
 * session log from the command line, on the server's own database.
 */
#ifndef SV_APP_AUDIT_CMD_H
#define SV_APP_AUDIT_CMD_H

/* argv[0] is "samvei", argv[1] "audit". Returns the exit code:
 * verify: 0 "chain intact, N events"; 1 naming the first broken event.
 * export: 0 with JSON or CSV on stdout.
 * 2 for bad input or a database that cannot be opened. */
int sv_app_audit_main(int argc, char **argv);

#endif
