/*
 * role.h — the roles a person joins a consultation with (the "role" of a
 * join token and of an invitation), as an enum with one name table: the
 * only place a role's name becomes its value and back. Lives in common/ so
 * that schedule/ (invitations) and signaling/ (rooms) share it.
 */
#ifndef SV_ROLE_H
#define SV_ROLE_H

#include <stdbool.h>

typedef enum {
  SV_ROLE_SPECIALIST,  /* hosts: admits, removes, ends */
  SV_ROLE_MUNICIPAL,   /* the nurse or doctor who asked for guidance */
  SV_ROLE_PATIENT,     /* waits until a host admits */
  SV_ROLE_RELATIVE,    /* waits until a host admits */
  SV_ROLE_INTERPRETER, /* waits until a host admits */
  SV_ROLE_OBSERVER,    /* receives only */
  SV_ROLE_COUNT
} sv_role;

/* Every role's name in enum order, NULL-terminated. */
extern const char *const sv_role_names[SV_ROLE_COUNT + 1];

/* The static name of role; NULL for a value outside the enum. */
const char *sv_role_name(sv_role role);
/* Parses a role's name (NULL is no role); returns 0 and sets *out, or
 * SV_EINVAL. */
int sv_role_parse(const char *name, sv_role *out);
/* Whether name is role's name (false for NULL or anything else). */
bool sv_role_is(const char *name, sv_role role);
/* Patients, relatives and interpreters wait until a host admits them. */
bool sv_role_waits(sv_role role);

#endif
