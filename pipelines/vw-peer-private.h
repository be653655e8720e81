/* vw-peer-private.h: what the files of VwPeer share (vw-peer.c: the
 * object, its offer/answer exchange, ICE candidates and life cycle;
 * vw-peer-tracks.c: the remote tracks and the pads to send on;
 * vw-peer-transport.c: the connection state and the ICE agent's settings;
 * vw-peer-channel.c: the data channel).  Not for callers outside them. */
#pragma once

#include "vw-peer.h"

GST_DEBUG_CATEGORY_EXTERN (vw_peer_debug);
#define GST_CAT_DEFAULT vw_peer_debug

typedef enum {
  NEG_STABLE,         /* nothing in flight */
  NEG_OFFERING,       /* create-offer issued (offerer) */
  NEG_WAIT_ANSWER,    /* local offer set, waiting for the remote answer */
  NEG_ANSWERING,      /* remote offer being applied and answered */
} NegState;

struct _VwPeer {
  GObject parent;

  /* All fields: owner main context only. */
  GMainContext *context;     /* owned ref */
  GstBin *bin;               /* owned ref: the bin holding webrtcbin */
  GstElement *webrtcbin;     /* owned ref */
  char *name;
  NegState neg;
  gboolean renegotiate;      /* another offer wanted after this one */
  gboolean closed;
  GstWebRTCPeerConnectionState state;
  GPtrArray *tees;           /* GstElement*, owned refs: one per remote track */
  GstWebRTCDataChannel *channel;   /* owned ref, or NULL */
  gboolean channel_open;
};

enum {
  SIGNAL_LOCAL_DESCRIPTION,
  SIGNAL_ICE_CANDIDATE,
  SIGNAL_TRACK,
  SIGNAL_STATE_CHANGED,
  SIGNAL_FAILED,
  SIGNAL_CHANNEL_OPEN,
  SIGNAL_CHANNEL_CLOSED,
  SIGNAL_CHANNEL_STRING,
  SIGNAL_CHANNEL_DATA,
  N_SIGNALS
};
extern guint peer_signals[N_SIGNALS];

/* Runs @func (@self, @data) on the peer's main context unless the peer is
 * closed by then; @free_data (nullable) frees @data either way.  Every
 * webrtcbin callback, called on webrtcbin's threads, goes through it. */
typedef void (*HopFunc) (VwPeer *self, gpointer data);
void peer_hop (VwPeer *self, HopFunc func, gpointer data, GDestroyNotify free_data);

/* webrtcbin's signals, connected by vw_peer_new (). */
void peer_on_pad_added (GstElement *webrtcbin, GstPad *pad, VwPeer *self);
void peer_on_connection_state (GObject *webrtcbin, GParamSpec *pspec, VwPeer *self);
void peer_on_data_channel (GstElement *webrtcbin, GstWebRTCDataChannel *channel,
                           VwPeer *self);
/* The ICE agent's settings every peer gets: no UPnP, large media sockets. */
void peer_tune_ice (GstElement *webrtcbin);
/* Loss recovery (vw-peer-loss.c): NACK and RTX on every video
 * transceiver, those webrtcbin makes from a remote offer included. */
void peer_setup_loss_recovery (GstElement *webrtcbin);
/* A transceiver of ours gets @caps: video ones get NACK and RTX. */
void peer_transceiver_set_caps (GstWebRTCRTPTransceiver *trans, const GstCaps *caps);
