/* vw-hub-loss.c: what loss recovery did on a participant's connection,
 * logged when it ends (see vw_peer_get_loss_stats()). */
#include "vw-hub-private.h"

void
vw_hub_log_loss (Participant *p)
{
  VwPeerLossStats st;
  vw_peer_get_loss_stats (p->peer, &st);
  g_message ("media %s: asked for %" G_GUINT64_FORMAT " retransmissions, got %"
      G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " in time), lost %" G_GUINT64_FORMAT
      " (%" G_GUINT64_FORMAT " came late); was asked for %" G_GUINT64_FORMAT ", retransmitted %" G_GUINT64_FORMAT,
      p->id, st.nacks_sent, st.rtx_received, st.recovered, st.lost, st.late,
      st.nacks_received, st.rtx_sent);
}
