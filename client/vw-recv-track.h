/* vw-recv-track.h: one remote track being received: decoded into a window
 * or a fake sink, counted, and reported (first-frame, first-audio, latency).
 *
 * Counters are written on streaming threads and read on the main context;
 * events are emitted on the main context that created the track.
 */
#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include "vw-protocol.h"

G_BEGIN_DECLS

typedef struct _VwRecvTrack VwRecvTrack;

/* Decodes what @tee carries (RTP of @kind from @peer on @mid) inside
 * @pipeline.  (transfer full) */
VwRecvTrack *vw_recv_track_new (GstBin *pipeline, GstElement *tee, VwTrackKind kind,
                                const char *peer, const char *mid,
                                gboolean display, gboolean timecode);
/* Unlinks and removes the track's elements, then drops the reference. */
void         vw_recv_track_stop (VwRecvTrack *track);

VwTrackKind  vw_recv_track_get_kind (VwRecvTrack *track);
const char  *vw_recv_track_get_mid (VwRecvTrack *track);
/* {track, peer, mid}. (transfer full) */
JsonObject  *vw_recv_track_describe (VwRecvTrack *track);
/* describe() plus frames, bytes and width/height or peak_db (the loudest
 * sample since the last call). (transfer full) */
JsonObject  *vw_recv_track_get_stats (VwRecvTrack *track);

/* Asks the sender for a keyframe by RTCP PLI (video only). */
gboolean     vw_recv_track_request_keyframe (VwRecvTrack *track);
/* Writes the latest decoded frame as PNG. */
gboolean     vw_recv_track_save_frame (VwRecvTrack *track, const char *path,
                                       guint *width, guint *height, GError **error);

G_END_DECLS
