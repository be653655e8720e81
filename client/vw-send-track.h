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
/* {track, frames, bytes[, keyframes, target-bitrate, fps]}: bytes are the
 * encoder's output. (transfer full) */
JsonObject  *vw_send_track_get_stats (VwSendTrack *track);

/* How a video track of @kind sends under a cap of @max_bitrate (bits per
 * second; 0: no cap), given the track's own rate @base_bitrate (its
 * profile's or configured) and its frame rate now @fps (for hysteresis):
 * the encoder's target bit rate and the frame rate.  Below a share of the
 * base rate the frame rate steps down; the resolution never changes (the
 * document track keeps its sharpness).  Pure. */
void         vw_send_track_rate_for_cap (VwTrackKind kind, guint base_bitrate,
                                         guint max_bitrate, guint fps,
                                         guint *target_bitrate, guint *target_fps);
/* The hub's cap ("bitrate" message): sets the encoder's target bit rate
 * and frame rate live (see vw_send_track_rate_for_cap ()) and emits a
 * "bitrate" event.  No effect on audio. */
void         vw_send_track_set_max_bitrate (VwSendTrack *track, guint max_bitrate);
void         vw_send_track_force_keyframe (VwSendTrack *track);

/* Calls @func on the main context with the next raw frame from the source,
 * at the source's full resolution, before any scaling or encoding. */
typedef void (*VwGrabFunc) (GstSample *sample, gpointer user_data);
void         vw_send_track_grab_next_frame (VwSendTrack *track, VwGrabFunc func,
                                            gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwSendTrack, vw_send_track_free)

G_END_DECLS
