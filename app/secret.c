/*
 * secret.c — loading or creating the token secret (see secret.h). The file
 * holds 64 hex characters (32 random bytes) and a newline; whatever it holds
 * is used as it is (trimmed), so an operator may put their own secret there.
 */
#include "app/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"

#define SV_SECRET_FILE  "token-secret"
#define SV_SECRET_BYTES 32

static int create_secret(const char *path, char **error) {
  uint8_t raw[SV_SECRET_BYTES];
  char hex[2 * SV_SECRET_BYTES + 2];
  sv_random_bytes(raw, sizeof raw);
  for (size_t i = 0; i < sizeof raw; i++)
    snprintf(hex + 2 * i, 3, "%02x", raw[i]);
  strcat(hex, "\n");
  /* O_EXCL: two servers starting at once must not overwrite each other's. */
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return 0;
    *error = g_strdup_printf("cannot create the token secret %s (%s): check that the data dir "
                             "is writable, or give --token-secret",
                             path, g_strerror(errno));
    return SV_EIO;
  }
  size_t n = strlen(hex);
  bool ok = write(fd, hex, n) == (ssize_t)n;
  ok = close(fd) == 0 && ok;
  if (!ok) {
    g_unlink(path);
    *error = g_strdup_printf("cannot write the token secret %s", path);
    return SV_EIO;
  }
  SV_INFO("app", "created a new token secret in %s", path);
  return 0;
}

int sv_app_token_secret(const sv_config *cfg, uint8_t **out, size_t *len, char **error) {
  *error = NULL;
  if (cfg->token_secret) {
    *len = strlen(cfg->token_secret);
    *out = (uint8_t *)g_strdup(cfg->token_secret);
    return 0;
  }
  if (g_mkdir_with_parents(cfg->data_dir, 0700) != 0) {
    *error = g_strdup_printf("cannot create the data dir %s (%s): give a writable --data-dir",
                             cfg->data_dir, g_strerror(errno));
    return SV_EIO;
  }
  char *path = g_build_filename(cfg->data_dir, SV_SECRET_FILE, NULL);
  int rc = create_secret(path, error);
  char *text = NULL;
  GError *gerr = NULL;
  if (rc == 0 && !g_file_get_contents(path, &text, NULL, &gerr)) {
    *error = g_strdup_printf("cannot read the token secret %s: %s", path, gerr->message);
    g_error_free(gerr);
    rc = SV_EIO;
  }
  if (rc == 0) {
    g_strstrip(text);
    if (strlen(text) < 32) {
      *error = g_strdup_printf("the token secret in %s is shorter than 32 characters: delete the "
                               "file to have a new one made",
                               path);
      rc = SV_EIO;
    }
  }
  if (rc == 0) {
    *len = strlen(text);
    *out = (uint8_t *)text;
    text = NULL;
  }
  g_free(text);
  g_free(path);
  return rc;
}

/* Warns when path has any of the mode bits in loose. */
static void warn_mode(const char *path, mode_t loose, const char *what, const char *fix) {
  struct stat st;
  if (stat(path, &st) != 0 || !(st.st_mode & loose)) return;
  SV_WARN("app", "%s %s can be read by other users (mode %03o): run 'chmod %s %s'", what, path,
          (unsigned)(st.st_mode & 0777), fix, path);
}

void sv_app_warn_modes(const sv_config *cfg) {
  warn_mode(cfg->data_dir, S_IRWXO, "the data dir", "700");
  char *secret = g_build_filename(cfg->data_dir, SV_SECRET_FILE, NULL);
  if (!cfg->token_secret) warn_mode(secret, S_IRWXG | S_IRWXO, "the token secret", "600");
  g_free(secret);
  char *db = g_build_filename(cfg->data_dir, "samvei.db", NULL);
  if (!cfg->database_url) warn_mode(db, S_IRWXG | S_IRWXO, "the database", "600");
  g_free(db);
}
