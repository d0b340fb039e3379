/*
 * relay.c — the relay's public face on the main thread: starting the DTLS
 * identity and the workers, placing rooms on workers, and turning each API
 * call into a message for the room's worker.
 */
#include "relay/relay.h"

#include "common/tap.h"

#include <string.h>

#include "relay/srtp.h"
#include "relay/worker.h"

#define MOD "relay"

/* Main thread: where a room lives and how many joined it through us. */
typedef struct placement {
  int worker;
  int participants;
} placement;

struct sv_relay {
  sv_relay_config cfg;
  char *public_ip;
  char **ice_addresses;
  sv_router_config rcfg;
  sv_dtls_identity *identity;
  char fingerprint[256];
  sv_outbox *outbox;
  sv_worker *workers;
  int n_workers;
  GHashTable *placement; /* room id → placement*, main thread only */
};

const char *const sv_pc_kind_names[3] = {
    [SV_PC_PUBLISH] = "publish", [SV_PC_SUBSCRIBE] = "subscribe", NULL};

const char *sv_pc_kind_name(sv_pc_kind pc) {
  return sv_pc_kind_names[pc == SV_PC_PUBLISH ? SV_PC_PUBLISH : SV_PC_SUBSCRIBE];
}

int sv_pc_kind_parse(const char *name, sv_pc_kind *out) {
  for (int i = 0; name && sv_pc_kind_names[i]; i++) {
    if (strcmp(name, sv_pc_kind_names[i]) == 0) {
      *out = (sv_pc_kind)i;
      return 0;
    }
  }
  return SV_EINVAL;
}

const char *sv_pc_state_name(sv_pc_state state) {
  switch (state) {
  case SV_PC_STATE_NEW:
    return "new";
  case SV_PC_STATE_CONNECTING:
    return "connecting";
  case SV_PC_STATE_CONNECTED:
    return "connected";
  case SV_PC_STATE_FAILED:
    return "failed";
  case SV_PC_STATE_CLOSED:
    return "closed";
  case SV_PC_STATE_STALLED:
    return "stalled";
  }
  return "unknown";
}

int sv_relay_new(const sv_relay_config *config, GMainContext *main_ctx,
                 const sv_relay_events *events, void *user, sv_relay **out) {
  int rc = SV_EINVAL;
  sv_relay *r = g_new0(sv_relay, 1);
  r->cfg = *config;
  if (sv_sdp_prefs_parse(config->video_codecs ? config->video_codecs : "vp8,h264",
                         &r->rcfg.prefs) != 0) {
    SV_ERROR(MOD, "unknown video codec list '%s' (use vp8, h264 or both)", config->video_codecs);
    goto out;
  }
  r->rcfg.max_video_kbps = config->max_video_kbps ? config->max_video_kbps : 1500;
  if (config->ice_addresses && *config->ice_addresses)
    r->ice_addresses = g_strsplit(config->ice_addresses, ",", -1);
  r->public_ip = config->public_ip && *config->public_ip ? g_strdup(config->public_ip) : NULL;
  rc = sv_srtp_global_init();
  if (rc != 0) {
    SV_ERROR(MOD, "cannot initialise libsrtp");
    goto out;
  }
  rc = sv_dtls_identity_new(&r->identity);
  if (rc != 0) goto out;
  snprintf(r->fingerprint, sizeof r->fingerprint, "sha-256 %s",
           sv_dtls_identity_fingerprint(r->identity));

  r->outbox = g_new0(sv_outbox, 1);
  r->outbox->ref = 1;
  r->outbox->queue = g_async_queue_new();
  r->outbox->main_ctx =
      main_ctx ? g_main_context_ref(main_ctx) : g_main_context_ref_thread_default();
  r->outbox->ev = *events;
  r->outbox->user = user;

  r->n_workers = config->workers > 0 ? config->workers : (int)g_get_num_processors();
  r->workers = g_new0(sv_worker, r->n_workers);
  for (int i = 0; i < r->n_workers; i++) {
    sv_worker *w = &r->workers[i];
    w->index = i;
    w->outbox = r->outbox;
    w->rcfg = &r->rcfg;
    w->env.identity = r->identity;
    w->env.ice_addresses = r->ice_addresses;
    w->env.public_ip = r->public_ip;
    w->env.port_min = config->port_min;
    w->env.port_max = config->port_max;
    w->env.ice_tcp = config->ice_tcp;
    rc = sv_worker_start(w);
    if (rc != 0) goto out;
  }
  r->placement = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  SV_INFO(MOD, "%d relay worker%s, DTLS fingerprint %s", r->n_workers, r->n_workers == 1 ? "" : "s",
          r->fingerprint);
  *out = r;
  return 0;
out:
  sv_relay_free(r);
  return rc;
}

void sv_relay_free(sv_relay *r) {
  if (!r) return;
  for (int i = 0; r->workers && i < r->n_workers; i++)
    sv_worker_stop(&r->workers[i]);
  g_free(r->workers);
  if (r->outbox) {
    /* Events still queued for the main thread are dropped, not delivered. */
    g_atomic_int_set(&r->outbox->closed, 1);
    sv_event *ev;
    while ((ev = g_async_queue_try_pop(r->outbox->queue)))
      sv_event_free(ev);
    if (g_atomic_int_dec_and_test(&r->outbox->ref)) {
      g_async_queue_unref(r->outbox->queue);
      g_main_context_unref(r->outbox->main_ctx);
      g_free(r->outbox);
    }
  }
  if (r->placement) g_hash_table_destroy(r->placement);
  sv_dtls_identity_free(r->identity);
  if (r->identity) sv_srtp_global_deinit();
  g_strfreev(r->ice_addresses);
  g_free(r->public_ip);
  g_free(r);
}

const char *sv_relay_fingerprint(const sv_relay *r) {
  return r->fingerprint;
}

const uint32_t sv_relay_ftf_bounds_ms[8] = SV_FTF_BOUNDS_MS;
_Static_assert(SV_FTF_BUCKETS == 8, "sv_relay_stats and sv_relay_ftf_bounds_ms have 8 bounds");
const uint32_t sv_relay_bwe_bounds_kbps[8] = SV_BWE_BOUNDS_KBPS;
_Static_assert(SV_BWE_BUCKETS == 8, "sv_relay_stats and sv_relay_bwe_bounds_kbps have 8 bounds");

static void add_block(const sv_stats_block *cb, sv_relay_stats *out) {
  sv_stats_block *b = (sv_stats_block *)cb;
#define SUM(f) out->f += SV_STAT_GET(b, f)
  SUM(rooms);
  SUM(peers);
  SUM(rtp_in);
  SUM(rtp_out);
  SUM(rtcp_in);
  SUM(rtcp_out);
  SUM(bytes_in);
  SUM(bytes_out);
  SUM(dropped_malformed);
  SUM(dropped_unknown);
  SUM(dropped_kernel);
  SUM(pli_sent);
  SUM(pli_absorbed);
  SUM(nack_received);
  SUM(retransmitted);
  SUM(packets_lost);
  SUM(ftf_sum_ms);
  SUM(ftf_count);
  for (int k = 0; k <= SV_FTF_BUCKETS; k++)
    SUM(ftf_bucket[k]);
  SUM(bwe_sum_kbps);
  SUM(bwe_count);
  for (int k = 0; k <= SV_BWE_BUCKETS; k++)
    SUM(bwe_bucket[k]);
  SUM(layer_switches);
  SUM(video_paused);
  SUM(padding_bytes);
  SUM(red_forwarded);
  SUM(red_stripped);
  SUM(nack_sent);
  SUM(rtx_received);
  SUM(ice_tcp_accepted);
  SUM(ice_tcp_closed_timeout);
  SUM(ice_tcp_closed_bad);
  SUM(ice_tcp_closed_limit);
  SUM(ice_tcp_dropped);
#undef SUM
}

void sv_relay_get_stats(const sv_relay *r, sv_relay_stats *out) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < r->n_workers; i++)
    add_block(&r->workers[i].stats, out);
}

int sv_relay_worker_count(const sv_relay *r) {
  return r->n_workers;
}

void sv_relay_get_worker_stats(const sv_relay *r, int index, sv_relay_stats *out) {
  memset(out, 0, sizeof *out);
  if (index >= 0 && index < r->n_workers) add_block(&r->workers[index].stats, out);
}

static bool id_ok(const char *s) {
  return s && *s && strlen(s) < SV_RELAY_ID_MAX;
}

static sv_work *msg_new(sv_work_type type, const char *room, const char *participant) {
  sv_work *m = g_new0(sv_work, 1);
  m->type = type;
  g_strlcpy(m->room, room, sizeof m->room);
  g_strlcpy(m->participant, participant, sizeof m->participant);
  return m;
}

/* The worker hosting room, or NULL if the room was never joined. */
static sv_worker *worker_for(sv_relay *r, const char *room) {
  placement *pl = g_hash_table_lookup(r->placement, room);
  return pl ? &r->workers[pl->worker] : NULL;
}

int sv_relay_join(sv_relay *r, const char *room, const char *participant) {
  if (!id_ok(room) || !id_ok(participant)) return SV_EINVAL;
  placement *pl = g_hash_table_lookup(r->placement, room);
  if (!pl) {
    /* Pin the room to the least-loaded worker. */
    int best = 0;
    for (int i = 1; i < r->n_workers; i++)
      if (r->workers[i].placed_rooms < r->workers[best].placed_rooms) best = i;
    pl = g_new0(placement, 1);
    pl->worker = best;
    r->workers[best].placed_rooms++;
    g_hash_table_insert(r->placement, g_strdup(room), pl);
  }
  pl->participants++;
  sv_worker_post(&r->workers[pl->worker], msg_new(SV_WORK_JOIN, room, participant));
  return 0;
}

int sv_relay_leave(sv_relay *r, const char *room, const char *participant) {
  if (!id_ok(room) || !id_ok(participant)) return SV_EINVAL;
  placement *pl = g_hash_table_lookup(r->placement, room);
  if (!pl) return SV_ENOENT;
  sv_worker_post(&r->workers[pl->worker], msg_new(SV_WORK_LEAVE, room, participant));
  if (--pl->participants <= 0) {
    r->workers[pl->worker].placed_rooms--;
    g_hash_table_remove(r->placement, room);
  }
  return 0;
}

int sv_relay_publish(sv_relay *r, const char *room, const char *participant, int64_t request,
                     const char *sdp_offer) {
  if (!id_ok(room) || !id_ok(participant) || !sdp_offer || !*sdp_offer) return SV_EINVAL;
  if (strlen(sdp_offer) > SV_RELAY_MAX_SDP) return SV_ETOOBIG;
  sv_worker *w = worker_for(r, room);
  if (!w) return SV_ENOENT;
  sv_work *m = msg_new(SV_WORK_PUBLISH, room, participant);
  m->request = request;
  m->text = g_strdup(sdp_offer);
  sv_worker_post(w, m);
  return 0;
}

int sv_relay_subscribe_answer(sv_relay *r, const char *room, const char *participant, uint32_t rev,
                              const char *sdp_answer) {
  if (!id_ok(room) || !id_ok(participant) || !sdp_answer || !*sdp_answer) return SV_EINVAL;
  if (strlen(sdp_answer) > SV_RELAY_MAX_SDP) return SV_ETOOBIG;
  sv_worker *w = worker_for(r, room);
  if (!w) return SV_ENOENT;
  sv_work *m = msg_new(SV_WORK_SUBSCRIBE_ANSWER, room, participant);
  m->rev = rev;
  m->text = g_strdup(sdp_answer);
  sv_worker_post(w, m);
  return 0;
}

int sv_relay_candidate(sv_relay *r, const char *room, const char *participant, sv_pc_kind pc,
                       const char *candidate, const char *mid) {
  if (!id_ok(room) || !id_ok(participant) || !candidate || strlen(candidate) > 1024)
    return SV_EINVAL;
  if (pc != SV_PC_PUBLISH && pc != SV_PC_SUBSCRIBE) return SV_EINVAL;
  sv_worker *w = worker_for(r, room);
  if (!w) return SV_ENOENT;
  sv_work *m = msg_new(SV_WORK_CANDIDATE, room, participant);
  m->pc = pc;
  m->text = g_strdup(candidate);
  sv_worker_post(w, m);
  return 0;
}

int sv_relay_tap_start(sv_relay *r, const char *room, const char *participant, sv_tap *tap) {
  if (!id_ok(room) || !id_ok(participant) || !tap) return SV_EINVAL;
  sv_worker *w = worker_for(r, room);
  if (!w) return SV_ENOENT;
  sv_work *m = msg_new(SV_WORK_TAP_START, room, participant);
  m->tap = sv_tap_ref(tap);
  sv_worker_post(w, m);
  return 0;
}

/* A message with nothing but its room and participant, to the room's worker. */
static int post_plain(sv_relay *r, sv_work_type type, const char *room, const char *participant) {
  if (!id_ok(room) || !id_ok(participant)) return SV_EINVAL;
  sv_worker *w = worker_for(r, room);
  if (!w) return SV_ENOENT;
  sv_worker_post(w, msg_new(type, room, participant));
  return 0;
}

int sv_relay_tap_stop(sv_relay *r, const char *room, const char *participant) {
  return post_plain(r, SV_WORK_TAP_STOP, room, participant);
}

int sv_relay_restart_ice(sv_relay *r, const char *room, const char *participant) {
  return post_plain(r, SV_WORK_ICE_RESTART, room, participant);
}

int sv_relay_request_keyframe(sv_relay *r, const char *room, const char *participant) {
  return post_plain(r, SV_WORK_KEYFRAME, room, participant);
}

int sv_relay_set_max_layer(sv_relay *r, const char *room, const char *participant,
                           const char *publisher, int max_layer) {
  if (!id_ok(room) || !id_ok(participant) || !id_ok(publisher)) return SV_EINVAL;
  if (max_layer < 0 || (max_layer >= SV_RELAY_MAX_LAYERS && max_layer != SV_RELAY_LAYER_AUTO))
    return SV_EINVAL;
  sv_worker *w = worker_for(r, room);
  if (!w) return SV_ENOENT;
  sv_work *m = msg_new(SV_WORK_MAX_LAYER, room, participant);
  m->text = g_strdup(publisher);
  m->value = max_layer;
  sv_worker_post(w, m);
  return 0;
}

int sv_relay_set_audio_only(sv_relay *r, const char *room, const char *participant, bool on) {
  if (!id_ok(room) || !id_ok(participant)) return SV_EINVAL;
  sv_worker *w = worker_for(r, room);
  if (!w) return SV_ENOENT;
  sv_work *m = msg_new(SV_WORK_AUDIO_ONLY, room, participant);
  m->value = on;
  sv_worker_post(w, m);
  return 0;
}

int sv_relay_stop_screen(sv_relay *r, const char *room, const char *participant) {
  if (!id_ok(room) || !id_ok(participant)) return SV_EINVAL;
  sv_worker *w = worker_for(r, room);
  if (!w) return SV_ENOENT;
  sv_worker_post(w, msg_new(SV_WORK_STOP_SCREEN, room, participant));
  return 0;
}

int sv_relay_allow_publish(sv_relay *r, const char *room, const char *participant, bool audio,
                           bool video) {
  if (!id_ok(room) || !id_ok(participant)) return SV_EINVAL;
  sv_worker *w = worker_for(r, room);
  if (!w) return SV_ENOENT;
  sv_work *m = msg_new(SV_WORK_ALLOW_PUBLISH, room, participant);
  m->value = (audio ? SV_ROUTER_ALLOW_AUDIO : 0) | (video ? SV_ROUTER_ALLOW_VIDEO : 0);
  sv_worker_post(w, m);
  return 0;
}
