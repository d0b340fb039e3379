/*
 * test_ics.c — the calendar files (signaling/api/api_ics.c): RFC 5545 lines (CRLF,
 * folded at 75 octets without splitting a UTF-8 character, text escaped),
 * the DESCRIPTION in bokmål or English, a person's link only in their own
 * file, and the lang query (nb, en, absent; anything else 400).
 */
#include <glib.h>
#include <string.h>

#include "check.h"
#include "signaling/api/api.h"

static void consultation(sv_consultation *c, const char *title) {
  memset(c, 0, sizeof *c);
  g_strlcpy(c->id, "tztvdgmffeu39o03clw4", sizeof c->id);
  g_strlcpy(c->title, title, sizeof c->title);
  g_strlcpy(c->kind, "follow-up", sizeof c->kind);
  g_strlcpy(c->status, "booked", sizeof c->status);
  c->start = 1795424400; /* 2026-11-23T09:00:00Z */
  c->end = c->start + 1800;
  c->created = c->updated = c->start - 86400;
}

/* Checks the physical lines and returns the unfolded text (g_free). */
static char *unfold_checked(const char *body, size_t len) {
  CHECK(len >= 2 && body[len - 2] == '\r' && body[len - 1] == '\n');
  GString *out = g_string_new(NULL);
  const char *p = body;
  while (p < body + len) {
    const char *eol = strstr(p, "\r\n");
    CHECK(eol != NULL);
    if (!eol) break;
    size_t n = (size_t)(eol - p);
    CHECK(n <= 75);
    CHECK(memchr(p, '\n', n) == NULL && memchr(p, '\r', n) == NULL);
    CHECK(g_utf8_validate(p, (gssize)n, NULL)); /* no character cut in two */
    if (*p == ' ')
      g_string_append_len(out, p + 1, (gssize)n - 1);
    else {
      if (out->len) g_string_append_c(out, '\n');
      g_string_append_len(out, p, (gssize)n);
    }
    p = eol + 2;
  }
  return g_string_free(out, FALSE);
}

static void test_consultation_file(void) {
  sv_consultation c;
  consultation(&c,
               "Sårveiledning, hjemmesykepleien; uke 48 \\ ærlig talt øøøøøøøøøøøøøøøøøøøøøøøø");
  sv_api_resp resp;
  memset(&resp, 0, sizeof resp);
  sv_api_ics(&c, c.start, "nb", NULL, &resp);
  CHECK_EQ_INT(resp.status, 200);
  CHECK_STR(resp.disposition, "attachment; filename=\"consultation-tztvdgmffeu39o03clw4.ics\"");
  char *text = unfold_checked(resp.body, resp.len);
  CHECK(strstr(text, "\nSUMMARY:Sårveiledning\\, hjemmesykepleien\\; uke 48 \\\\ ærlig talt ø") !=
        NULL);
  CHECK(strstr(text, "\nDESCRIPTION:Videokonsultasjon (oppfølgingsmøte). Bli med via den "
                     "personlige lenken i invitasjonen din\\; lenken står ikke") != NULL);
  CHECK(strstr(text, "token") == NULL && strstr(text, "#") == NULL);
  CHECK(strstr(text, "\nUID:tztvdgmffeu39o03clw4@samvei\n") != NULL);
  g_free(text);
  g_free(resp.body);
  g_free(resp.disposition);

  memset(&resp, 0, sizeof resp);
  sv_api_ics(&c, c.start, "en", NULL, &resp);
  text = unfold_checked(resp.body, resp.len);
  CHECK(strstr(text, "\nDESCRIPTION:Video consultation (follow-up meeting). Join with the "
                     "personal link from your invitation\\; the link is not") != NULL);
  g_free(text);
  g_free(resp.body);
  g_free(resp.disposition);
}

static void test_invitation_file(void) {
  sv_consultation c;
  consultation(&c, "Oppfølging");
  const char *link = "https://samvei.example.org/?room=tztvdgmffeu39o03clw4#token=aaaa.bbbb.cccc";
  for (int en = 0; en < 2; en++) {
    sv_api_resp resp;
    memset(&resp, 0, sizeof resp);
    sv_api_ics(&c, c.start, en ? "en" : "nb", link, &resp);
    CHECK_EQ_INT(resp.status, 200);
    CHECK_STR(resp.disposition, "attachment; filename=\"invitation-tztvdgmffeu39o03clw4.ics\"");
    char *text = unfold_checked(resp.body, resp.len);
    char *want = g_strdup_printf("%s%s\\n", en ? "Join here: " : "Bli med her: ", link);
    CHECK(strstr(text, want) != NULL);
    CHECK(strstr(text, en ? "Have ready: a quiet place\\, a charged tablet or phone\\, camera and "
                            "microphone."
                          : "Ha klart: et rolig sted\\, et ladet nettbrett eller en ladet "
                            "telefon\\, kamera og mikrofon.") != NULL);
    g_free(want);
    g_free(text);
    g_free(resp.body);
    g_free(resp.disposition);
  }
}

static void test_lang(void) {
  sv_api_call call;
  memset(&call, 0, sizeof call);
  const char *lang = NULL;
  sv_api_resp resp;
  memset(&resp, 0, sizeof resp);
  CHECK(sv_api_ics_lang(&call, &lang, &resp)); /* no query at all */
  CHECK_STR(lang, "nb");
  call.query = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  CHECK(sv_api_ics_lang(&call, &lang, &resp));
  CHECK_STR(lang, "nb");
  const char *good[] = {"nb", "en"};
  for (size_t i = 0; i < 2; i++) {
    g_hash_table_replace(call.query, g_strdup("lang"), g_strdup(good[i]));
    CHECK(sv_api_ics_lang(&call, &lang, &resp));
    CHECK_STR(lang, good[i]);
  }
  const char *bad[] = {"EN", "nb-NO", "de", "nn", "en "};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    memset(&resp, 0, sizeof resp);
    g_hash_table_replace(call.query, g_strdup("lang"), g_strdup(bad[i]));
    CHECK(!sv_api_ics_lang(&call, &lang, &resp));
    CHECK_EQ_INT(resp.status, 400);
    CHECK(resp.body && strstr(resp.body, "\"code\":\"bad-request\"") != NULL);
    g_free(resp.body);
  }
  g_hash_table_destroy(call.query);
}

int main(void) {
  RUN(test_consultation_file);
  RUN(test_invitation_file);
  RUN(test_lang);
  return check_summary();
}
