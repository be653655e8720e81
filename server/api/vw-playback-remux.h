/* vw-playback-remux.h: a track's chunk files joined into one WebM, without
 * re-encoding (used by vw-playback.c in its worker thread).
 *
 * Each chunk is read on its own, in order (filesrc ! matroskademux !
 * appsink), and its buffers are pushed from this thread into one webmmux
 * (not streamable, offset-to-zero) ! filesink.  The chunks keep the
 * recording's running time, so their time stamps simply continue; a chunk
 * that would go back in time (a recording restarted) is moved to just
 * after the one before.  Only one chunk file is open at a time.
 *
 * Why not splitmuxsrc: in GStreamer 1.22 it opens and prepares every
 * chunk at once (a two-hour track is 720 demuxers with their threads),
 * and its part reader can deadlock: the seek that measures a chunk's end
 * is made from gst_element_call_async(); when the machine is busy and the
 * chunk is short, the chunk is read to its end before that seek runs, the
 * part is activated, and the late seek then flushes the activated part;
 * splitmuxsrc's source pad task pauses on the flush and nothing restarts
 * it, so the remux never ends (seen in the browser test under load, and
 * reproduced with 3 x 300 rounds of five concurrent remuxes: 3 hangs). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes the streams of @chunk_paths (one stream, the same codec in every
 * chunk) into @out_path.  FALSE with a VW_PLAYBACK_ERROR_REMUX error if a
 * chunk cannot be read or the file cannot be written. */
gboolean vw_playback_remux (const char *const *chunk_paths, const char *out_path,
                            GError **error);

G_END_DECLS
