/* vw-playback.h: a recorded track as one WebM file, for playing back.
 *
 * The hub records a track in chunks of at most 10 s (pipelines/vw-recorder.c,
 * splitmuxsink with webmmux), each indexed in the store with its SHA-256.
 * To play a track, its chunks are first checked against their hashes (a
 * chunk that does not match is refused: VW_PLAYBACK_ERROR_TAMPERED), then
 * remuxed without re-encoding (the exact list of indexed chunks, read one
 * after the other -> webmmux, not streamable, so that the file has its
 * duration and cues; see vw-playback-remux.h) into
 * DATA_DIR/cache/playback/TRACK.webm, timestamps from 0.  The
 * file is written under a temporary name and renamed into place, so a half
 * written file is never served.
 *
 * A cached file is reused while it is newer than every chunk file and
 * every chunk still has its indexed size; a chunk changed since (a newer
 * modification time) makes it be verified and remuxed again.
 *
 * The work (hashing, remuxing) runs in a worker thread; callers on the main
 * context never block.  Nothing here touches the store: the caller reads
 * the track and its chunks first (the store is not thread-safe).
 */
#pragma once

#include <gio/gio.h>
#include "vw-store-recordings.h"

G_BEGIN_DECLS

#define VW_PLAYBACK_ERROR (vw_playback_error_quark ())
GQuark vw_playback_error_quark (void);

typedef enum {
  VW_PLAYBACK_ERROR_TAMPERED,   /* a chunk does not match its SHA-256 or size */
  VW_PLAYBACK_ERROR_MISSING,    /* a chunk file is gone */
  VW_PLAYBACK_ERROR_EMPTY,      /* the track has no chunk */
  VW_PLAYBACK_ERROR_REMUX,      /* GStreamer could not remux the chunks */
  VW_PLAYBACK_ERROR_IO,         /* the cache could not be written */
} VwPlaybackError;

/* "video/webm" or "audio/webm" for @track. */
const char *vw_playback_content_type (const VwStoreTrack *track);

/* DATA_DIR/cache/playback/TRACK.webm.  (transfer full) */
char *vw_playback_cache_path (const char *data_dir, gint64 track_id);

/* Removes the cached file of a track (none is fine): retention calls it
 * when it purges the track, so that no copy of the recording outlives it. */
gboolean vw_playback_remove_cache (const char *data_dir, gint64 track_id,
                                   GError **error);

/* Makes (or reuses) the playable file of @track from @chunks (VwStoreChunk*
 * by seq, as vw_store_list_chunks() gives them; both are copied).  Calls
 * @callback on the thread-default main context of the caller. */
void  vw_playback_prepare_async  (const char *data_dir, const VwStoreTrack *track,
                                  GPtrArray *chunks, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
/* (transfer full) the absolute path of the file, or NULL with a
 * VW_PLAYBACK_ERROR.  For TAMPERED and MISSING, @bad_seq_out (nullable)
 * gets the seq of the first chunk at fault. */
char *vw_playback_prepare_finish (GAsyncResult *result, guint *bad_seq_out,
                                  GError **error);

G_END_DECLS
