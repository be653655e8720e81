/* peer-test-util.h: what the VwPeer tests share: two real webrtcbins
 * (VwPeer) in one pipeline, connected over loopback, "hub" offering and
 * "desk" answering, with their descriptions and candidates handed across;
 * and a wait on the default main context. */
#pragma once

#include "vw-peer.h"

G_BEGIN_DECLS

typedef struct {
  GstElement *pipeline;         /* owned */
  VwPeer *hub;                  /* owned: the offerer */
  VwPeer *desk;                 /* owned: the answerer */
  gboolean strip_answer_ssrcs;  /* the desk's answers lose a=ssrc and a=msid */
  guint answers;                /* answers the hub has taken */
} VwPeerPair;

/* Makes the pipeline and both peers (ICE on 127.0.0.1 only) and connects
 * them; nothing is negotiated or playing yet.  @pair must stay where it
 * is until vw_peer_pair_clear(). */
void     vw_peer_pair_init (VwPeerPair *pair);
/* Stops the pipeline and frees both peers. */
void     vw_peer_pair_clear (VwPeerPair *pair);

/* Iterates the default main context until @done (@data) or @timeout_ms;
 * returns @done's last answer. */
gboolean vw_test_iterate_until (gboolean (*done) (gpointer data), gpointer data,
                                guint timeout_ms);

G_END_DECLS
