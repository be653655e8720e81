/* vw-store-recordings.h: recorded tracks and their chunk files (schema
 * version 2; see vw-store.h for the conventions).
 *
 * A track is what one participant sent of one kind in one session; its
 * chunks are WebM files of at most 10 s under DATA_DIR/TRACK.dir, written
 * by the hub, each indexed here when finished (with its SHA-256) and never
 * changed.  A chunk "recovered" was indexed at start-up after a crash. */
#pragma once

#include "vw-store.h"

G_BEGIN_DECLS

typedef struct {
  gint64 id;             /* set by the store; ignored by add */
  char *session_id;
  char *peer_id;
  char *kind;            /* "audio", "camera", "screen", "document" */
  char *codec;           /* "VP8" or "OPUS" */
  char *dir;             /* relative to the data directory */
  gint64 offset_ms;      /* start on the session's timeline */
  gint64 started_at;
  gint64 ended_at;       /* 0 while recording */
  gint64 purged_at;      /* 0 unless retention removed its files */
} VwStoreTrack;

typedef struct {
  gint64 track_id;
  guint seq;             /* from 0 */
  char *path;            /* relative to the data directory */
  char *sha256;          /* 64 lowercase hex digits */
  gint64 size;           /* bytes, > 0 */
  gint64 duration_ms;
  gboolean recovered;
  gint64 closed_at;
} VwStoreChunk;

void vw_store_track_free (VwStoreTrack *track);
void vw_store_chunk_free (VwStoreChunk *chunk);

/* Records a track of an open session; its id goes to @id_out.  A
 * participant may have several of one kind (a share stopped and started
 * again).  NOT_FOUND for an unknown session, CONFLICT if it is not open. */
gboolean vw_store_add_track (VwStore *store, const VwStoreTrack *track,
                             gint64 *id_out, GError **error);
gboolean vw_store_track_ended (VwStore *store, gint64 track_id, gint64 at,
                               GError **error);
/* Indexes a finished chunk.  CONFLICT if @seq is indexed already. */
gboolean vw_store_add_chunk (VwStore *store, const VwStoreChunk *chunk,
                             GError **error);

/* (transfer full) VwStoreTrack* of the session, by offset then id. */
GPtrArray *vw_store_list_tracks (VwStore *store, const char *session_id,
                                 GError **error);
VwStoreTrack *vw_store_get_track (VwStore *store, gint64 track_id, GError **error);
/* (transfer full) VwStoreChunk* of the track, by seq. */
GPtrArray *vw_store_list_chunks (VwStore *store, gint64 track_id, GError **error);

/* Recovery: (transfer full) VwStoreTrack* never ended, of sessions no
 * longer open (a crash cut them off). */
GPtrArray *vw_store_list_unfinished_tracks (VwStore *store, GError **error);

/* Retention: (transfer full) VwStoreTrack* not purged of sessions that
 * ended before @before_ms. */
GPtrArray *vw_store_list_expired_tracks (VwStore *store, gint64 before_ms,
                                         GError **error);
/* The track's files are gone: its chunk rows are deleted, purged_at set. */
gboolean vw_store_track_purged (VwStore *store, gint64 track_id, gint64 at,
                                GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreTrack, vw_store_track_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreChunk, vw_store_chunk_free)

G_END_DECLS
