/*
 * test_secret.c — app/secret.c and the options of the waiting room:
 * --token-secret wins; without it a random secret is made once in the data
 * dir with mode 0600 and read back unchanged on the next start; the grace
 * and waiting-room minutes and the privacy notice are parsed and bounded;
 * the accessibility statement is read from its file and bounded.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/config.h"
#include "app/secret.h"
#include "check.h"

static const char *env_vars[] = {"SAMVEI_CONFIG",
                                 "SAMVEI_DATA_DIR",
                                 "SAMVEI_TOKEN_SECRET",
                                 "SAMVEI_JOIN_GRACE_BEFORE_MIN",
                                 "SAMVEI_JOIN_GRACE_AFTER_MIN",
                                 "SAMVEI_WAITING_ROOM_OPEN_MIN",
                                 "SAMVEI_PRIVACY_NOTICE",
                                 "SAMVEI_ACCESSIBILITY_STATEMENT"};

static int load(sv_config *cfg, char **error, const char *a1, const char *a2, const char *a3,
                const char *a4) {
  char *argv[] = {"samvei", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
  int argc = 1;
  while (argv[argc])
    argc++;
  return sv_config_load(cfg, argc, argv, error);
}

static void test_options(void) {
  sv_config cfg;
  char *error = NULL;
  CHECK_EQ_INT(load(&cfg, &error, NULL, NULL, NULL, NULL), 0);
  CHECK_EQ_INT(cfg.join_grace_before_min, 15);
  CHECK_EQ_INT(cfg.join_grace_after_min, 30);
  CHECK_EQ_INT(cfg.waiting_room_open_min, 15);
  CHECK(cfg.token_secret == NULL && cfg.privacy_notice == NULL);
  sv_config_free(&cfg);

  setenv("SAMVEI_WAITING_ROOM_OPEN_MIN", "45", 1);
  CHECK_EQ_INT(load(&cfg, &error, "--join-grace-before-min", "5", "--privacy-notice",
                    "Bare deltakerne ser deg."),
               0);
  CHECK_EQ_INT(cfg.join_grace_before_min, 5);
  CHECK_EQ_INT(cfg.waiting_room_open_min, 45);
  CHECK_STR(cfg.privacy_notice, "Bare deltakerne ser deg.");
  sv_config_free(&cfg);
  unsetenv("SAMVEI_WAITING_ROOM_OPEN_MIN");

  /* A short secret and out-of-range minutes are refused with the form. */
  CHECK_EQ_INT(load(&cfg, &error, "--token-secret", "short", NULL, NULL), SV_EINVAL);
  CHECK(error && strstr(error, "at least 32 characters"));
  g_free(error);
  error = NULL;
  sv_config_free(&cfg);
  CHECK_EQ_INT(load(&cfg, &error, "--join-grace-after-min", "1441", NULL, NULL), SV_EINVAL);
  CHECK(error && strstr(error, "--join-grace-after-min"));
  g_free(error);
  error = NULL;
  sv_config_free(&cfg);
}

static void test_secret_file(void) {
  char *dir = g_dir_make_tmp("samvei-secret-XXXXXX", NULL);
  char *data = g_build_filename(dir, "data", NULL);
  char *file = g_build_filename(data, "token-secret", NULL);
  sv_config cfg;
  char *error = NULL;
  uint8_t *s1 = NULL, *s2 = NULL;
  size_t n1 = 0, n2 = 0;

  CHECK_EQ_INT(load(&cfg, &error, "--data-dir", data, NULL, NULL), 0);
  CHECK_EQ_INT(sv_app_token_secret(&cfg, &s1, &n1, &error), 0);
  CHECK_EQ_INT((int)n1, 64);
  struct stat st;
  CHECK(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600);
  /* A restart reads the same secret back. */
  CHECK_EQ_INT(sv_app_token_secret(&cfg, &s2, &n2, &error), 0);
  CHECK(n1 == n2 && memcmp(s1, s2, n1) == 0);
  g_free(s2);
  sv_config_free(&cfg);

  /* --token-secret wins over the file. */
  CHECK_EQ_INT(
      load(&cfg, &error, "--data-dir", data, "--token-secret", "0123456789abcdef0123456789abcdef"),
      0);
  CHECK_EQ_INT(sv_app_token_secret(&cfg, &s2, &n2, &error), 0);
  CHECK(n2 == 32 && memcmp(s2, "0123456789abcdef0123456789abcdef", 32) == 0);
  sv_config_free(&cfg);

  g_free(s1);
  g_free(s2);
  g_unlink(file);
  g_rmdir(data);
  g_rmdir(dir);
  g_free(file);
  g_free(data);
  g_free(dir);
}

/* --accessibility-statement FILE: the file's text, trimmed; an empty,
 * missing, binary or too long file is refused with the form. */
static void test_statement(void) {
  sv_config cfg;
  char *error = NULL;
  char *dir = g_dir_make_tmp("samvei-a11y-XXXXXX", NULL);
  char *file = g_build_filename(dir, "statement.txt", NULL);

  CHECK_EQ_INT(load(&cfg, &error, NULL, NULL, NULL, NULL), 0);
  CHECK(cfg.accessibility_statement == NULL);
  sv_config_free(&cfg);

  CHECK(
      g_file_set_contents(file, "\n  Tilgjengelighet <b>her</b>.\n\nKontakt: a@b.no\n", -1, NULL));
  CHECK_EQ_INT(load(&cfg, &error, "--accessibility-statement", file, NULL, NULL), 0);
  CHECK_STR(cfg.accessibility_statement, "Tilgjengelighet <b>her</b>.\n\nKontakt: a@b.no");
  sv_config_free(&cfg);

  const char *bad[] = {"   \n\n", "a\0b", "\xff\xfe"};
  const gssize bad_len[] = {-1, 3, 2};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    CHECK(g_file_set_contents(file, bad[i], bad_len[i], NULL));
    CHECK_EQ_INT(load(&cfg, &error, "--accessibility-statement", file, NULL, NULL), SV_EINVAL);
    CHECK(error && strstr(error, "UTF-8 plain-text file"));
    g_free(error);
    error = NULL;
    sv_config_free(&cfg);
  }
  char *big = g_strnfill(20001, 'x');
  CHECK(g_file_set_contents(file, big, -1, NULL));
  CHECK_EQ_INT(load(&cfg, &error, "--accessibility-statement", file, NULL, NULL), SV_EINVAL);
  g_free(error);
  error = NULL;
  sv_config_free(&cfg);
  g_free(big);

  g_unlink(file);
  CHECK_EQ_INT(load(&cfg, &error, "--accessibility-statement", file, NULL, NULL), SV_EINVAL);
  g_free(error);
  sv_config_free(&cfg);
  g_rmdir(dir);
  g_free(file);
  g_free(dir);
}

int main(void) {
  for (size_t i = 0; i < SV_ARRAY_LEN(env_vars); i++)
    unsetenv(env_vars[i]);
  RUN(test_options);
  RUN(test_secret_file);
  RUN(test_statement);
  return check_summary();
}
