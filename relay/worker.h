/*
 * worker.h — relay worker threads and the messages between them and the
 * main thread. Private to relay/.
 *
 * main → worker: sv_work, queued FIFO in the worker's inbox; one invoke on
 * the worker's GMainContext per message pops exactly one, so messages for a
 * room are handled in the order the signalling layer sent them.
 * worker → main: sv_event, the same scheme on the relay's outbox.
 */
#ifndef SV_WORKER_H
#define SV_WORKER_H

#include "relay/relay.h"
#include "relay/router.h"
#include "relay/stats.h"

typedef enum {
  SV_WORK_JOIN,
  SV_WORK_LEAVE,
  SV_WORK_PUBLISH,
  SV_WORK_SUBSCRIBE_ANSWER,
  SV_WORK_CANDIDATE,
  SV_WORK_STOP,
  SV_WORK_TAP_START,
  SV_WORK_TAP_STOP,
  SV_WORK_KEYFRAME,
  SV_WORK_ICE_RESTART,
  SV_WORK_MAX_LAYER,     /* text: the publisher; value: the layer */
  SV_WORK_AUDIO_ONLY,    /* value: on (1) or off (0) */
  SV_WORK_ALLOW_PUBLISH, /* value: SV_ROUTER_ALLOW_* bits */
  SV_WORK_STOP_SCREEN,
} sv_work_type;

typedef struct sv_work {
  sv_work_type type;
  char room[SV_RELAY_ID_MAX];
  char participant[SV_RELAY_ID_MAX];
  int64_t request;
  uint32_t rev;
  sv_pc_kind pc;
  int value;
  char *text;         /* SDP or candidate, owned */
  struct sv_tap *tap; /* TAP_START: a reference, owned */
} sv_work;

typedef enum {
  SV_EV_PUBLISH_ANSWER,
  SV_EV_SUBSCRIBE_OFFER,
  SV_EV_CANDIDATE,
  SV_EV_PC_STATE,
  SV_EV_ERROR,
  SV_EV_QUALITY,
  SV_EV_VIDEO_PAUSED,
  SV_EV_LAYERS,
  SV_EV_SCREEN, /* state: 1 on, 0 off */
} sv_event_type;

typedef struct sv_event {
  sv_event_type type;
  char room[SV_RELAY_ID_MAX];
  char participant[SV_RELAY_ID_MAX];
  int64_t request;
  int err;
  uint32_t rev;
  sv_pc_kind pc;
  sv_pc_state state;
  char *text;    /* SDP, candidate or paused publishers, owned */
  char *message; /* owned */
  char mid[16];
  sv_relay_track *tracks; /* owned */
  size_t n_tracks;
  sv_relay_quality quality;
  sv_relay_layer layers[SV_RELAY_MAX_LAYERS];
  size_t n_layers;
} sv_event;

/* The outbox is shared by the workers and the main thread; refcounted so a
 * queued invoke never outlives it. */
typedef struct sv_outbox {
  gint ref;
  gint closed;
  GAsyncQueue *queue;
  GMainContext *main_ctx;
  sv_relay_events ev;
  void *user;
} sv_outbox;

typedef struct sv_worker {
  int index;
  GThread *thread;
  GMainContext *ctx;
  GMainLoop *loop;
  GAsyncQueue *inbox;
  GHashTable *rooms; /* room id → sv_router*, worker thread only */
  sv_outbox *outbox;
  sv_peer_env env;
  const sv_router_config *rcfg;
  sv_stats_block stats;
  uint8_t scratch[SV_PEER_SCRATCH];
  uint8_t scratch_out[SV_PEER_SCRATCH + 160];
  int placed_rooms; /* main thread only: rooms placed here */
} sv_worker;

/* Starts the thread. env fields other than ctx/scratch/stats are copied in
 * by the caller before. Returns 0 or SV_EIO. */
int sv_worker_start(sv_worker *w);
/* Sends STOP, joins the thread and frees everything the worker owns. */
void sv_worker_stop(sv_worker *w);
/* Queues msg (taking ownership) for the worker. */
void sv_worker_post(sv_worker *w, sv_work *msg);

void sv_outbox_post(sv_outbox *ob, sv_event *ev);
void sv_event_free(sv_event *ev);

#endif
