/*
 * role.c — the name table of role.h.
 */
#include "common/role.h"

#include "common/common.h"

#include <string.h>

const char *const sv_role_names[SV_ROLE_COUNT + 1] = {
    [SV_ROLE_SPECIALIST] = "specialist",
    [SV_ROLE_MUNICIPAL] = "municipal",
    [SV_ROLE_PATIENT] = "patient",
    [SV_ROLE_RELATIVE] = "relative",
    [SV_ROLE_INTERPRETER] = "interpreter",
    [SV_ROLE_OBSERVER] = "observer",
    [SV_ROLE_COUNT] = NULL,
};

const char *sv_role_name(sv_role role) {
  return (unsigned)role < SV_ROLE_COUNT ? sv_role_names[role] : NULL;
}

int sv_role_parse(const char *name, sv_role *out) {
  for (int i = 0; name && i < SV_ROLE_COUNT; i++) {
    if (strcmp(name, sv_role_names[i]) == 0) {
      *out = (sv_role)i;
      return 0;
    }
  }
  return SV_EINVAL;
}

bool sv_role_is(const char *name, sv_role role) {
  sv_role r;
  return sv_role_parse(name, &r) == 0 && r == role;
}

bool sv_role_waits(sv_role role) {
  return role == SV_ROLE_PATIENT || role == SV_ROLE_RELATIVE || role == SV_ROLE_INTERPRETER;
}
