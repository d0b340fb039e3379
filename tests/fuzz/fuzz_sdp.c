/*
 * fuzz_sdp.c — libFuzzer target for the relay's SDP code (relay/sdp_parse.c,
 * relay/sdp_write.c): the parser sees every client's offer and answer.
 *
 * Parses the input; when it parses, negotiates a publish answer, writes it,
 * and checks that the relay can read its own answer back. The same for the
 * parsed description written as it is (the subscribe-offer path). A failed
 * round trip is a bug in the writer, so it aborts for the fuzzer to keep.
 * Seeds: tests/fuzz/corpus/fuzz_sdp/ (browser offers, broken ones).
 */
#include "relay/sdp.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes sdp and aborts unless the text parses back with the same m-lines. */
static void check_round_trip(sv_sdp *sdp, sv_sdp *scratch) {
  char err[256];
  char *text = sv_sdp_write(sdp);
  if (!text) abort();
  if (sv_sdp_parse(text, scratch, err, sizeof err) != 0 || scratch->n_media != sdp->n_media) {
    fprintf(stderr, "fuzz_sdp: own SDP does not parse back: %s\n%s", err, text);
    abort();
  }
  g_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[256];
  char *text = malloc(size + 1);
  sv_sdp *offer = calloc(1, sizeof *offer);
  sv_sdp *answer = calloc(1, sizeof *answer);
  sv_sdp *scratch = calloc(1, sizeof *scratch);
  sv_sdp_prefs prefs;

  if (!text || !offer || !answer || !scratch) abort();
  memcpy(text, data, size);
  text[size] = '\0';

  if (sv_sdp_parse(text, offer, err, sizeof err) == 0) {
    /* Alternate the preference so both H.264 and VP8 paths run. */
    sv_sdp_prefs_parse(size % 2 ? "h264,vp8" : "vp8,h264", &prefs);
    if (sv_sdp_negotiate_publish(offer, &prefs, answer, err, sizeof err) == 0) {
      snprintf(answer->ice_ufrag, sizeof answer->ice_ufrag, "fuzz");
      snprintf(answer->ice_pwd, sizeof answer->ice_pwd, "fuzzfuzzfuzzfuzzfuzzfuzz");
      memcpy(answer->fingerprint, offer->fingerprint, sizeof answer->fingerprint);
      answer->setup = SV_SETUP_PASSIVE;
      check_round_trip(answer, scratch);
    }
    check_round_trip(offer, scratch);
    sv_sdp_find_mid(offer, "0");
  }

  free(scratch);
  free(answer);
  free(offer);
  free(text);
  return 0;
}
