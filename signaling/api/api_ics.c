/*
 * api_ics.c — a consultation as an iCalendar object (RFC 5545), so that it
 * lands in Outlook or a tablet's calendar: one VEVENT with UID, DTSTAMP,
 * DTSTART/DTEND in UTC, SUMMARY (the title), a DESCRIPTION in bokmål or
 * English, STATUS and a SEQUENCE that grows with each change so that
 * calendars replace an older copy.
 *
 * The consultation's file names no person and carries no join link (links
 * are personal). Each invitation's own file (sv_api_invitation_ics) has the
 * same UID, so it replaces the consultation's copy in a calendar, and that
 * one person's link in its DESCRIPTION.
 *
 * Text values are escaped (backslash, semicolon, comma, newline) and lines
 * folded at 75 octets without splitting a UTF-8 character; lines end CRLF.
 */
#include <string.h>

#include "signaling/api/api.h"

/* Appends "NAME:value" folded to 75-octet lines, each ending CRLF. */
static void add_line(GString *out, const char *name, const char *value) {
  GString *line = g_string_new(name);
  g_string_append_c(line, ':');
  g_string_append(line, value);
  size_t used = 0; /* octets on the current physical line */
  for (const char *p = line->str; *p;) {
    const char *next = g_utf8_next_char(p);
    size_t n = (size_t)(next - p);
    if (used + n > 75) {
      g_string_append(out, "\r\n ");
      used = 1;
    }
    g_string_append_len(out, p, (gssize)n);
    used += n;
    p = next;
  }
  g_string_append(out, "\r\n");
  g_string_free(line, TRUE);
}

static char *escape_text(const char *s) {
  GString *out = g_string_new(NULL);
  for (; *s; s++) {
    if (*s == '\\' || *s == ';' || *s == ',') {
      g_string_append_c(out, '\\');
      g_string_append_c(out, *s);
    } else if (*s == '\n')
      g_string_append(out, "\\n");
    else if (*s != '\r')
      g_string_append_c(out, *s);
  }
  return g_string_free(out, FALSE);
}

static char *ics_time(int64_t t) {
  GDateTime *dt = g_date_time_new_from_unix_utc(t);
  char *s = g_date_time_format(dt, "%Y%m%dT%H%M%SZ");
  g_date_time_unref(dt);
  return s;
}

static const char *kind_words(const char *kind, bool nb) {
  if (strcmp(kind, "urgent") == 0) return nb ? "akutt veiledning" : "urgent guidance";
  if (strcmp(kind, "follow-up") == 0) return nb ? "oppfølgingsmøte" : "follow-up meeting";
  if (strcmp(kind, "group-teaching") == 0) return nb ? "gruppeundervisning" : "group teaching";
  return nb ? "veiledning" : "guidance";
}

bool sv_api_ics_lang(const sv_api_call *call, const char **lang, sv_api_resp *resp) {
  const char *v = call->query ? g_hash_table_lookup(call->query, "lang") : NULL;
  if (!v || strcmp(v, "nb") == 0 || strcmp(v, "en") == 0) {
    *lang = v ? v : "nb";
    return true;
  }
  sv_api_error(resp, "bad-request", "'lang' must be nb or en");
  return false;
}

void sv_api_ics(const sv_consultation *c, int64_t now, const char *lang, const char *link,
                sv_api_resp *resp) {
  bool nb = strcmp(lang, "en") != 0;
  GString *out = g_string_new(NULL);
  char *uid = g_strdup_printf("%s@samvei", c->id);
  char *stamp = ics_time(now), *start = ics_time(c->start), *end = ics_time(c->end);
  char *summary = escape_text(c->title);
  char *text;
  if (!link)
    text = g_strdup_printf(
        nb ? "Videokonsultasjon (%s). Bli med via den personlige lenken i invitasjonen din; "
             "lenken står ikke i denne kalenderoppføringen."
           : "Video consultation (%s). Join with the personal link from your invitation; "
             "the link is not in this calendar entry.",
        kind_words(c->kind, nb));
  else
    text = g_strdup_printf(
        nb ? "Videokonsultasjon (%s). Bli med her: %s\n"
             "Lenken er personlig: ikke del den.\n"
             "Ha klart: et rolig sted, et ladet nettbrett eller en ladet telefon, kamera og "
             "mikrofon."
           : "Video consultation (%s). Join here: %s\n"
             "The link is personal: do not share it.\n"
             "Have ready: a quiet place, a charged tablet or phone, camera and microphone.",
        kind_words(c->kind, nb), link);
  char *description = escape_text(text);
  g_free(text);
  char *sequence = g_strdup_printf(
      "%lld", (long long)(c->updated > c->created ? (c->updated - c->created) % 2147483647 : 0));
  add_line(out, "BEGIN", "VCALENDAR");
  add_line(out, "VERSION", "2.0");
  add_line(out, "PRODID", "-//samvei//samvei consultations//EN");
  add_line(out, "CALSCALE", "GREGORIAN");
  add_line(out, "METHOD", "PUBLISH");
  add_line(out, "BEGIN", "VEVENT");
  add_line(out, "UID", uid);
  add_line(out, "DTSTAMP", stamp);
  add_line(out, "DTSTART", start);
  add_line(out, "DTEND", end);
  add_line(out, "SEQUENCE", sequence);
  add_line(out, "SUMMARY", summary);
  add_line(out, "DESCRIPTION", description);
  add_line(out, "STATUS", strcmp(c->status, "cancelled") == 0 ? "CANCELLED" : "CONFIRMED");
  add_line(out, "TRANSP", "OPAQUE");
  add_line(out, "END", "VEVENT");
  add_line(out, "END", "VCALENDAR");
  g_free(uid);
  g_free(stamp);
  g_free(start);
  g_free(end);
  g_free(summary);
  g_free(description);
  g_free(sequence);
  resp->status = 200;
  resp->type = "text/calendar; charset=utf-8";
  resp->len = out->len;
  resp->body = g_string_free(out, FALSE);
  resp->disposition = g_strdup_printf("attachment; filename=\"%s-%s.ics\"",
                                      link ? "invitation" : "consultation", c->id);
}
