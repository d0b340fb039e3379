/*
 * token_cmd.h — `samvei token`: prints a join token signed with the
 * configured secret, for tests and demo links until invitations are issued
 * through the REST API.
 */
#ifndef SV_APP_TOKEN_CMD_H
#define SV_APP_TOKEN_CMD_H

/* argv[0] is "samvei", argv[1] "token". Returns the process exit code:
 * 0 with the token on stdout, 2 with a sentence on stderr for bad input,
 * 1 when the secret cannot be read or made. */
int sv_app_token_main(int argc, char **argv);

#endif
