/*
 * metrics.c — GET /metrics in the Prometheus text format (0.0.4): rooms
 * and participants now, joins and why they failed, the relay's packet
 * counters (summed over workers, and per worker for load), the
 * join-to-first-frame histogram, how the relay adapts to weak links
 * (bandwidth estimates, layer switches, paused video, probing) and build
 * information.
 *
 * Names follow Prometheus conventions: *_total for counters, base units
 * (seconds, bytes), except the bandwidth estimate, which is in kbit/s (the
 * unit its buckets and the relay's estimator speak). Labels hold fixed words
 * and worker numbers only.
 */
#include "signaling/metrics.h"

#include <glib.h>
#include <string.h>

#include "signaling/signaling_int.h"

static const char *const fail_names[SV_JOIN_FAIL_COUNT] = {
    [SV_JOIN_FAIL_AUTH] = "auth",
    [SV_JOIN_FAIL_ROOM_FULL] = "room-full",
    [SV_JOIN_FAIL_RESTARTING] = "restarting",
    [SV_JOIN_FAIL_RELAY] = "relay",
    [SV_JOIN_FAIL_CLOSED] = "closed",
    [SV_JOIN_FAIL_REQUEST] = "bad-request",
    [SV_JOIN_FAIL_ICE] = "ice",
    [SV_JOIN_FAIL_DTLS] = "dtls",
};

void sv_metrics_join(sv_metrics *m) {
  atomic_fetch_add_explicit(&m->joins, 1, memory_order_relaxed);
}

void sv_metrics_join_failed(sv_metrics *m, sv_join_fail why) {
  if (why < 0 || why >= SV_JOIN_FAIL_COUNT) return;
  atomic_fetch_add_explicit(&m->join_failures[why], 1, memory_order_relaxed);
}

void sv_metrics_recorder_done(sv_metrics *m, bool still, bool written, uint64_t packets,
                              uint64_t dropped) {
  if (written)
    atomic_fetch_add_explicit(still ? &m->stills : &m->recordings, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->record_packets, packets, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->record_dropped, dropped, memory_order_relaxed);
}

sv_join_fail sv_metrics_pc_failure(const char *reason) {
  /* relay/peer.c starts every ICE failure sentence with "ICE"; the rest
   * (handshake, fingerprint, SRTP keys) is DTLS. */
  return reason && g_str_has_prefix(reason, "ICE") ? SV_JOIN_FAIL_ICE : SV_JOIN_FAIL_DTLS;
}

static uint64_t get(_Atomic uint64_t *v) {
  return atomic_load_explicit(v, memory_order_relaxed);
}

static void head(GString *s, const char *name, const char *type, const char *help) {
  g_string_append_printf(s, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(GString *s, const char *name, const char *type, const char *help, uint64_t v) {
  head(s, name, type, help);
  g_string_append_printf(s, "%s %" G_GUINT64_FORMAT "\n", name, v);
}

/* A histogram from the relay's 8 bounds plus +Inf, per-bucket (not
 * cumulative) counts, sum and count; bounds and sum are divided by `scale`
 * to get the metric's unit (ms → seconds). */
static void histogram(GString *s, const char *name, const char *help, const uint32_t bounds[8],
                      double scale, const uint64_t bucket[9], uint64_t sum, uint64_t count) {
  head(s, name, "histogram", help);
  uint64_t cumulative = 0;
  for (int k = 0; k < 9; k++) {
    cumulative += bucket[k];
    if (k < 8)
      g_string_append_printf(s, "%s_bucket{le=\"%g\"} %" G_GUINT64_FORMAT "\n", name,
                             bounds[k] / scale, cumulative);
    else
      g_string_append_printf(s, "%s_bucket{le=\"+Inf\"} %" G_GUINT64_FORMAT "\n", name, cumulative);
  }
  g_string_append_printf(s, "%s_sum %.3f\n%s_count %" G_GUINT64_FORMAT "\n", name, sum / scale,
                         name, count);
}

static void relay_part(GString *s, sv_relay *relay) {
  sv_relay_stats st;
  if (relay)
    sv_relay_get_stats(relay, &st);
  else
    memset(&st, 0, sizeof st);

  one(s, "samvei_relay_rooms", "gauge", "Rooms hosted by the media relay.", st.rooms);
  one(s, "samvei_relay_peer_connections", "gauge", "PeerConnections open in the media relay.",
      st.peers);
  one(s, "samvei_forwarded_packets_total", "counter",
      "RTP packets sent to subscribers (forwarded and retransmitted).", st.rtp_out);
  one(s, "samvei_forwarded_bytes_total", "counter",
      "Bytes of RTP and RTCP sent by the relay (after SRTP).", st.bytes_out);
  head(s, "samvei_received_packets_total", "counter", "Packets received from publishers.");
  g_string_append_printf(s,
                         "samvei_received_packets_total{kind=\"rtp\"} %" G_GUINT64_FORMAT "\n"
                         "samvei_received_packets_total{kind=\"rtcp\"} %" G_GUINT64_FORMAT "\n",
                         st.rtp_in, st.rtcp_in);
  one(s, "samvei_received_bytes_total", "counter", "Bytes of SRTP and SRTCP received.",
      st.bytes_in);
  head(s, "samvei_dropped_packets_total", "counter", "Inbound packets dropped, by reason.");
  g_string_append_printf(s,
                         "samvei_dropped_packets_total{reason=\"malformed\"} %" G_GUINT64_FORMAT
                         "\n"
                         "samvei_dropped_packets_total{reason=\"unknown-stream\"} "
                         "%" G_GUINT64_FORMAT "\n"
                         "samvei_dropped_packets_total{reason=\"kernel\"} %" G_GUINT64_FORMAT "\n",
                         st.dropped_malformed, st.dropped_unknown, st.dropped_kernel);
  one(s, "samvei_ice_tcp_connections_total", "counter",
      "TCP connections accepted on the relay's ICE-TCP candidates.", st.ice_tcp_accepted);
  head(s, "samvei_ice_tcp_closed_total", "counter",
       "ICE-TCP connections the relay closed, by reason.");
  g_string_append_printf(s,
                         "samvei_ice_tcp_closed_total{reason=\"timeout\"} %" G_GUINT64_FORMAT "\n"
                         "samvei_ice_tcp_closed_total{reason=\"bad-frame\"} %" G_GUINT64_FORMAT "\n"
                         "samvei_ice_tcp_closed_total{reason=\"limit\"} %" G_GUINT64_FORMAT "\n",
                         st.ice_tcp_closed_timeout, st.ice_tcp_closed_bad, st.ice_tcp_closed_limit);
  one(s, "samvei_ice_tcp_dropped_packets_total", "counter",
      "Packets dropped between an ICE-TCP connection and the relay (buffer full).",
      st.ice_tcp_dropped);
  one(s, "samvei_packets_lost_total", "counter",
      "Inbound RTP packets lost between publishers and the relay (sequence gaps).",
      st.packets_lost);
  one(s, "samvei_nacks_received_total", "counter", "Generic NACKs received from subscribers.",
      st.nack_received);
  one(s, "samvei_retransmitted_packets_total", "counter",
      "RTP packets resent from the retransmission buffer.", st.retransmitted);
  one(s, "samvei_plis_sent_total", "counter", "Keyframe requests (PLI) sent to publishers.",
      st.pli_sent);
  one(s, "samvei_plis_absorbed_total", "counter",
      "Subscribers' keyframe requests held back because retransmissions were repairing the loss.",
      st.pli_absorbed);
  one(s, "samvei_red_forwarded_total", "counter",
      "Redundant-audio (RED) packets forwarded as RED to subscribers that take it.",
      st.red_forwarded);
  one(s, "samvei_red_stripped_total", "counter",
      "RED packets stripped to their primary Opus payload for subscribers without RED.",
      st.red_stripped);
  one(s, "samvei_nacks_sent_total", "counter",
      "NACKs the relay sent publishers for packets lost on their uplink.", st.nack_sent);
  one(s, "samvei_rtx_received_total", "counter",
      "Retransmissions from publishers that repaired a gap.", st.rtx_received);

  histogram(s, "samvei_join_to_first_frame_seconds",
            "Time from a participant's join to the first video packet forwarded to it.",
            sv_relay_ftf_bounds_ms, 1000.0, st.ftf_bucket, st.ftf_sum_ms, st.ftf_count);

  histogram(s, "samvei_bandwidth_estimate_kbps",
            "Bandwidth the relay estimates towards each subscriber (kbit/s), sampled once a "
            "second per subscriber.",
            sv_relay_bwe_bounds_kbps, 1.0, st.bwe_bucket, st.bwe_sum_kbps, st.bwe_count);
  one(s, "samvei_layer_switches_total", "counter",
      "Simulcast layer changes in what the relay forwards to subscribers.", st.layer_switches);
  one(s, "samvei_subscribers_video_paused", "gauge",
      "Subscribers whose video is paused now (weak link or audio only).", st.video_paused);
  one(s, "samvei_probe_padding_bytes_total", "counter",
      "Padding bytes sent to probe subscribers' links for more bandwidth.", st.padding_bytes);

  int n = relay ? sv_relay_worker_count(relay) : 0;
  const struct {
    const char *name, *type, *help;
  } per_worker[] = {
      {"samvei_worker_rooms", "gauge", "Rooms pinned to each relay worker."},
      {"samvei_worker_peer_connections", "gauge", "PeerConnections on each relay worker."},
      {"samvei_worker_packets_total", "counter",
       "RTP and RTCP packets handled by each relay worker, by direction."},
  };
  for (size_t m = 0; m < SV_ARRAY_LEN(per_worker); m++) {
    head(s, per_worker[m].name, per_worker[m].type, per_worker[m].help);
    for (int i = 0; i < n; i++) {
      sv_relay_stats w;
      sv_relay_get_worker_stats(relay, i, &w);
      if (m == 0)
        g_string_append_printf(s, "%s{worker=\"%d\"} %" G_GUINT64_FORMAT "\n", per_worker[m].name,
                               i, w.rooms);
      else if (m == 1)
        g_string_append_printf(s, "%s{worker=\"%d\"} %" G_GUINT64_FORMAT "\n", per_worker[m].name,
                               i, w.peers);
      else
        g_string_append_printf(s,
                               "%s{worker=\"%d\",direction=\"in\"} %" G_GUINT64_FORMAT "\n"
                               "%s{worker=\"%d\",direction=\"out\"} %" G_GUINT64_FORMAT "\n",
                               per_worker[m].name, i, w.rtp_in + w.rtcp_in, per_worker[m].name, i,
                               w.rtp_out + w.rtcp_out);
    }
  }
}

char *sv_metrics_render(sv_signaling *sig, size_t *len) {
  GString *s = g_string_sized_new(4096);
  head(s, "samvei_build_info", "gauge", "The running samvei version (always 1).");
  g_string_append_printf(s, "samvei_build_info{version=\"%s\"} 1\n", sig->version);
  one(s, "samvei_rooms", "gauge", "Rooms (consultations) with at least one participant.",
      sv_rooms_count(sig->rooms));
  one(s, "samvei_participants", "gauge", "Participants in rooms now.",
      sv_rooms_participant_count(sig->rooms));
  one(s, "samvei_joins_total", "counter", "Joins accepted.", get(&sig->metrics.joins));
  head(s, "samvei_join_failures_total", "counter",
       "Joins refused (auth, room-full, restarting, relay) and PeerConnections that failed after "
       "a join (ice, dtls).");
  for (int i = 0; i < SV_JOIN_FAIL_COUNT; i++)
    g_string_append_printf(s, "samvei_join_failures_total{reason=\"%s\"} %" G_GUINT64_FORMAT "\n",
                           fail_names[i], get(&sig->metrics.join_failures[i]));
  one(s, "samvei_recording_files_total", "counter",
      "Recording files finished (one per recorded participant).", get(&sig->metrics.recordings));
  one(s, "samvei_stills_total", "counter", "Still images captured.", get(&sig->metrics.stills));
  one(s, "samvei_recording_packets_total", "counter",
      "RTP packets the relay handed to recorders (finished recordings and stills).",
      get(&sig->metrics.record_packets));
  one(s, "samvei_recording_dropped_packets_total", "counter",
      "Packets a recorder's tap had no room for: dropped there, never delaying forwarding.",
      get(&sig->metrics.record_dropped));
  head(s, "samvei_connections_refused_total", "counter",
       "Connections refused or closed by the resource bounds: per-ip (--max-conns-per-ip), "
       "origin (a WebSocket from another site), unjoined (no join in time), slow-request (headers "
       "or body not in time).");
  const struct {
    const char *name;
    _Atomic uint64_t *v;
  } refused[] = {{"per-ip", &sig->metrics.refused_per_ip},
                 {"origin", &sig->metrics.refused_origin},
                 {"unjoined", &sig->metrics.closed_unjoined},
                 {"slow-request", &sig->metrics.closed_slow_request}};
  for (size_t i = 0; i < SV_ARRAY_LEN(refused); i++)
    g_string_append_printf(
        s, "samvei_connections_refused_total{reason=\"%s\"} %" G_GUINT64_FORMAT "\n",
        refused[i].name, get(refused[i].v));
  head(s, "samvei_urgent_withdrawn_total", "counter",
       "Urgent requests withdrawn before anyone accepted: left (the requester's page closed or "
       "lost its connection), cancelled (the requester pressed Cancel).");
  g_string_append_printf(s,
                         "samvei_urgent_withdrawn_total{reason=\"left\"} %" G_GUINT64_FORMAT "\n",
                         get(&sig->metrics.urgent_left));
  g_string_append_printf(
      s, "samvei_urgent_withdrawn_total{reason=\"cancelled\"} %" G_GUINT64_FORMAT "\n",
      get(&sig->metrics.urgent_cancelled));
  relay_part(s, sig->relay);
  *len = s->len;
  return g_string_free(s, FALSE);
}
