/*
 * store_wire.h — app/'s use of schedule/store: opening it from the
 * configuration, the signalling server's storage callbacks, and the daily
 * audit retention.
 */
#ifndef SV_APP_STORE_WIRE_H
#define SV_APP_STORE_WIRE_H

#include <glib.h>

#include "app/config.h"
#include "schedule/store.h"
#include "signaling/signaling.h"

/* Opens the store named by cfg (--database-url, else SQLite in
 * --data-dir). On failure *error is a g_malloc'd sentence (caller frees). */
int sv_app_store_open(const sv_config *cfg, sv_store **out, char **error);

/* The callback table for sv_signaling_config.store, with the sv_store *
 * as store_user. Static; never freed. */
const sv_signaling_store *sv_app_store_callbacks(void);

/* Applies retention (sv_store_audit_retain) now and then every 24 hours on
 * the default main context. Returns the timer's source id for
 * g_source_remove(), or 0 when days is 0 (keep forever). st is borrowed and
 * must outlive the timer. */
guint sv_app_retention_start(sv_store *st, int days);

#endif
