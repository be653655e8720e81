/* vw-media.h: building blocks for sending and receiving tracks.
 *
 * Sending: a source (test pattern, the system default device, or any
 * GStreamer description), the encoding profile of its kind, and the RTP
 * payloader, in one bin with a single "src" pad carrying RTP.
 * Receiving: depayload and decode into a display or a fake sink.
 */
#pragma once

#include <gst/gst.h>
#include "vw-protocol.h"

G_BEGIN_DECLS

#define VW_MEDIA_ERROR (vw_media_error_quark ())
GQuark vw_media_error_quark (void);

typedef enum {
  VW_MEDIA_ERROR_BAD_SOURCE,
} VwMediaError;

/* How a kind of video is encoded. */
typedef struct {
  guint max_long_side; /* keep the source's size up to this; 0: fixed size */
  guint width;         /* fixed size (max_long_side == 0) */
  guint height;
  guint fps;           /* at most */
  guint bitrate;       /* bits per second, by default */
  const char *tuning;  /* extra vp8enc properties */
} VwVideoProfile;

const VwVideoProfile *vw_video_profile_for_kind (VwTrackKind kind);

/* RTP caps of a track of @kind with payload type @pt (VP8 or Opus). (transfer full) */
GstCaps *vw_rtp_caps_new (VwTrackKind kind, guint pt);

/* A bin producing RTP for @kind from @spec (see vw-sources.h), encoded
 * with the kind's profile at @bitrate (0: the profile's).  With @timecode,
 * every video frame carries its capture time (see vw-timecode.h).  Inside,
 * the source is named "source" (its src pad carries the raw frames at the
 * source's full resolution) and the encoder "encoder". (transfer floating) */
GstElement *vw_send_bin_new (VwTrackKind kind, const char *spec, guint pt,
                             guint bitrate, gboolean timecode, GError **error);

/* A bin with a "sink" pad taking RTP of @kind and decoding it into a window
 * (@display) or a fake sink.  The decoded data passes the src pad of the
 * element named "decoded" inside the bin, where callers put probes.
 * (transfer floating) */
GstElement *vw_recv_bin_new (VwTrackKind kind, gboolean display);

/* Detaches a branch fed by @tee_pad (a tee's request pad) while data may be
 * flowing: from now on everything for the branch is dropped at @tee_pad,
 * which stays on the tee, idle.  Releasing the pad instead would race with
 * a buffer being pushed: the tee would return FLUSHING or NOT_LINKED to the
 * jitter buffer feeding it, which passes it upstream into the connection's
 * single bundled receive path and stops every other track of it too.
 * Then the branch's elements can be set to NULL and removed. */
void vw_media_detach_branch (GstPad *tee_pad);

/* Takes @element (a branch's last element, e.g. the queue that feeds a
 * webrtcbin) out of @bin without waiting for its streaming thread: its src
 * pad is unlinked and drops everything from now on, and the element is set
 * to NULL and removed from @bin on a thread of its own.  Its thread may be
 * held inside the element downstream (webrtcbin holds a sink pad until its
 * m-line is negotiated, and every packet until DTLS is connected), and
 * stopping it from the main loop would wait for that, however long; this
 * way it ends when downstream lets it go, or closes. */
void vw_media_retire_element (GstBin *bin, GstElement *element);

/* Loads the codec and WebRTC plugins and makes the process's DTLS
 * certificate (an RSA key: 100-300 ms) in a background thread, so the first
 * call does not wait for them.  @done (nullable) runs on the caller's main
 * context when everything is ready. */
void vw_media_prewarm (GSourceFunc done, gpointer user_data);

G_END_DECLS
