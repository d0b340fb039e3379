/*
 * apikey_cmd.h — `samvei apikey create --name N`: makes a REST API key,
 * prints it once and stores only its SHA-256.
 */
#ifndef SV_APP_APIKEY_CMD_H
#define SV_APP_APIKEY_CMD_H

/* argv[0] is "samvei", argv[1] "apikey". Returns the exit code: 0 with the
 * key on stdout, 2 for bad input or an unusable database. */
int sv_app_apikey_main(int argc, char **argv);

#endif
