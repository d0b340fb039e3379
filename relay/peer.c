/*
 * peer.c — one PeerConnection's transport: libnice + DTLS + SRTP.
 *
 * Packets arrive in nice's receive callback on the worker thread. STUN never
 * reaches us (libnice consumes it); DTLS goes to the handshake; SRTP/SRTCP is
 * decrypted in the worker's scratch buffer and handed to the router. Nothing
 * here allocates per packet.
 *
 * ICE-TCP is not libnice's (see tcpbridge.h): with --ice-tcp, each UDP host
 * candidate gets a passive TCP twin that the bridge announces and relays to
 * it, so libnice sees browsers on TCP as peer-reflexive UDP candidates.
 */
#include "relay/peer.h"
#include "relay/socksrc.h"

#include <agent.h>
#include <string.h>
#include <sys/socket.h>

#include "common/common.h"
#include "relay/fastpoll.h"
#include "relay/pathguard.h"
#include "relay/rtp.h"
#include "relay/srtp.h"
#include "relay/tcpbridge.h"

#define MOD "peer"
/* UDP sockets of one PeerConnection given a pathguard filter (one per
 * local address libnice gathered on). */
#define MAX_GUARDED 8

/* Owned by its worker thread. */
struct sv_peer {
  const sv_peer_env *env;
  sv_peer_callbacks cb;
  void *user;
  NiceAgent *agent;
  guint stream;
  char *ufrag, *pwd;
  char remote_ufrag[256];
  char remote_fingerprint[160]; /* from the first sv_peer_set_remote() */
  sv_dtls *dtls;
  sv_srtp srtp;
  sv_srtp_profile profile; /* negotiated by DTLS, 0 until then */
  sv_pc_state state;
  bool dtls_client, dtls_started, remote_set, released, gathering_done;
  GPtrArray *held;           /* local candidates not yet released (owned strings) */
  sv_tcpbridge *tcp;         /* NULL without --ice-tcp */
  uint64_t rx, tx;           /* packets in and out (DTLS, SRTP, SRTCP) */
  uint64_t rx_seen, tx_seen; /* rx and tx at the watchdog's last tick */
  unsigned quiet;            /* watchdog ticks with packets out but none in */
  GList watched;             /* in env->watch from the first connection on */
  /* The selected pair's UDP socket and remote address, once ICE chose one
   * that is not relayed: packets go out with one sendto() instead of
   * through the agent (its lock, GIO's address objects). send_fd -1: no
   * such pair, libnice sends. The fd is libnice's: a ref in guard[] keeps
   * its GSocket, send_fd is forgotten at an ICE restart, a failure and the
   * end, and a socket closed at any other moment is noticed before a
   * send. */
  int send_fd;
  GSocket *send_sock; /* the socket of send_fd, one of guard[] */
  struct sockaddr_storage send_to;
  socklen_t send_to_len;
  struct {
    GSocket *sock;
    uint32_t drops; /* the kernel's drop count at the last look */
  } guard[MAX_GUARDED];
  int n_guard;
  bool guarding; /* from the first selected pair to a restart or failure */
};

static void set_state(sv_peer *p, sv_pc_state st, const char *reason) {
  if (p->state == st || p->state == SV_PC_STATE_FAILED || p->state == SV_PC_STATE_CLOSED) return;
  p->state = st;
  p->cb.state(p->user, p, st, reason);
}

static void emit_candidate(sv_peer *p, const char *cand) {
  if (p->released)
    p->cb.candidate(p->user, p, cand);
  else
    g_ptr_array_add(p->held, g_strdup(cand));
}

static void emit_local(sv_peer *p, NiceCandidate *c) {
  gchar *sdp = nice_agent_generate_local_candidate_sdp(p->agent, c);
  if (sdp) {
    emit_candidate(p, g_str_has_prefix(sdp, "a=") ? sdp + 2 : sdp);
    g_free(sdp);
  }
}

/* The passive ICE-TCP candidate(s) bridged to the UDP host candidate c. */
static void announce_tcp(sv_peer *p, NiceCandidate *c) {
  struct sockaddr_storage ss = {0};
  nice_address_copy_to_sockaddr(&c->addr, (struct sockaddr *)&ss);
  socklen_t len =
      ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  uint16_t port = sv_tcpbridge_listen(p->tcp, (struct sockaddr *)&ss, len);
  if (!port) return;
  /* As libnice would rank it: a TCP host candidate gets half the UDP host
   * type preference (120), so every UDP path is tried first. */
  guint32 prio = (60u << 24) | (c->priority & 0x00ffff00u) | 255u;
  char addr[NICE_ADDRESS_STRING_LEN];
  nice_address_to_string(&c->addr, addr);
  const char *addrs[2] = {addr, p->env->public_ip};
  for (int i = 0; i < 2 && addrs[i]; i++) {
    char line[256];
    g_snprintf(line, sizeof line, "candidate:%st 1 tcp %u %s %u typ host tcptype passive",
               c->foundation, prio - (guint32)i, addrs[i], port);
    emit_candidate(p, line);
  }
}

/* A local candidate, and with --public-ip its public twin. */
static void announce(sv_peer *p, NiceCandidate *c) {
  emit_local(p, c);
  if (p->tcp && c->type == NICE_CANDIDATE_TYPE_HOST && c->transport == NICE_CANDIDATE_TRANSPORT_UDP)
    announce_tcp(p, c);
  /* NAT 1:1: also advertise the public address with the same port. */
  if (p->env->public_ip && c->type == NICE_CANDIDATE_TYPE_HOST) {
    NiceCandidate *pub = nice_candidate_copy(c);
    guint port = nice_address_get_port(&c->addr);
    if (nice_address_set_from_string(&pub->addr, p->env->public_ip)) {
      nice_address_set_port(&pub->addr, port);
      emit_local(p, pub);
    }
    nice_candidate_free(pub);
  }
}

static void on_new_candidate(NiceAgent *agent, NiceCandidate *c, gpointer data) {
  announce(data, c);
}

static void on_gathering_done(NiceAgent *agent, guint stream, gpointer data) {
  sv_peer *p = data;
  p->gathering_done = true;
  sv_socksrc_quiet(p->env->ctx); /* and those of TURN allocations */
  emit_candidate(p, "");
}

/* 0, or -1 if the packet could not be sent. */
static int transmit(sv_peer *p, const uint8_t *buf, size_t len) {
  p->tx++;
  /* Closed behind our back (libnice never does that to a live stream):
   * the number may belong to another file by now. */
  if (p->send_fd >= 0 && g_socket_is_closed(p->send_sock)) p->send_fd = -1;
  if (p->send_fd >= 0)
    return sendto(p->send_fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&p->send_to,
                  p->send_to_len) < 0
               ? -1
               : 0;
  return nice_agent_send(p->agent, p->stream, 1, (guint)len, (const gchar *)buf) < 0 ? -1 : 0;
}

static void on_dtls_send(void *user, const uint8_t *buf, size_t len) {
  (void)transmit(user, buf, len);
}

/* Adds what the kernel dropped on the guarded sockets since the last look
 * to the worker's counters. */
static void count_guard_drops(sv_peer *p) {
  for (int i = 0; i < p->n_guard; i++) {
    uint32_t now = sv_pathguard_drops(g_socket_get_fd(p->guard[i].sock));
    SV_STAT_ADD(p->env->stats, dropped_kernel, (uint32_t)(now - p->guard[i].drops));
    p->guard[i].drops = now;
  }
}

/* Back to libnice for sending, and every filter off. */
static void unguard(sv_peer *p) {
  p->send_fd = -1;
  p->guarding = false;
  count_guard_drops(p);
  for (int i = 0; i < p->n_guard; i++) {
    sv_pathguard_detach(g_socket_get_fd(p->guard[i].sock));
    g_object_unref(p->guard[i].sock);
  }
  p->n_guard = 0;
}

/* The filter of pathguard.h on every UDP socket of the component, for the
 * client's remote candidates as libnice knows them now. More candidates
 * than a filter takes: no filter (calls before strangers). */
static void guard(sv_peer *p) {
  struct sockaddr_storage from[SV_PATHGUARD_FROM_MAX];
  size_t n = 0;
  bool fits = true;
  GSList *cands = nice_agent_get_remote_candidates(p->agent, p->stream, 1);
  for (GSList *i = cands; i; i = i->next) {
    NiceCandidate *c = i->data;
    if (c->transport != NICE_CANDIDATE_TRANSPORT_UDP) continue;
    if (n == SV_PATHGUARD_FROM_MAX) {
      fits = false;
      break;
    }
    memset(&from[n], 0, sizeof from[n]);
    nice_address_copy_to_sockaddr(&c->addr, (struct sockaddr *)&from[n++]);
  }
  g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
  if (!fits) {
    for (int i = 0; i < p->n_guard; i++)
      sv_pathguard_detach(g_socket_get_fd(p->guard[i].sock));
    return;
  }
  count_guard_drops(p);
  GPtrArray *all = nice_agent_get_sockets(p->agent, p->stream, 1);
  for (guint i = 0; all && i < all->len; i++) {
    GSocket *s = g_ptr_array_index(all, i);
    if (g_socket_get_socket_type(s) != G_SOCKET_TYPE_DATAGRAM) continue;
    int fd = g_socket_get_fd(s), k = 0;
    while (k < p->n_guard && p->guard[k].sock != s)
      k++;
    if (k == MAX_GUARDED || sv_pathguard_attach(fd, from, n) != 0) continue;
    if (k == p->n_guard) {
      p->guard[k].sock = g_object_ref(s);
      p->guard[k].drops = sv_pathguard_drops(fd);
      p->n_guard++;
    }
  }
  if (all) g_ptr_array_unref(all);
}

/* ICE chose (again) a pair: from now on media is taken only from the
 * client's addresses, and goes out on the pair's socket directly. A
 * relayed pair (TURN) is sent through libnice. */
static void on_selected_pair(NiceAgent *agent, guint stream, guint component, NiceCandidate *local,
                             NiceCandidate *remote, gpointer data) {
  sv_peer *p = data;
  p->guarding = true;
  p->send_fd = -1;
  guard(p);
  GSocket *sel = nice_agent_get_selected_socket(agent, stream, component);
  if (!sel) return;
  /* Only while a ref in guard[] keeps the socket (and its fd) open. */
  for (int i = 0; i < p->n_guard; i++) {
    if (p->guard[i].sock != sel) continue;
    memset(&p->send_to, 0, sizeof p->send_to);
    nice_address_copy_to_sockaddr(&remote->addr, (struct sockaddr *)&p->send_to);
    p->send_to_len =
        p->send_to.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    p->send_fd = g_socket_get_fd(sel);
    p->send_sock = sel;
  }
  g_object_unref(sel);
}

/* A peer-reflexive candidate learnt from a check: admitted at once. */
static void on_remote_candidate(NiceAgent *agent, NiceCandidate *c, gpointer data) {
  sv_peer *p = data;
  if (p->guarding) guard(p);
}

/* Once a second while connected: adds up the kernel's drops, and notices
 * a client that has gone silent although the relay kept sending to it (a
 * live browser answers with RTCP at least every second or so): after
 * SV_PC_STALL_SECONDS, and again every as many seconds, the client is told
 * (SV_PC_STATE_STALLED) and restarts ICE, then rejoins. The relay cannot
 * restart ICE on its own: the client holds the publish connection's
 * offer, and its consent checks would take 30 s to fail when only its
 * direction towards the relay is broken. Silence while the relay sends
 * nothing (an idle subscribe connection) is no stall. */
static void watchdog(sv_peer *p) {
  count_guard_drops(p);
  bool heard = p->rx != p->rx_seen, spoke = p->tx != p->tx_seen;
  p->rx_seen = p->rx;
  p->tx_seen = p->tx;
  if (heard || !spoke || p->state != SV_PC_STATE_CONNECTED) {
    if (heard && p->quiet >= SV_PC_STALL_SECONDS)
      SV_INFO(MOD, "a PeerConnection's client is heard again after %u s", p->quiet);
    p->quiet = 0;
  } else if (++p->quiet % SV_PC_STALL_SECONDS == 0) {
    if (p->quiet == SV_PC_STALL_SECONDS)
      SV_INFO(MOD,
              "no packet from a connected client for %u s while the relay kept sending: its "
              "path to the relay is broken; asking it to restart ICE",
              p->quiet);
    p->cb.state(p->user, p, SV_PC_STATE_STALLED,
                "no packet from the client while the relay kept sending");
  }
}

struct sv_peer_watch {
  GQueue peers; /* of sv_peer, linked through their watched */
  GSource *timer;
};

static gboolean on_watch(gpointer data) {
  sv_peer_watch *w = data;
  for (GList *l = w->peers.head, *next; l; l = next) {
    next = l->next;
    watchdog(l->data);
  }
  return G_SOURCE_CONTINUE;
}

sv_peer_watch *sv_peer_watch_new(GMainContext *ctx) {
  sv_peer_watch *w = g_new0(sv_peer_watch, 1);
  g_queue_init(&w->peers);
  w->timer = g_timeout_source_new_seconds(1);
  g_source_set_callback(w->timer, on_watch, w, NULL);
  g_source_attach(w->timer, ctx);
  return w;
}

void sv_peer_watch_free(sv_peer_watch *w) {
  if (!w) return;
  g_source_destroy(w->timer);
  g_source_unref(w->timer);
  g_free(w);
}

static void on_dtls_connected(void *user, const sv_dtls_srtp_keys *keys, bool is_client) {
  sv_peer *p = user;
  if (sv_srtp_start(&p->srtp, keys, is_client) != 0) {
    set_state(p, SV_PC_STATE_FAILED, "cannot set up SRTP with the negotiated keys");
    return;
  }
  p->profile = keys->profile;
  if (p->env->watch && !p->watched.data) {
    p->watched.data = p;
    g_queue_push_tail_link(&p->env->watch->peers, &p->watched);
  }
  set_state(p, SV_PC_STATE_CONNECTED, NULL);
}

static void on_dtls_failed(void *user, const char *reason) {
  sv_peer *p = user;
  set_state(p, SV_PC_STATE_FAILED, reason);
}

static void on_component_state(NiceAgent *agent, guint stream, guint component, guint state,
                               gpointer data) {
  sv_peer *p = data;
  if (state == NICE_COMPONENT_STATE_FAILED) {
    unguard(p);
    set_state(p, SV_PC_STATE_FAILED,
              "ICE failed: no network path between the browser and "
              "the relay worked (firewall blocking UDP?)");
  } else if ((state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY) &&
             p->dtls_client && p->dtls && !sv_dtls_is_connected(p->dtls)) {
    if (!p->dtls_started) {
      p->dtls_started = true;
      sv_dtls_start(p->dtls, true);
    }
  }
}

static void on_recv(NiceAgent *agent, guint stream, guint component, guint len, gchar *buf,
                    gpointer data) {
  sv_peer *p = data;
  const uint8_t *in = (const uint8_t *)buf;
  sv_stats_block *st = p->env->stats;
  p->rx++;
  switch (sv_pkt_classify(in, len)) {
  case SV_PKT_DTLS:
    if (p->dtls) sv_dtls_input(p->dtls, in, len);
    return;
  case SV_PKT_RTP:
  case SV_PKT_RTCP:
    break;
  default:
    SV_STAT_ADD(st, dropped_malformed, 1);
    return;
  }
  if (!sv_srtp_ready(&p->srtp) || len > SV_PEER_SCRATCH) {
    SV_STAT_ADD(st, dropped_malformed, 1);
    return;
  }
  if (p->cb.srtp_in && p->cb.srtp_in(p->user, p, in, len)) return;
  uint8_t *scratch = p->env->scratch;
  size_t n = len;
  memcpy(scratch, in, n);
  SV_STAT_ADD(st, bytes_in, n);
  if (sv_pkt_classify(in, len) == SV_PKT_RTCP) {
    if (sv_srtp_unprotect_rtcp(&p->srtp, scratch, &n) != 0) {
      SV_STAT_ADD(st, dropped_malformed, 1);
      return;
    }
    SV_STAT_ADD(st, rtcp_in, 1);
    p->cb.rtcp(p->user, p, scratch, n);
  } else {
    if (sv_srtp_unprotect_rtp(&p->srtp, scratch, &n) != 0) {
      SV_STAT_ADD(st, dropped_malformed, 1);
      return;
    }
    SV_STAT_ADD(st, rtp_in, 1);
    p->cb.rtp(p->user, p, scratch, n);
  }
}

sv_peer *sv_peer_new(const sv_peer_env *env, bool controlling, const sv_peer_callbacks *cb,
                     void *user, int *err) {
  sv_peer *p = g_new0(sv_peer, 1);
  p->env = env;
  p->cb = *cb;
  p->user = user;
  p->held = g_ptr_array_new_with_free_func(g_free);
  p->state = SV_PC_STATE_NEW;
  p->send_fd = -1;
  p->agent =
      nice_agent_new_full(env->ctx, NICE_COMPATIBILITY_RFC5245, NICE_AGENT_OPTION_ICE_TRICKLE);
  SV_STAT_ADD(env->stats, peers, 1);
  /* No UPnP: a relay has no NAT router to open ports on, and libnice would
   * otherwise multicast an SSDP search for every PeerConnection. */
  g_object_set(p->agent, "controlling-mode", controlling ? TRUE : FALSE, "ice-tcp", FALSE,
               "ice-udp", TRUE, "upnp", FALSE, NULL);
  if (env->ice_addresses) {
    for (char **a = env->ice_addresses; *a; a++) {
      NiceAddress addr;
      nice_address_init(&addr);
      if (nice_address_set_from_string(&addr, *a)) nice_agent_add_local_address(p->agent, &addr);
    }
  }
  p->stream = nice_agent_add_stream(p->agent, 1);
  if (env->port_min && env->port_max)
    nice_agent_set_port_range(p->agent, p->stream, 1, env->port_min, env->port_max);
  g_signal_connect(p->agent, "new-candidate-full", G_CALLBACK(on_new_candidate), p);
  g_signal_connect(p->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done), p);
  g_signal_connect(p->agent, "component-state-changed", G_CALLBACK(on_component_state), p);
  g_signal_connect(p->agent, "new-selected-pair-full", G_CALLBACK(on_selected_pair), p);
  g_signal_connect(p->agent, "new-remote-candidate-full", G_CALLBACK(on_remote_candidate), p);
  nice_agent_attach_recv(p->agent, p->stream, 1, env->ctx, on_recv, p);
  nice_agent_get_local_credentials(p->agent, p->stream, &p->ufrag, &p->pwd);
  if (env->ice_tcp) {
    p->tcp = sv_tcpbridge_new(env->ctx, env->stats, env->port_min, env->port_max);
    sv_tcpbridge_set_ufrag(p->tcp, p->ufrag);
  }
  if (!nice_agent_gather_candidates(p->agent, p->stream)) {
    *err = SV_EIO;
    sv_peer_free(p);
    return NULL;
  }
  sv_socksrc_quiet(env->ctx); /* the host candidates' sockets exist now */
  return p;
}

const char *sv_peer_ufrag(const sv_peer *p) {
  return p->ufrag;
}

const char *sv_peer_pwd(const sv_peer *p) {
  return p->pwd;
}

int sv_peer_set_remote(sv_peer *p, const char *ufrag, const char *pwd, const char *fingerprint,
                       bool dtls_client) {
  if (p->remote_set) return strcmp(ufrag, p->remote_ufrag) == 0 ? 0 : SV_EUNSUPP;
  if (p->dtls && strcmp(fingerprint, p->remote_fingerprint) != 0) return SV_EUNSUPP;
  if (!nice_agent_set_remote_credentials(p->agent, p->stream, ufrag, pwd)) return SV_EINVAL;
  g_strlcpy(p->remote_ufrag, ufrag, sizeof p->remote_ufrag);
  p->remote_set = true;
  if (p->dtls) return 0; /* after an ICE restart: DTLS and SRTP carry on */
  g_strlcpy(p->remote_fingerprint, fingerprint, sizeof p->remote_fingerprint);
  p->dtls_client = dtls_client;
  static const sv_dtls_callbacks dcb = {on_dtls_send, on_dtls_connected, on_dtls_failed};
  p->dtls = sv_dtls_new(p->env->identity, p->env->ctx, fingerprint, &dcb, p);
  if (!dtls_client) sv_dtls_start(p->dtls, false);
  set_state(p, SV_PC_STATE_CONNECTING, NULL);
  return 0;
}

int sv_peer_restart_ice(sv_peer *p) {
  /* Nothing negotiated yet, or already given up (the client rejoins). */
  if ((!p->remote_set && !p->dtls) || p->state == SV_PC_STATE_FAILED ||
      p->state == SV_PC_STATE_CLOSED)
    return SV_ESTATE;
  if (!nice_agent_restart_stream(p->agent, p->stream)) return SV_EIO;
  unguard(p); /* until ICE selects again */
  g_free(p->ufrag);
  g_free(p->pwd);
  p->ufrag = p->pwd = NULL;
  nice_agent_get_local_credentials(p->agent, p->stream, &p->ufrag, &p->pwd);
  if (p->tcp) sv_tcpbridge_set_ufrag(p->tcp, p->ufrag);
  p->remote_set = false;
  p->remote_ufrag[0] = '\0';
  /* The client drops candidates of the old generation: announce them again,
   * after the SDP that carries the new credentials. */
  p->released = false;
  g_ptr_array_set_size(p->held, 0);
  GSList *cands = nice_agent_get_local_candidates(p->agent, p->stream, 1);
  for (GSList *i = cands; i; i = i->next)
    announce(p, i->data);
  g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
  if (p->gathering_done) emit_candidate(p, "");
  return 0;
}

int sv_peer_add_remote_candidate(sv_peer *p, const char *candidate) {
  if (!candidate || !*candidate) {
    nice_agent_peer_candidate_gathering_done(p->agent, p->stream);
    return 0;
  }
  gchar *line =
      g_str_has_prefix(candidate, "a=") ? g_strdup(candidate) : g_strconcat("a=", candidate, NULL);
  NiceCandidate *c = nice_agent_parse_remote_candidate_sdp(p->agent, p->stream, line);
  g_free(line);
  if (!c) return SV_EINVAL;
  GSList *list = g_slist_append(NULL, c);
  int n = nice_agent_set_remote_candidates(p->agent, p->stream, 1, list);
  g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
  if (n == 1 && p->guarding) guard(p);
  return n == 1 ? 0 : SV_EINVAL;
}

void sv_peer_release_candidates(sv_peer *p) {
  if (p->released) return;
  p->released = true;
  for (guint i = 0; i < p->held->len; i++)
    p->cb.candidate(p->user, p, g_ptr_array_index(p->held, i));
  g_ptr_array_set_size(p->held, 0);
}

sv_srtp_profile sv_peer_srtp_profile(const sv_peer *p) {
  return p->profile;
}

sv_pc_state sv_peer_state(const sv_peer *p) {
  return p->state;
}

int sv_peer_send_rtp(sv_peer *p, uint8_t *buf, size_t len) {
  if (p->state != SV_PC_STATE_CONNECTED) return SV_ESTATE;
  if (sv_srtp_protect_rtp(&p->srtp, buf, &len) != 0) return SV_EIO;
  if (transmit(p, buf, len) < 0) return SV_EIO;
  SV_STAT_ADD(p->env->stats, rtp_out, 1);
  SV_STAT_ADD(p->env->stats, bytes_out, len);
  return 0;
}

int sv_peer_send_rtcp(sv_peer *p, uint8_t *buf, size_t len) {
  if (p->state != SV_PC_STATE_CONNECTED) return SV_ESTATE;
  if (sv_srtp_protect_rtcp(&p->srtp, buf, &len) != 0) return SV_EIO;
  if (transmit(p, buf, len) < 0) return SV_EIO;
  SV_STAT_ADD(p->env->stats, rtcp_out, 1);
  SV_STAT_ADD(p->env->stats, bytes_out, len);
  return 0;
}

int sv_peer_unprotect_rtp(sv_peer *p, uint8_t *buf, size_t *len) {
  if (!sv_srtp_ready(&p->srtp)) return SV_ESTATE;
  return sv_srtp_unprotect_rtp(&p->srtp, buf, len);
}

int sv_peer_send_raw(sv_peer *p, const uint8_t *buf, size_t len) {
  if (p->state != SV_PC_STATE_CONNECTED) return SV_ESTATE;
  if (transmit(p, buf, len) < 0) return SV_EIO;
  return 0;
}

void sv_peer_free(sv_peer *p) {
  if (!p) return;
  /* DTLS first: its close_notify still goes out through the agent. */
  sv_dtls_free(p->dtls);
  p->dtls = NULL;
  sv_srtp_stop(&p->srtp);
  sv_tcpbridge_free(p->tcp);
  unguard(p);
  if (p->watched.data) g_queue_unlink(&p->env->watch->peers, &p->watched);
  if (p->agent) {
    nice_agent_attach_recv(p->agent, p->stream, 1, p->env->ctx, NULL, NULL);
    g_signal_handlers_disconnect_by_data(p->agent, p);
    if (p->stream) nice_agent_remove_stream(p->agent, p->stream);
    g_object_unref(p->agent);
    SV_STAT_SUB(p->env->stats, peers, 1);
    sv_fastpoll_touch(); /* its sockets are closed */
  }
  g_free(p->ufrag);
  g_free(p->pwd);
  g_ptr_array_unref(p->held);
  g_free(p);
}
