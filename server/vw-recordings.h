/* vw-recordings.h: the server's side of recording: what the hub records is
 * indexed in the store and described by a manifest per session; what a
 * crash cut off is recovered at start-up; what is older than the retention
 * period is deleted.
 *
 * The manifest, DATA_DIR/sessions/ID/manifest.json, is rewritten whole
 * (atomically: a temporary file renamed over the old one) whenever a track
 * starts or ends or a chunk is finished:
 *
 *   { "session": ID, "case": CASE_NO, "started_at": ms, "ended_at": ms|0,
 *     "state": "open"|"ended"|"interrupted",
 *     "participants": [{"peer_id", "role", "name", "province", "center"}],
 *     "tracks": [{"id", "peer_id", "kind", "codec", "offset_ms",
 *                 "started_at", "ended_at", "dir",
 *                 "chunks": [{"seq", "path", "sha256", "size",
 *                             "duration_ms", "recovered"}]}],
 *     "recording_failures": [{"peer_id", "kind", "at", "reason"}] }
 *
 * recording_failures: the recordings that broke during the call (the
 * recording-failed events of the session's timeline).
 *
 * A manifest that cannot be written (the disk full) is written again
 * every second until it is, after the writes the store keeps in memory
 * meanwhile (vw-store.h, Durability); and again whenever such writes of
 * its session reach the store.
 *
 * Paths are relative to the data directory.  Runs on the main context.
 */
#pragma once

#include <glib.h>
#include "vw-protocol.h"
#include "vw-store.h"

G_BEGIN_DECLS

typedef struct _VwRecordings VwRecordings;

/* (transfer full) @store is borrowed and must outlive it. */
VwRecordings *vw_recordings_new (VwStore *store, const char *data_dir);
void          vw_recordings_free (VwRecordings *recordings);

/* From the hub (see VwHubCallbacks). */
void vw_recordings_started (VwRecordings *recordings, const char *session,
                            const char *peer, const char *recording,
                            VwTrackKind kind, const char *dir, gint64 at_ms);
void vw_recordings_chunk   (VwRecordings *recordings, const char *recording,
                            guint seq, const char *path, const char *sha256,
                            gint64 size, gint64 duration_ms);
void vw_recordings_stopped (VwRecordings *recordings, const char *recording,
                            gint64 at_ms, gboolean complete);

/* Rewrites the session's manifest from the store. */
gboolean vw_recordings_write_manifest (VwRecordings *recordings, const char *session,
                                       GError **error);

/* At start-up, after open sessions were marked interrupted: every chunk
 * file their tracks left on disk but not in the store is hashed and, if
 * it plays (GstDiscoverer), indexed as recovered with the duration its
 * whole blocks span (vw_webm_blocks_duration_ms); a chunk that does not
 * play, or has no whole block, is left on disk unindexed.
 * The tracks end when their session ended; the manifests are rewritten.
 * @n_chunks_out (nullable): chunks indexed. */
gboolean vw_recordings_recover (VwRecordings *recordings, guint *n_chunks_out,
                                GError **error);

/* Deletes the files of every track of a session that ended before
 * @before_ms, marks the tracks purged and writes one audit entry per
 * session ("retention-purge", with the tracks and bytes removed).
 * @n_tracks_out (nullable): tracks purged. */
gboolean vw_recordings_purge_expired (VwRecordings *recordings, gint64 before_ms,
                                      guint *n_tracks_out, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwRecordings, vw_recordings_free)

G_END_DECLS
