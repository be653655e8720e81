/* vw-send-track.h: one of our tracks being sent: a source, its kind's
 * encoding profile and the payloader, linked to a webrtcbin sink pad.
 * Counts what the encoder makes (frames, keyframes) and can grab the next
 * raw frame at the source's full resolution (for snapshots).
 */
#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include "vw-protocol.h"

G_BEGIN_DECLS

typedef struct _VwSendTrack VwSendTrack;

/* Builds the track (not yet running).  NULL with an error if @spec does not
 * build.  (transfer full) */
VwSendTrack *vw_send_track_new (VwTrackKind kind, const char *spec, guint pt,
                                guint bitrate, gboolean timecode, GError **error);
/* Adds the track to @pipeline, links it to @sink and starts it. */
void         vw_send_track_start (VwSendTrack *track, GstBin *pipeline, GstPad *sink);
/* Stops the source and removes the track; @sink stays for a later track. */
void         vw_send_track_free (VwSendTrack *track);

VwTrackKind  vw_send_track_get_kind (VwSendTrack *track);
/* {track, frames[, keyframes]}. (transfer full) */
JsonObject  *vw_send_track_get_stats (VwSendTrack *track);
void         vw_send_track_force_keyframe (VwSendTrack *track);

/* Calls @func on the main context with the next raw frame from the source,
 * at the source's full resolution, before any scaling or encoding. */
typedef void (*VwGrabFunc) (GstSample *sample, gpointer user_data);
void         vw_send_track_grab_next_frame (VwSendTrack *track, VwGrabFunc func,
                                            gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwSendTrack, vw_send_track_free)

G_END_DECLS
