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
  /* A snapshot asked for by @by arrived whole from @from and is kept at
   * @path (under the data directory) as evidence; then it goes to @by. */
  void (*snapshot_stored) (const char *session, const char *snapshot,
                           const char *path, const char *sha256, gsize size,
                           guint width, guint height, const char *by,
                           const char *from, gpointer user_data);
} VwHubCallbacks;

typedef struct {
  guint latency_ms;            /* receive jitter buffer of the hub */
  const char *ice_address;     /* (nullable) gather ICE candidates here only */
  const char *data_dir;        /* snapshots go to DATA_DIR/sessions/ID/snapshots */
} VwHubConfig;

/* (transfer full) */
VwHub   *vw_hub_new (const VwHubConfig *config, const VwHubCallbacks *callbacks,
                     gpointer user_data);
void     vw_hub_free (VwHub *hub);

/* Adds @peer to @session (created on first use).  Its slot in the session
 * (and so its payload types) is its join order. */
gboolean vw_hub_join (VwHub *hub, const char *session, const char *peer,
                      GError **error);
/* A media message (publish, answer, ice, snapshot-request) from @peer.
 * Errors are VW_PROTOCOL_ERROR codes (BAD_SDP, WRONG_STATE, BAD_FIELD,
 * NO_DOCUMENT_CAMERA). */
gboolean vw_hub_handle_message (VwHub *hub, const char *peer, VwMessage *msg,
                                GError **error);
/* @peer leaves; its tracks stop being forwarded. */
void     vw_hub_leave (VwHub *hub, const char *peer);
/* Number of participants in @session. */
guint    vw_hub_get_n_participants (VwHub *hub, const char *session);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwHub, vw_hub_free)

G_END_DECLS
