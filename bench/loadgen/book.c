/*
 * book.c — the teaching scenario's consultations, booked through samvei's
 * REST API (docs/api.md) before the ramp starts: per room one consultation
 * of kind group-teaching that starts now, a specialist invitation for each
 * presenter and a municipal one for each attendee. The participants join
 * with those tokens (sig_samvei.c), so the server runs the real group
 * teaching: attendees receive only.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/loadgen/lg.h"

typedef struct booked_room {
  char *id;
  GPtrArray *tokens; /* presenters first, then attendees */
} booked_room;

static GPtrArray *booked; /* booked_room *, by room index */
/* A session of its own, freed after booking: its connections must not stay
 * open (and count against the server's per-address limit). */
static SoupSession *http;

/* POSTs body (stolen) to base + path with the API key; returns the reply
 * when it is 201 with a JSON object, else NULL (and says why). */
static json_t *api_post(const char *base, const char *key, const char *path, json_t *body) {
  char *url = g_strconcat(base, path, NULL);
  SoupMessage *msg = soup_message_new(SOUP_METHOD_POST, url);
  json_t *reply = NULL;
  if (!msg) {
    fprintf(stderr, "loadgen: not a URL: %s\n", url);
    goto out;
  }
  char *auth = g_strconcat("Bearer ", key, NULL);
  soup_message_headers_append(soup_message_get_request_headers(msg), "Authorization", auth);
  g_free(auth);
  char *text = json_dumps(body, JSON_COMPACT);
  GBytes *req = g_bytes_new_take(text, strlen(text));
  soup_message_set_request_body_from_bytes(msg, "application/json", req);
  g_bytes_unref(req);
  GError *err = NULL;
  GBytes *res = soup_session_send_and_read(http, msg, NULL, &err);
  if (!res) {
    fprintf(stderr, "loadgen: POST %s: %s\n", url, err->message);
    g_error_free(err);
    goto out;
  }
  gsize len;
  const char *data = g_bytes_get_data(res, &len);
  guint status = soup_message_get_status(msg);
  reply = status == SOUP_STATUS_CREATED ? json_loadb(data, len, 0, NULL) : NULL;
  if (!json_is_object(reply)) {
    fprintf(stderr, "loadgen: POST %s: HTTP %u: %.*s\n", url, status, (int)MIN(len, 300), data);
    json_decref(reply);
    reply = NULL;
  }
  g_bytes_unref(res);
out:
  json_decref(body);
  if (msg) g_object_unref(msg);
  g_free(url);
  return reply;
}

/* http(s)://host:port of the signalling URL ws(s)://host:port/path. */
static char *http_base(const char *ws_url) {
  const char *rest = g_str_has_prefix(ws_url, "wss://")  ? ws_url + 6
                     : g_str_has_prefix(ws_url, "ws://") ? ws_url + 5
                                                         : NULL;
  if (!rest) return NULL;
  const char *slash = strchr(rest, '/');
  int host_len = slash ? (int)(slash - rest) : (int)strlen(rest);
  return g_strdup_printf("%s://%.*s", ws_url[2] == 's' ? "https" : "http", host_len, rest);
}

static void booked_free(gpointer data) {
  booked_room *b = data;
  g_free(b->id);
  g_ptr_array_unref(b->tokens);
  g_free(b);
}

/* One consultation and its invitations; NULL on any failure. */
static booked_room *book_one(const char *base, const char *key, int index, int presenters,
                             int attendees) {
  GDateTime *now = g_date_time_new_now_utc();
  char *start = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
  g_date_time_unref(now);
  char title[64];
  snprintf(title, sizeof title, "Bench teaching %" G_GINT64_FORMAT "-%d", lg.run_id, index);
  json_t *c = api_post(base, key, "/api/consultations",
                       json_pack("{s:s,s:s,s:s,s:i}", "title", title, "kind", "group-teaching",
                                 "start", start, "durationMin", 240));
  g_free(start);
  const char *id = json_string_value(json_object_get(c, "id"));
  if (!id) {
    json_decref(c);
    return NULL;
  }
  booked_room *b = g_new0(booked_room, 1);
  b->id = g_strdup(id);
  b->tokens = g_ptr_array_new_with_free_func(g_free);
  json_decref(c);
  char *path = g_strdup_printf("/api/consultations/%s/invitations", b->id);
  for (int i = 0; i < presenters + attendees; i++) {
    char name[32];
    snprintf(name, sizeof name, "%s %d", i < presenters ? "Presenter" : "Attendee", i + 1);
    json_t *inv = api_post(
        base, key, path,
        json_pack("{s:s,s:s}", "role", i < presenters ? "specialist" : "municipal", "name", name));
    const char *token = json_string_value(json_object_get(inv, "token"));
    if (token) g_ptr_array_add(b->tokens, g_strdup(token));
    json_decref(inv);
    if (!token) {
      booked_free(b);
      b = NULL;
      break;
    }
  }
  g_free(path);
  return b;
}

int lg_book_teaching(int rooms, int presenters, int attendees) {
  /* From the environment, not the command line (ps shows that). */
  const char *api_key = getenv("SAMVEI_API_KEY");
  if (!api_key || !*api_key || rooms < 1 || rooms > 40) {
    fprintf(stderr, "loadgen: teaching on samvei needs SAMVEI_API_KEY and --max-rooms 1 to 40\n");
    return -1;
  }
  char *base = http_base(lg.url);
  if (!base) {
    fprintf(stderr, "loadgen: cannot tell the HTTP address of %s\n", lg.url);
    return -1;
  }
  booked = g_ptr_array_new_with_free_func(booked_free);
  http = soup_session_new();
  int rc = 0;
  for (int r = 0; r < rooms && rc == 0; r++) {
    booked_room *b = book_one(base, api_key, r, presenters, attendees);
    if (b)
      g_ptr_array_add(booked, b);
    else
      rc = -1;
  }
  g_clear_object(&http);
  g_free(base);
  return rc;
}

const char *lg_book_room_id(int room) {
  if (!booked || room < 0 || (guint)room >= booked->len) return NULL;
  return ((booked_room *)g_ptr_array_index(booked, room))->id;
}

const char *lg_book_token(int room, int i) {
  if (!booked || room < 0 || (guint)room >= booked->len) return NULL;
  booked_room *b = g_ptr_array_index(booked, room);
  return i >= 0 && (guint)i < b->tokens->len ? g_ptr_array_index(b->tokens, i) : NULL;
}
