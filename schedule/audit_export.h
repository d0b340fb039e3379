/*
 * audit_export.h — audit events as JSON or CSV text, the same for the
 * `samvei audit export` command and the REST API's session-log export.
 * Pure functions: no store, any thread.
 */
#ifndef SV_AUDIT_EXPORT_H
#define SV_AUDIT_EXPORT_H

#include <stddef.h>

#include "schedule/store.h"

/* A JSON array of objects {seq, ts, time (ISO 8601 UTC), consultation,
 * event, participant, role, name, actor, detail (the event's JSON object),
 * prev_hash, hash}, in the order given. Returns a g_malloc'd string the
 * caller g_free()s. Can't fail. */
char *sv_audit_export_json(const sv_audit_event *events, size_t n);

/* CSV (RFC 4180: a header line, CRLF line ends, a field holding a comma,
 * quote, CR or LF is quoted with its quotes doubled) with the columns of
 * the JSON form, detail as its JSON text. A text field that a spreadsheet
 * would run as a formula (starting with =, +, -, @, tab or CR) gets a
 * leading apostrophe. Returns a g_malloc'd string; can't fail. */
char *sv_audit_export_csv(const sv_audit_event *events, size_t n);

#endif
