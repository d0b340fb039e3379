/*
 * conn_limits.c — connections per address, allowed WebSocket origins and
 * the log-line rate limit (conn_limits.h).
 */
#include "signaling/conn_limits.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "signaling/signaling.h"

#define SV_LOG_LIMIT_BURST 10.0
#define SV_LOG_LIMIT_RATE  1.0 /* lines a second after the burst */

struct sv_addr_counts {
  GHashTable *counts; /* address → GUINT_TO_POINTER(open connections) */
  unsigned max;
};

sv_addr_counts *sv_addr_counts_new(unsigned max_per_addr) {
  sv_addr_counts *t = g_new0(sv_addr_counts, 1);
  t->counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  t->max = max_per_addr;
  return t;
}

void sv_addr_counts_free(sv_addr_counts *t) {
  if (!t) return;
  g_hash_table_destroy(t->counts);
  g_free(t);
}

unsigned sv_addr_counts_get(const sv_addr_counts *t, const char *addr) {
  return GPOINTER_TO_UINT(g_hash_table_lookup(t->counts, addr));
}

unsigned sv_addr_counts_addresses(const sv_addr_counts *t) {
  return g_hash_table_size(t->counts);
}

bool sv_addr_counts_take(sv_addr_counts *t, const char *addr) {
  unsigned n = sv_addr_counts_get(t, addr);
  if (n >= t->max) return false;
  g_hash_table_insert(t->counts, g_strdup(addr), GUINT_TO_POINTER(n + 1));
  return true;
}

void sv_addr_counts_release(sv_addr_counts *t, const char *addr) {
  unsigned n = sv_addr_counts_get(t, addr);
  if (n <= 1)
    g_hash_table_remove(t->counts, addr);
  else
    g_hash_table_insert(t->counts, g_strdup(addr), GUINT_TO_POINTER(n - 1));
}

bool sv_origin_normalise(const char *origin, char *out, size_t size) {
  bool tls = g_ascii_strncasecmp(origin, "https://", 8) == 0;
  if (!tls && g_ascii_strncasecmp(origin, "http://", 7) != 0) return false;
  const char *host = origin + (tls ? 8 : 7);
  size_t len = strlen(host);
  if (len > 0 && host[len - 1] == '/') len--;
  if (len == 0 || len > 255) return false;
  for (size_t i = 0; i < len; i++) {
    if (!g_ascii_isalnum(host[i]) && !strchr(".-:[]", host[i])) return false;
  }
  /* The default port is left out, as browsers send it. */
  const char *def = tls ? ":443" : ":80";
  char *h = g_ascii_strdown(host, (gssize)len);
  size_t hl = strlen(h);
  if (hl > strlen(def) && strcmp(h + hl - strlen(def), def) == 0) h[hl - strlen(def)] = '\0';
  int n = snprintf(out, size, "%s://%s", tls ? "https" : "http", h);
  g_free(h);
  return n > 0 && (size_t)n < size;
}

static void add_origin(GPtrArray *list, const char *origin) {
  char norm[300];
  if (sv_origin_normalise(origin, norm, sizeof norm)) g_ptr_array_add(list, g_strdup(norm));
}

bool sv_origins_init(sv_origins *o, const char *public_url, const char *bind, int port, bool tls,
                     const char *allow_list) {
  memset(o, 0, sizeof *o);
  GPtrArray *list = g_ptr_array_new();
  char **items = allow_list ? g_strsplit(allow_list, ",", -1) : NULL;
  bool ok = true;
  for (size_t i = 0; items && items[i]; i++) {
    char *item = g_strstrip(items[i]), norm[300];
    if (!*item) continue;
    if (!sv_origin_normalise(item, norm, sizeof norm) || strchr(strchr(item, ':') + 3, '/')) {
      ok = false;
      break;
    }
    g_ptr_array_add(list, g_strdup(norm));
  }
  g_strfreev(items);
  if (!ok) {
    g_ptr_array_set_free_func(list, g_free);
    g_ptr_array_free(list, TRUE);
    return false;
  }
  o->tls = tls;
  if (public_url && *public_url) {
    add_origin(list, public_url);
  } else {
    o->own_host = true;
    const char *scheme = tls ? "https" : "http";
    if (bind && sv_signaling_is_loopback(bind)) {
      char *a = g_strdup_printf("%s://localhost:%d", scheme, port);
      char *b = g_strdup_printf("%s://127.0.0.1:%d", scheme, port);
      add_origin(list, a);
      add_origin(list, b);
      g_free(a);
      g_free(b);
    }
  }
  g_ptr_array_add(list, NULL);
  o->allowed = (char **)g_ptr_array_free(list, FALSE);
  return true;
}

void sv_origins_clear(sv_origins *o) {
  g_strfreev(o->allowed);
  o->allowed = NULL;
}

bool sv_origins_allow(const sv_origins *o, const char *origin, const char *host) {
  if (!origin || !*origin) return true;
  char norm[300];
  if (!sv_origin_normalise(origin, norm, sizeof norm)) return false;
  for (size_t i = 0; o->allowed && o->allowed[i]; i++) {
    if (strcmp(o->allowed[i], norm) == 0) return true;
  }
  if (o->own_host && host && *host) {
    char *own = g_strdup_printf("%s://%s", o->tls ? "https" : "http", host), mine[300];
    bool same = sv_origin_normalise(own, mine, sizeof mine) && strcmp(mine, norm) == 0;
    g_free(own);
    if (same) return true;
  }
  return false;
}

bool sv_log_limit_take(sv_log_limit *l, int64_t now_us, uint64_t *held) {
  if (l->last_us == 0) {
    l->tokens = SV_LOG_LIMIT_BURST;
  } else if (now_us > l->last_us) {
    l->tokens += (double)(now_us - l->last_us) / G_USEC_PER_SEC * SV_LOG_LIMIT_RATE;
    if (l->tokens > SV_LOG_LIMIT_BURST) l->tokens = SV_LOG_LIMIT_BURST;
  }
  l->last_us = now_us;
  if (l->tokens < 1.0) {
    l->suppressed++;
    return false;
  }
  l->tokens -= 1.0;
  if (held) *held = l->suppressed;
  l->suppressed = 0;
  return true;
}
