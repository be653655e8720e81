/* vw-hub.h: the media hub.
 *
 * One webrtcbin per participant; every track a participant sends is
 * forwarded, as RTP without decoding, to the other participants of its
 * session.  Keyframe requests (PLI) from receivers travel back to the sender.
 *
 * The boundary: session logic talks to the hub only in protocol messages.
 * It passes a participant's media messages (publish, answer, ice) to
 * vw_hub_handle_message(); the hub sends offers and candidates back through
 * the send callback, and reports a participant whose media failed.  That is
 * the seam along which the hub can later move to a process of its own.
 */
#pragma once

#include <glib.h>
#include "vw-protocol.h"

G_BEGIN_DECLS

typedef struct _VwHub VwHub;

typedef struct {
  /* A message (offer, ice) for @peer. */
  void (*send) (const char *peer, VwMessage *msg, gpointer user_data);
  /* @peer's media connection failed or could not be negotiated. */
  void (*media_failed) (const char *session, const char *peer,
                        const GError *error, gpointer user_data);
  /* (nullable) @peer's media started: it has published and its media
   * connection with the hub is up (connected) for the first time.  Once
   * per participant, and once again after every
   * vw_hub_reset_participant(); never for a viewer. */
  void (*media_started) (const char *session, const char *peer,
                         gpointer user_data);
  /* (nullable) @peer's established media connection was lost: ICE
   * failed, or it stayed disconnected for VW_HUB_DISCONNECTED_GRACE_MS
   * (consent lost).  Called from the main loop, never from inside the
   * connection's own signals, so the receiver may reset the participant.
   * NULL: media_failed is called instead. */
  void (*media_lost) (const char *session, const char *peer, gpointer user_data);
  /* A snapshot asked for by @by arrived whole from @from and is kept at
   * @path (under the data directory) as evidence; then it goes to @by. */
  void (*snapshot_stored) (const char *session, const char *snapshot,
                           const char *path, const char *sha256, gsize size,
                           guint width, guint height, const char *by,
                           const char *from, gpointer user_data);
  /* Recording (when VwHubConfig.record): @peer's track of @kind is being
   * recorded since @at_ms (unix ms) as @recording, into the directory @dir
   * (relative to the data directory). */
  void (*recording_started) (const char *session, const char *peer,
                             const char *recording, VwTrackKind kind,
                             const char *dir, gint64 at_ms, gpointer user_data);
  /* A chunk of @recording is finished: @path (relative to the data
   * directory) will not change again. */
  void (*chunk_recorded) (const char *recording, guint seq, const char *path,
                          const char *sha256, gint64 size, gint64 duration_ms,
                          gpointer user_data);
  /* @recording is complete (its last chunk was reported), or was cut off
   * (@complete FALSE: its open chunk is lost). */
  void (*recording_stopped) (const char *recording, gint64 at_ms,
                             gboolean complete, gpointer user_data);
  /* (nullable) @recording failed by itself (@reason, e.g. the disk full)
   * and is cut off; recording_stopped follows.  The call goes on. */
  void (*recording_failed) (const char *session, const char *peer,
                            const char *recording, VwTrackKind kind,
                            const char *reason, gint64 at_ms, gpointer user_data);
} VwHubCallbacks;

typedef struct {
  guint latency_ms;            /* receive jitter buffer of the hub */
  const char *ice_address;     /* (nullable) gather ICE candidates here only */
  gboolean ice_tcp;            /* also offer passive TCP candidates (ICE-TCP) */
  guint ice_port_min, ice_port_max;   /* media ports from this range; 0: any */
  const char *data_dir;        /* snapshots go to DATA_DIR/sessions/ID/snapshots,
                                * recordings to DATA_DIR/sessions/ID/recording */
  gboolean record;             /* record every track, as it arrives */
  guint chunk_seconds;         /* 0: VW_RECORDER_CHUNK_SECONDS */
} VwHubConfig;

/* (transfer full) */
VwHub   *vw_hub_new (const VwHubConfig *config, const VwHubCallbacks *callbacks,
                     gpointer user_data);
void     vw_hub_free (VwHub *hub);

/* Adds @peer to @session (created on first use).  Its slot in the session
 * (and so its payload types) is its join order. */
gboolean vw_hub_join (VwHub *hub, const char *session, const char *peer,
                      GError **error);
/* Adds @peer to the running @session receive-only: it is offered every
 * track of the others and sends nothing (a supervisor watching live).  The
 * others' connections do not change.  UNKNOWN_SESSION if the hub does not
 * carry @session. */
gboolean vw_hub_join_viewer (VwHub *hub, const char *session, const char *peer,
                             GError **error);
/* A media message (publish, answer, ice, snapshot-request) from @peer.
 * Errors are VW_PROTOCOL_ERROR codes (BAD_SDP, WRONG_STATE, BAD_FIELD,
 * NO_DOCUMENT_CAMERA). */
gboolean vw_hub_handle_message (VwHub *hub, const char *peer, VwMessage *msg,
                                GError **error);
/* Issue 12, drop-outs: drops @peer's media connection and makes a new,
 * idle one in its place (webrtcbin 1.22 has no ICE restart), with the same
 * m-lines (the same payload types).  Its tracks stop being forwarded; the
 * others' m-lines for them stay as negotiated, and once @peer publishes and
 * answers again its new streams go out on those same lines.  The others'
 * connections are not touched.  Recordings of its tracks stop (a new one
 * starts when its stream is back).  FALSE if @peer has no media session
 * or is a viewer. */
gboolean vw_hub_reset_participant (VwHub *hub, const char *peer);
/* How long a connection may stay "disconnected" before media_lost. */
#define VW_HUB_DISCONNECTED_GRACE_MS 5000
/* For /api/metrics and leak checks: participants, sessions and webrtcbin
 * elements alive in the hub. */
void     vw_hub_get_counts (VwHub *hub, guint *participants, guint *sessions,
                            guint *webrtcbins);
/* @peer leaves; its tracks stop being forwarded. */
void     vw_hub_leave (VwHub *hub, const char *peer);
/* Finishes every recording still writing its last chunk, running the
 * default main context for at most @timeout_ms.  FALSE if some were cut. */
gboolean vw_hub_flush_recordings (VwHub *hub, guint timeout_ms);
/* Number of participants in @session. */
guint    vw_hub_get_n_participants (VwHub *hub, const char *session);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwHub, vw_hub_free)

G_END_DECLS
