/*
 * booking_cmd.h — bookings from the command line, for demos, scripts and
 * support: `samvei team create`, `samvei consultation create` and
 * `samvei invite` (a stored invitation with its join token).
 */
#ifndef SV_APP_BOOKING_CMD_H
#define SV_APP_BOOKING_CMD_H

/* argv[0] is "samvei", argv[1] "team", "consultation" or "invite".
 * Returns the exit code: 0 with the new id (or token) on stdout, 2 for bad
 * input (a sentence on stderr), 1 when the database or secret fails. */
int sv_app_booking_main(int argc, char **argv);

#endif
