/*
 * linkcheck.c — whether an invitation link opens its consultation now.
 *
 * The one check a `join` (session.c) and GET /api/link (api/api_link.c) share,
 * so the page a person opens says exactly what joining would say. In this
 * order: the token (signature first, canonical spelling, its room and
 * role), the consultation (cancelled), the invitation behind the link
 * (revoked, not an invitation to this consultation), a room its host
 * ended, the token's and the consultation's times (expired, too early)
 * and, last, a link whose holder a host removed from the room. It reads
 * only: it takes no seat and marks nothing used.
 *
 * It fails closed: a store that cannot answer is `unavailable`, never ok.
 * Nothing reaches the store before the token's signature has checked, so a
 * made-up link costs one HMAC.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "schedule/token.h"
#include "signaling/signaling_int.h"

static const char *const status_names[] = {
    [SV_LINK_OK] = "ok",           [SV_LINK_TOO_EARLY] = "too-early",
    [SV_LINK_EXPIRED] = "expired", [SV_LINK_REVOKED] = "revoked",
    [SV_LINK_ENDED] = "ended",     [SV_LINK_REMOVED] = "removed",
    [SV_LINK_INVALID] = "invalid", [SV_LINK_UNAVAILABLE] = "unavailable",
};

const char *sv_link_status_name(sv_link_status status) {
  return (unsigned)status < SV_ARRAY_LEN(status_names) ? status_names[status] : "invalid";
}

/* Sets the refusal: its status, the join's error code, the reason word
 * and the English sentence. Returns false, for the callers' returns. */
__attribute__((format(printf, 5, 6))) static bool refuse(sv_link_check *out, sv_link_status status,
                                                         const char *code, const char *reason,
                                                         const char *fmt, ...) {
  out->status = status;
  out->code = code;
  out->reason = reason;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out->message, sizeof out->message, fmt, ap);
  va_end(ap);
  return false;
}

/* The token: genuine, canonical, for `room` (NULL: any), a known role.
 * Fills out->role, name and id, and *claims. A genuine token that is not
 * valid yet sets *early; one no longer valid gets its sentence in late
 * (late_len bytes). Both are decided later, after the checks that say
 * more (revoked, cancelled, ended). */
static bool check_token(sv_signaling *sig, const char *room, const char *token, int64_t now,
                        sv_link_check *out, sv_token_claims *claims, bool *early, char *late,
                        size_t late_len) {
  if (!sig->token_secret)
    return refuse(out, SV_LINK_INVALID, "unauthorized", "invalid",
                  "this server accepts no invitation links");
  gsize len = 0;
  const uint8_t *secret = g_bytes_get_data(sig->token_secret, &len);
  char why[256];
  if (sv_token_verify(secret, len, token, now, claims, why, sizeof why) < 0) {
    /* A genuine token refused for its times keeps its claims (token.h). */
    if (!claims->id[0])
      return refuse(out, SV_LINK_INVALID, "unauthorized", "invalid", "%s%s", why,
                    strstr(why, "new link") ? "" : "; ask for a new invitation link");
    *early = now < claims->nbf;
    if (!*early) g_strlcpy(late, why, late_len);
  }
  if (room && strcmp(claims->room, room) != 0)
    return refuse(out, SV_LINK_INVALID, "unauthorized", "invalid",
                  "this invitation is for another consultation, not room '%s'; open the link from "
                  "your invitation exactly as it is",
                  room);
  out->role = sv_room_role(claims->role);
  if (!out->role)
    return refuse(out, SV_LINK_INVALID, "unauthorized", "invalid",
                  "the invitation names a role this server does not know; ask for a new link");
  g_strlcpy(out->name, claims->name, sizeof out->name);
  memcpy(out->id, claims->id, sizeof out->id);
  return true;
}

/* Whether the room is a booked consultation (out->known, out->info). */
static bool look_up(sv_signaling *sig, const char *room, sv_link_check *out) {
  int err = sig->store && sig->store->consultation
                ? sig->store->consultation(sig->store_user, room, &out->info)
                : SV_ENOENT;
  out->known = err == 0;
  if (err == 0 || err == SV_ENOENT) return true;
  SV_ERROR("signaling", "cannot look up room %s: %s", room, sv_strerror(err));
  return refuse(out, SV_LINK_UNAVAILABLE, "unavailable", "unavailable",
                "the server cannot check this consultation just now (its database did not "
                "answer); try again in a minute");
}

/* The invitation behind the link, by its id (the canonical token's hash,
 * never the text the client sent, which could be re-spelled): revoked, of
 * another room, or, for a booked consultation, none at all, are refused. */
static bool check_invitation(sv_signaling *sig, const char *room, sv_link_check *out) {
  if (!sig->store || !sig->store->link) return true;
  char of[SV_STORE_ID_MAX] = "";
  int err = sig->store->link(sig->store_user, out->id, of, sizeof of);
  if (err == SV_EAUTH)
    return refuse(out, SV_LINK_REVOKED, "unauthorized", "revoked",
                  "this invitation was revoked by the organiser, or its consultation "
                  "cancelled; ask for a new link");
  if (err == SV_ENOENT && !out->known) return true; /* an ad-hoc room, `samvei token` */
  if (err == SV_ENOENT || (err == 0 && strcmp(of, room) != 0))
    return refuse(out, SV_LINK_INVALID, "unauthorized", "invalid",
                  "this link is not an invitation to this consultation; open the link from "
                  "your invitation, or ask the organiser for a new one");
  if (err == 0) return true;
  SV_ERROR("signaling", "cannot check an invitation for room %s: %s", room, sv_strerror(err));
  return refuse(out, SV_LINK_UNAVAILABLE, "unavailable", "unavailable",
                "the server cannot check your invitation just now (its database did not "
                "answer); try again in a minute");
}

/* The consultation's window for out->role: the waiting room opens
 * waiting_open_min before the start (grace_before_min for those who do not
 * wait), nobody joins after the end plus grace_after_min. A token not
 * valid yet opens no earlier than its nbf. */
static bool check_window(sv_signaling *sig, int64_t now, int64_t not_before, sv_link_check *out) {
  const sv_signaling_consultation *info = &out->info;
  if (out->known && now > info->end + (int64_t)sig->grace_after_min * 60)
    return refuse(out, SV_LINK_EXPIRED, "unauthorized", "expired",
                  "this consultation is over; ask for a new invitation");
  int64_t opens = not_before;
  if (out->known) {
    int min = sv_room_role_waits(out->role) ? sig->waiting_open_min : sig->grace_before_min;
    int64_t window = info->start - (int64_t)min * 60;
    if (window > opens) opens = window;
  }
  if (now >= opens) return true;
  out->opens_at = opens;
  GDateTime *dt = g_date_time_new_from_unix_utc(opens);
  char *when = dt ? g_date_time_format_iso8601(dt) : g_strdup("later");
  refuse(out, SV_LINK_TOO_EARLY, "too-early", "too-early",
         "the consultation opens at %s; come back then", when);
  g_free(when);
  if (dt) g_date_time_unref(dt);
  return false;
}

bool sv_link_check_run(sv_signaling *sig, const char *room, const char *token, int64_t now,
                       sv_link_check *out) {
  memset(out, 0, sizeof *out);
  out->status = SV_LINK_OK;
  sv_token_claims claims;
  memset(&claims, 0, sizeof claims);
  bool early = false;
  char late[256] = "";
  if (token && !check_token(sig, room, token, now, out, &claims, &early, late, sizeof late))
    return false;
  if (!room) room = claims.room;
  if (!look_up(sig, room, out)) return false;
  if (out->known && out->info.cancelled)
    return refuse(out, SV_LINK_ENDED, "unauthorized", "cancelled",
                  "this consultation was cancelled; ask the organiser for a new time");
  if (token && !check_invitation(sig, room, out)) return false;
  if ((sig->ended && g_hash_table_contains(sig->ended, room)) || (out->known && out->info.ended))
    return refuse(out, SV_LINK_ENDED, "ended", "ended", "the host has ended this consultation");
  if (late[0]) return refuse(out, SV_LINK_EXPIRED, "unauthorized", "expired", "%s", late);
  if (out->role && !check_window(sig, now, early ? claims.nbf : 0, out)) return false;
  sv_room *existing = token && sig->rooms ? sv_rooms_find(sig->rooms, room) : NULL;
  if (existing && g_hash_table_contains(existing->removed, out->id))
    return refuse(out, SV_LINK_REMOVED, "forbidden", "removed",
                  "a host removed you from this consultation; ask the host if you should "
                  "come back");
  return true;
}
