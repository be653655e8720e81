/* vw-snapshots.h: the client's part in snapshots and annotations.
 *
 * Sending: on the hub's snapshot-requested, grab the next raw frame of our
 * document camera at full resolution, encode it losslessly (PNG), keep a
 * copy in the save directory and send it over the data channel with its
 * SHA-256.  Receiving: files on the data channel land in the save
 * directory only when whole and hash-checked.  Annotations received for a
 * snapshot we sent are drawn onto our copy (a rectangle and its note).
 * Every step is an event line: snapshot-sent, snapshot-saved,
 * snapshot-stored, annotation; failures are "error" events.
 */
#pragma once

#include "vw-peer.h"
#include "vw-send-track.h"

G_BEGIN_DECLS

typedef struct _VwSnapshots VwSnapshots;

/* With @display, annotated pages are also shown in a window. (transfer full) */
VwSnapshots *vw_snapshots_new (VwPeer *peer, const char *save_dir, gboolean display);
void         vw_snapshots_free (VwSnapshots *snapshots);

/* snapshot-requested: @document is our document camera track, or NULL. */
void         vw_snapshots_send (VwSnapshots *snapshots, const char *id,
                                VwSendTrack *document);
/* annotation for snapshot @id: rectangle and note. */
void         vw_snapshots_annotate (VwSnapshots *snapshots, const char *id,
                                    guint x, guint y, guint w, guint h,
                                    const char *note);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwSnapshots, vw_snapshots_free)

G_END_DECLS
