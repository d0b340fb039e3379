/*
 * test_config.c — app/config.c: defaults, the three sources and their
 * precedence (command line > environment > config file > default), switch
 * forms, the derived ICE addresses, and errors that name the option.
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/config.h"
#include "check.h"

/* Every SAMVEI_* variable a test may set; cleared before each test so the
 * caller's environment cannot leak in. */
static const char *env_vars[] = {
    "SAMVEI_CONFIG",        "SAMVEI_BIND",           "SAMVEI_PORT",      "SAMVEI_CERT",
    "SAMVEI_KEY",           "SAMVEI_WEB_ROOT",       "SAMVEI_DATA_DIR",  "SAMVEI_PUBLIC_IP",
    "SAMVEI_ICE_ADDRESSES", "SAMVEI_RTP_PORTS",      "SAMVEI_WORKERS",   "SAMVEI_ICE_TCP",
    "SAMVEI_VIDEO_CODECS",  "SAMVEI_MAX_VIDEO_KBPS", "SAMVEI_LOG_LEVEL", "SAMVEI_ALLOW_OPEN_ROOMS",
    "SAMVEI_CHAT",
};

static void clear_env(void) {
  for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
    unsetenv(env_vars[i]);
}

/* Loads with argv = {"samvei", args...}; returns the rc. */
static int load(sv_config *cfg, char **error, const char *const *args) {
  char *argv[32] = {"samvei"};
  int argc = 1;
  for (; args && args[argc - 1]; argc++)
    argv[argc] = (char *)args[argc - 1];
  return sv_config_load(cfg, argc, argv, error);
}

static char *write_file(const char *text) {
  char *path = NULL;
  int fd = g_file_open_tmp("samvei-test-XXXXXX.conf", &path, NULL);
  CHECK(fd >= 0);
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  close(fd);
  return path;
}

static void test_defaults(void) {
  clear_env();
  sv_config cfg;
  char *error = NULL;
  CHECK_EQ_INT(load(&cfg, &error, NULL), 0);
  CHECK(error == NULL);
  CHECK_STR(cfg.bind, "0.0.0.0");
  CHECK_EQ_INT(cfg.port, 8443);
  CHECK(cfg.cert == NULL && cfg.key == NULL && cfg.public_ip == NULL);
  CHECK_STR(cfg.web_root, "web");
  CHECK_STR(cfg.data_dir, "data");
  CHECK(cfg.ice_addresses == NULL); /* wildcard bind: all interfaces */
  CHECK_EQ_INT(cfg.rtp_port_min, 40000);
  CHECK_EQ_INT(cfg.rtp_port_max, 40999);
  CHECK_EQ_INT(cfg.workers, 0);
  CHECK(cfg.ice_tcp);
  CHECK_STR(cfg.video_codecs, "vp8,h264");
  CHECK_EQ_INT(cfg.max_video_kbps, 1500);
  CHECK_EQ_INT(cfg.log_level, SV_LOG_INFO);
  CHECK(!cfg.allow_open_rooms && !cfg.help && !cfg.version);
  CHECK(cfg.chat);
  sv_config_free(&cfg);
}

static void test_command_line(void) {
  clear_env();
  sv_config cfg;
  char *error = NULL;
  const char *args[] = {"--bind",
                        "127.0.0.1",
                        "--port=9000",
                        "--cert",
                        "c.pem",
                        "--key",
                        "k.pem",
                        "--rtp-ports",
                        "0-0",
                        "--workers",
                        "3",
                        "--no-ice-tcp",
                        "--video-codecs",
                        "H264, vp8",
                        "--max-video-kbps",
                        "800",
                        "--log-level",
                        "debug",
                        "--allow-open-rooms",
                        NULL};
  CHECK_EQ_INT(load(&cfg, &error, args), 0);
  CHECK_STR(cfg.bind, "127.0.0.1");
  CHECK_EQ_INT(cfg.port, 9000);
  CHECK_STR(cfg.cert, "c.pem");
  CHECK_STR(cfg.key, "k.pem");
  CHECK_EQ_INT(cfg.rtp_port_min, 0);
  CHECK_EQ_INT(cfg.rtp_port_max, 0);
  CHECK_EQ_INT(cfg.workers, 3);
  CHECK(!cfg.ice_tcp);
  CHECK_STR(cfg.video_codecs, "h264,vp8");
  CHECK_EQ_INT(cfg.max_video_kbps, 800);
  CHECK_EQ_INT(cfg.log_level, SV_LOG_DEBUG);
  CHECK(cfg.allow_open_rooms);
  /* A specific bind address is also where ICE listens. */
  CHECK_STR(cfg.ice_addresses, "127.0.0.1");
  sv_config_free(&cfg);
  sv_config_free(&cfg); /* safe twice */
}

static void test_precedence(void) {
  clear_env();
  char *path = write_file("# samvei test\n"
                          "[samvei]\n"
                          "port = 1111\n"
                          "bind = 127.0.0.2\n"
                          "web-root = \"/srv/samvei web\"\n"
                          "workers = 2\n"
                          "allow-open-rooms = yes\n"
                          "\n"
                          "log-level = warn\n");
  sv_config cfg;
  char *error = NULL;

  /* File over defaults. */
  const char *with_file[] = {"--config", path, NULL};
  CHECK_EQ_INT(load(&cfg, &error, with_file), 0);
  CHECK_EQ_INT(cfg.port, 1111);
  CHECK_STR(cfg.bind, "127.0.0.2");
  CHECK_STR(cfg.web_root, "/srv/samvei web");
  CHECK_EQ_INT(cfg.workers, 2);
  CHECK(cfg.allow_open_rooms);
  CHECK_EQ_INT(cfg.log_level, SV_LOG_WARN);
  CHECK_STR(cfg.config_file, path);
  sv_config_free(&cfg);

  /* Environment over file; the file may also be named by SAMVEI_CONFIG. */
  setenv("SAMVEI_CONFIG", path, 1);
  setenv("SAMVEI_PORT", "2222", 1);
  setenv("SAMVEI_ALLOW_OPEN_ROOMS", "0", 1);
  setenv("SAMVEI_ICE_TCP", "off", 1);
  setenv("SAMVEI_WORKERS", "", 1); /* empty counts as unset */
  CHECK_EQ_INT(load(&cfg, &error, NULL), 0);
  CHECK_EQ_INT(cfg.port, 2222);
  CHECK(!cfg.allow_open_rooms);
  CHECK(!cfg.ice_tcp);
  CHECK_EQ_INT(cfg.workers, 2);
  CHECK_STR(cfg.bind, "127.0.0.2");
  sv_config_free(&cfg);

  /* Command line over environment. */
  const char *args[] = {"--port", "3333", "--allow-open-rooms", "--ice-tcp", NULL};
  CHECK_EQ_INT(load(&cfg, &error, args), 0);
  CHECK_EQ_INT(cfg.port, 3333);
  CHECK(cfg.allow_open_rooms);
  CHECK(cfg.ice_tcp);
  sv_config_free(&cfg);

  clear_env();
  unlink(path);
  g_free(path);
}

/* Loads args and expects exit-2 material: SV_EINVAL and an error that
 * contains each of the given fragments. */
static void expect_error(const char *const *args, const char *frag1, const char *frag2) {
  sv_config cfg;
  char *error = NULL;
  CHECK_EQ_INT(load(&cfg, &error, args), SV_EINVAL);
  CHECK(error != NULL);
  if (error && (!strstr(error, frag1) || (frag2 && !strstr(error, frag2)))) {
    fprintf(stderr, "  unexpected error text: %s (wanted '%s'%s%s)\n", error, frag1,
            frag2 ? " and " : "", frag2 ? frag2 : "");
    check_failures_in_test++;
  }
  g_free(error);
  sv_config_free(&cfg);
}

static void test_errors(void) {
  clear_env();
  expect_error((const char *[]){"--port", "http", NULL}, "--port", "0-65535");
  expect_error((const char *[]){"--port", "70000", NULL}, "'70000'", "--port");
  expect_error((const char *[]){"--port", NULL}, "--port needs a value", NULL);
  expect_error((const char *[]){"--rtp-ports", "41000-40000", NULL}, "--rtp-ports", "MIN-MAX");
  expect_error((const char *[]){"--rtp-ports", "0-100", NULL}, "--rtp-ports", NULL);
  expect_error((const char *[]){"--workers", "-1", NULL}, "--workers", "0-256");
  expect_error((const char *[]){"--bind", "example.org", NULL}, "--bind", "IP address");
  expect_error((const char *[]){"--public-ip", "1.2.3", NULL}, "--public-ip", NULL);
  expect_error((const char *[]){"--ice-addresses", "10.0.0.1,nope", NULL}, "--ice-addresses", NULL);
  expect_error((const char *[]){"--video-codecs", "vp8,vp8", NULL}, "--video-codecs", "vp8");
  expect_error((const char *[]){"--video-codecs", "av1", NULL}, "--video-codecs", NULL);
  expect_error((const char *[]){"--max-video-kbps", "10", NULL}, "--max-video-kbps", "50-50000");
  expect_error((const char *[]){"--log-level", "verbose", NULL}, "--log-level", "debug");
  expect_error((const char *[]){"--allow-open-rooms=maybe", NULL}, "--allow-open-rooms", "boolean");
  expect_error((const char *[]){"--frobnicate", NULL}, "unknown option '--frobnicate'", NULL);
  expect_error((const char *[]){"--no-port", NULL}, "unknown option", NULL);
  expect_error((const char *[]){"stray", NULL}, "unexpected argument 'stray'", NULL);
  expect_error((const char *[]){"--cert", "c.pem", NULL}, "--cert and --key", NULL);
  expect_error((const char *[]){"--config", "/nonexistent/samvei.conf", NULL},
               "cannot read config file /nonexistent/samvei.conf", NULL);

  setenv("SAMVEI_PORT", "eighty", 1);
  expect_error(NULL, "SAMVEI_PORT", "'eighty'");
  /* The command line wins, but a broken environment is still reported. */
  expect_error((const char *[]){"--port", "80", NULL}, "SAMVEI_PORT", NULL);
  clear_env();

  char *path = write_file("port = 8443\nwebroot = x\n");
  expect_error((const char *[]){"--config", path, NULL}, "unknown setting 'webroot'", "line 2");
  unlink(path);
  g_free(path);
  path = write_file("bind: 0.0.0.0\n");
  expect_error((const char *[]){"--config", path, NULL}, "line 1", "name = value");
  unlink(path);
  g_free(path);
  path = write_file("[server]\nport = 1\n");
  expect_error((const char *[]){"--config", path, NULL}, "[server]", NULL);
  unlink(path);
  g_free(path);
  path = write_file("max-video-kbps = lots\n");
  expect_error((const char *[]){"--config", path, NULL}, "max-video-kbps in", "line 1");
  unlink(path);
  g_free(path);
}

/* --chat takes on or off (a value, not a switch), from all three sources. */
static void test_chat(void) {
  clear_env();
  sv_config cfg;
  char *error = NULL;
  CHECK_EQ_INT(load(&cfg, &error, (const char *[]){"--chat", "off", NULL}), 0);
  CHECK(!cfg.chat);
  sv_config_free(&cfg);
  CHECK_EQ_INT(load(&cfg, &error, (const char *[]){"--chat=ON", NULL}), 0);
  CHECK(cfg.chat);
  sv_config_free(&cfg);

  char *path = write_file("chat = off\n");
  CHECK_EQ_INT(load(&cfg, &error, (const char *[]){"--config", path, NULL}), 0);
  CHECK(!cfg.chat);
  sv_config_free(&cfg);
  setenv("SAMVEI_CHAT", "on", 1); /* the environment over the file */
  CHECK_EQ_INT(load(&cfg, &error, (const char *[]){"--config", path, NULL}), 0);
  CHECK(cfg.chat);
  sv_config_free(&cfg);
  CHECK_EQ_INT(load(&cfg, &error, (const char *[]){"--config", path, "--chat", "no", NULL}), 0);
  CHECK(!cfg.chat);
  sv_config_free(&cfg);
  clear_env();
  unlink(path);
  g_free(path);

  expect_error((const char *[]){"--chat", "maybe", NULL}, "'maybe' for --chat", "on or off");
  expect_error((const char *[]){"--chat", NULL}, "--chat needs a value", NULL);
  expect_error((const char *[]){"--no-chat", NULL}, "unknown option", NULL);
  setenv("SAMVEI_CHAT", "sometimes", 1);
  expect_error(NULL, "SAMVEI_CHAT", "'sometimes'");
  clear_env();
}

static void test_help_version(void) {
  clear_env();
  sv_config cfg;
  char *error = NULL;
  /* --help wins over anything else on the line, even invalid values. */
  CHECK_EQ_INT(load(&cfg, &error, (const char *[]){"--port", "x", "--help", NULL}), 0);
  CHECK(cfg.help);
  sv_config_free(&cfg);
  CHECK_EQ_INT(load(&cfg, &error, (const char *[]){"--version", NULL}), 0);
  CHECK(cfg.version);
  sv_config_free(&cfg);

  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  sv_config_print_help(f);
  fclose(f);
  static const char *names[] = {
      "--config",           "--bind",     "--port",         "--cert",           "--key",
      "--web-root",         "--data-dir", "--public-ip",    "--ice-addresses",  "--rtp-ports",
      "--workers",          "--ice-tcp",  "--video-codecs", "--max-video-kbps", "--log-level",
      "--allow-open-rooms", "--help",     "--version",      "--chat on|off"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    CHECK(strstr(text, names[i]) != NULL);
  for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
    CHECK(strstr(text, env_vars[i]) != NULL);
  CHECK(strstr(text, "default: 8443") != NULL);
  free(text);
}

static void test_database(void) {
  clear_env();
  unsetenv("SAMVEI_DATABASE_URL");
  unsetenv("SAMVEI_RETENTION_DAYS");
  sv_config cfg;
  char *error = NULL;
  CHECK_EQ_INT(load(&cfg, &error, NULL), 0);
  CHECK(cfg.database_url == NULL); /* SQLite in the data dir */
  CHECK_EQ_INT(cfg.retention_days, 3650);
  sv_config_free(&cfg);

  setenv("SAMVEI_DATABASE_URL", "postgresql://samvei@db/samvei", 1);
  const char *const args[] = {"--retention-days", "0", NULL};
  CHECK_EQ_INT(load(&cfg, &error, args), 0);
  CHECK_STR(cfg.database_url, "postgresql://samvei@db/samvei");
  CHECK_EQ_INT(cfg.retention_days, 0);
  sv_config_free(&cfg);
  unsetenv("SAMVEI_DATABASE_URL");

  const char *const bad_url[] = {"--database-url", "mysql://x", NULL};
  CHECK_EQ_INT(load(&cfg, &error, bad_url), SV_EINVAL);
  CHECK(error && strstr(error, "--database-url") && strstr(error, "postgres://"));
  g_free(error);
  error = NULL;
  sv_config_free(&cfg);
  const char *const bad_days[] = {"--retention-days", "-1", NULL};
  CHECK_EQ_INT(load(&cfg, &error, bad_days), SV_EINVAL);
  CHECK(error && strstr(error, "--retention-days"));
  g_free(error);
  sv_config_free(&cfg);
}

static void test_public_url(void) {
  clear_env();
  unsetenv("SAMVEI_PUBLIC_URL");
  sv_config cfg;
  char *error = NULL;
  CHECK_EQ_INT(load(&cfg, &error, NULL), 0);
  CHECK(cfg.public_url == NULL); /* from each request's Host */
  sv_config_free(&cfg);
  CHECK_EQ_INT(
      load(&cfg, &error, (const char *[]){"--public-url", "https://samvei.example.org:8443", NULL}),
      0);
  CHECK_STR(cfg.public_url, "https://samvei.example.org:8443");
  sv_config_free(&cfg);
  const char *const bad[] = {"ftp://x",     "https://",    "https://x/path",
                             "https://a b", "https://u@x", NULL};
  for (const char *const *b = bad; *b; b++) {
    CHECK_EQ_INT(load(&cfg, &error, (const char *[]){"--public-url", *b, NULL}), SV_EINVAL);
    CHECK(error && strstr(error, "--public-url"));
    g_free(error);
    error = NULL;
    sv_config_free(&cfg);
  }
}

/* Room sizes: 16 and 100 by default; a consultation where everyone sees
 * everyone holds at most 16, a group teaching up to the relay's maximum. */
static void test_room_sizes(void) {
  clear_env();
  unsetenv("SAMVEI_MAX_ROOM_SIZE");
  unsetenv("SAMVEI_MAX_TEACHING_SIZE");
  sv_config cfg;
  char *error = NULL;
  CHECK_EQ_INT(load(&cfg, &error, NULL), 0);
  CHECK_EQ_INT(cfg.max_room_size, 16);
  CHECK_EQ_INT(cfg.max_teaching_size, 100);
  sv_config_free(&cfg);
  setenv("SAMVEI_MAX_TEACHING_SIZE", "250", 1);
  CHECK_EQ_INT(load(&cfg, &error, (const char *[]){"--max-room-size", "6", NULL}), 0);
  CHECK_EQ_INT(cfg.max_room_size, 6);
  CHECK_EQ_INT(cfg.max_teaching_size, 250);
  sv_config_free(&cfg);
  unsetenv("SAMVEI_MAX_TEACHING_SIZE");
  const char *const bad[][2] = {{"--max-room-size", "17"},
                                {"--max-room-size", "1"},
                                {"--max-teaching-size", "1001"},
                                {"--max-teaching-size", "0"},
                                {"--max-teaching-size", "ten"}};
  for (size_t i = 0; i < SV_ARRAY_LEN(bad); i++) {
    CHECK_EQ_INT(load(&cfg, &error, (const char *[]){bad[i][0], bad[i][1], NULL}), SV_EINVAL);
    CHECK(error && strstr(error, bad[i][0]));
    g_free(error);
    error = NULL;
    sv_config_free(&cfg);
  }
}

static void test_ice_default(void) {
  clear_env();
  sv_config cfg;
  char *error = NULL;
  CHECK_EQ_INT(load(&cfg, &error, (const char *[]){"--bind", "localhost", NULL}), 0);
  CHECK_STR(cfg.ice_addresses, "127.0.0.1");
  sv_config_free(&cfg);
  CHECK_EQ_INT(load(&cfg, &error, (const char *[]){"--bind", "::", NULL}), 0);
  CHECK(cfg.ice_addresses == NULL);
  sv_config_free(&cfg);
  const char *args[] = {"--bind", "10.0.0.5", "--ice-addresses", "10.0.0.5, 192.168.1.2", NULL};
  CHECK_EQ_INT(load(&cfg, &error, args), 0);
  CHECK_STR(cfg.ice_addresses, "10.0.0.5,192.168.1.2");
  sv_config_free(&cfg);
}

/* A subcommand's --help must not go on with an unset data dir (which would
 * make a store in the current directory): it is an error with usage. */
static void test_subcommand_help(void) {
  char *argv[] = {"samvei", "apikey", "create", "--help", NULL};
  const char *names[] = {"name"};
  const char *values[1] = {NULL};
  sv_config cfg;
  char *error = NULL;
  CHECK(sv_app_cli_parse(4, argv, 3, names, 1, values, &cfg, &error) < 0);
  CHECK(error != NULL);
  g_free(error);
  sv_config_free(&cfg);
  char *ok_argv[] = {"samvei", "apikey", "create", "--name", "ops", "--data-dir", "/tmp/x", NULL};
  CHECK(sv_app_cli_parse(7, ok_argv, 3, names, 1, values, &cfg, &error) == 0);
  CHECK_STR(values[0], "ops");
  CHECK_STR(cfg.data_dir, "/tmp/x");
  sv_config_free(&cfg);
}

int main(void) {
  RUN(test_subcommand_help);
  RUN(test_defaults);
  RUN(test_command_line);
  RUN(test_precedence);
  RUN(test_errors);
  RUN(test_chat);
  RUN(test_help_version);
  RUN(test_ice_default);
  RUN(test_database);
  RUN(test_public_url);
  RUN(test_room_sizes);
  return check_summary();
}
