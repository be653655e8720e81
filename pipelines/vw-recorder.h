/* vw-recorder.h: one received track recorded as it arrives, without
 * re-encoding, in WebM chunks of at most 10 s.
 *
 * A branch on the track's tee: queue -> depayloader -> splitmuxsink
 * (webmmux).  A chunk is finished (indexed, with its duration) when the
 * next one starts, so a crash loses at most the chunk being written.
 * Every finished chunk is reported with its SHA-256.  A recording that
 * fails (the disk full) stops on its own, with an error on the bus; the
 * tee never hears of it, so the call goes on.  A building block for
 * the hub's recording (issue 4): the owner forwards its bus messages to
 * vw_recorder_handle_message().
 */
#pragma once

#include <gst/gst.h>
#include "vw-protocol.h"

G_BEGIN_DECLS

#define VW_RECORDER_CHUNK_SECONDS 10

typedef struct _VwRecorder VwRecorder;

typedef struct {
  const char *path;          /* DIR/PREFIX-NNNNN.webm */
  guint index;               /* from 0 */
  const char *sha256;        /* of the finished file */
  gint64 size;
  gint64 duration_ms;        /* as a player sees it (the file's own Duration) */
} VwRecorderChunk;

typedef void (*VwRecorderChunkFunc) (VwRecorder *recorder,
                                     const VwRecorderChunk *chunk,
                                     gpointer user_data);

/* Starts recording what @tee carries (RTP of @kind: VP8 or Opus) into
 * @dir/@prefix-NNNNN.webm, inside @bin, in chunks of @chunk_seconds
 * (VW_RECORDER_CHUNK_SECONDS in the hub).  (transfer full) */
VwRecorder *vw_recorder_new (GstBin *bin, GstElement *tee, VwTrackKind kind,
                             const char *dir, const char *prefix,
                             guint chunk_seconds, VwRecorderChunkFunc func,
                             gpointer user_data, GError **error);
/* @func runs on the recorder's main context whenever the recording needs
 * a keyframe now (a packet was lost, so the picture can only resume at
 * one), at most every 500 ms: the owner asks the sender by the fastest way
 * it has.  Requests for a later time (splitmuxsink's own) are left to RTCP. */
typedef void (*VwRecorderKeyframeFunc) (gpointer user_data);
void        vw_recorder_set_keyframe_func (VwRecorder *recorder,
                                           VwRecorderKeyframeFunc func,
                                           gpointer user_data);
/* Finishes the chunk being written (EOS); that last chunk is reported like
 * the others, then vw_recorder_is_finished() turns TRUE. */
void        vw_recorder_stop (VwRecorder *recorder);
gboolean    vw_recorder_is_finished (VwRecorder *recorder);
/* (nullable) Why the recording stopped by itself (an error of one of its
 * elements, e.g. the disk full): from then on it records nothing. */
const GError *vw_recorder_get_error (VwRecorder *recorder);
/* TRUE if @message was the recorder's (a finished chunk, or an error of
 * one of its elements). */
gboolean    vw_recorder_handle_message (VwRecorder *recorder, GstMessage *message);
/* Removes the branch; stop it first, or the open chunk is lost. */
void        vw_recorder_free (VwRecorder *recorder);

G_END_DECLS
