/* vw-hub-private.h: the hub's state, shared by its source files.
 * Everything here lives on the hub's main context. */
#pragma once

#include "vw-hub.h"
#include "vw-peer.h"
#include "vw-transfer.h"

#include <gst/gst.h>

GST_DEBUG_CATEGORY_EXTERN (vw_hub_debug);

typedef enum {
  LINE_UPSTREAM,     /* participant -> hub */
  LINE_DOWNSTREAM,   /* hub -> participant */
} LineDirection;

typedef struct {
  VwTrackKind kind;
  LineDirection direction;
  char *source;          /* peer id whose track this is */
  guint pt;              /* payload type, unique in the session */
  char *mid;             /* from the latest offer; NULL before */
  gboolean active;       /* else the m-line is inactive (its peer left) */
  gboolean live;         /* the track is being sent (listed in "tracks") */
  GstWebRTCRTPTransceiver *transceiver;
  /* Downstream only: the forwarding branch. */
  GstElement *tee;       /* the source's tee (ref) */
  GstPad *tee_pad;       /* request pad on @tee */
  GstElement *queue;
  GstPad *sink_pad;      /* request pad on this participant's webrtcbin */
} Line;

typedef struct _Session Session;
typedef struct _HubRecording HubRecording;

typedef struct {
  VwHub *hub;
  Session *session;      /* borrowed: the session owns its participants */
  char *id;
  guint slot;
  VwPeer *peer;
  GPtrArray *lines;                        /* Line*, index = m-line */
  GstElement *tees[VW_TRACK_N_KINDS];      /* received tracks (refs) */
  /* A stopped track's stream, kept in case it resumes on the same SSRC
   * (browsers do): see vw-hub.c, "Resuming". */
  struct _PausedStream *paused[VW_TRACK_N_KINDS];
  gboolean published;                      /* has sent "publish" */
  gboolean viewer;                         /* receive-only (a supervisor watching) */
  gboolean media_started;                  /* published and connected once */
  gboolean offered;                        /* has had a first offer */
  guint negotiate_source;                  /* pending negotiate_now() */
  guint lost_source;                       /* pending media_lost report, or the
                                            * disconnected grace timer */
  struct _VwHubRtpClock *rtp_clock;        /* vw-hub-watch.c: when it last sent */
  guint watch_source;                      /* vw-hub-watch.c: checks it */
  VwTransferReceiver *receiver;            /* files arriving on the data channel */
  guint sdp_mlines;                        /* m-lines in the latest offer */
  guint lines_in_sdp;                      /* how many of them are lines */
  HubRecording *recordings[VW_TRACK_N_KINDS]; /* borrowed from hub->recordings */
  guint n_recorded[VW_TRACK_N_KINDS];      /* recordings made of each kind */
} Participant;

struct _Session {
  char *id;
  GPtrArray *participants;   /* Participant*, owned */
  guint next_slot;
  guint next_pt;             /* next payload type to hand out */
  GHashTable *snapshots;     /* id -> PendingSnapshot*, requested, not yet stored */
};

struct _VwHub {
  VwHubCallbacks cb;
  gpointer user_data;
  VwHubConfig config;
  char *ice_address;         /* owned copy of config.ice_address */
  char *data_dir;            /* owned copy of config.data_dir */
  GstElement *pipeline;
  GHashTable *sessions;      /* id -> Session*, owned */
  GHashTable *participants;  /* peer id -> Participant*, borrowed */
  GPtrArray *recordings;     /* HubRecording*, owned: recording or finishing */
  guint next_recording;
  struct _HubBwe *bwe;       /* bandwidth adaptation (vw-hub-bwe.c) */
};

/* vw-hub-snapshots.c */
typedef struct _PendingSnapshot PendingSnapshot;
void     vw_hub_snapshots_attach (Participant *p);
void     vw_hub_snapshots_detach (Participant *p);
void     vw_hub_snapshots_session_free (Session *s);
gboolean vw_hub_snapshot_request (Participant *p, GError **error);
Line    *vw_hub_find_live_upstream (Participant *p, VwTrackKind kind);
void     vw_hub_request_keyframe (Participant *src, VwTrackKind kind);

/* vw-hub-recording.c */
void     vw_hub_recording_update (Participant *p, VwTrackKind kind);
void     vw_hub_recording_stop_all (Participant *p);
gboolean vw_hub_recording_handle_message (VwHub *hub, GstMessage *message);
void     vw_hub_recording_free (HubRecording *r);
void     vw_hub_recordings_free (VwHub *hub);

/* vw-hub-bwe.c: estimates every leg, tells senders their caps. */
typedef struct _HubBwe HubBwe;
HubBwe  *vw_hub_bwe_new (VwHub *hub);
void     vw_hub_bwe_free (HubBwe *bwe);
/* Adds to the caps of an upstream m-line what a browser needs to adapt its
 * own sending (transport-cc feedback). */
void     vw_hub_bwe_offer_feedback (GstCaps *caps);

/* vw-hub.c */
void     vw_hub_forward_to_all (Participant *p, VwTrackKind kind);
/* Reports @p's media connection lost from the main loop (media_lost). */
void     vw_hub_report_lost_soon (Participant *p);

/* vw-hub-watch.c: a participant that sent media and went silent on every
 * track for this long is lost (webrtcbin 1.22 does not say so). */
#define VW_HUB_SILENT_MEDIA_MS 8000   /* longer than a short outage that the
                                        * connection survives by itself (5 s) */
void     vw_hub_watch_start (Participant *p);   /* a new connection */
void     vw_hub_watch_stop (Participant *p);
void     vw_hub_watch_tee (Participant *p, GstElement *tee);   /* a new stream */

/* vw-hub-resume.c: a stopped stream's tee kept for a sender (a browser)
 * that resumes on the same SSRC. */
void     vw_hub_pause_stream (Participant *p, VwTrackKind kind);
void     vw_hub_watch_paused (Participant *p, VwTrackKind kind);
void     vw_hub_drop_paused (Participant *p, VwTrackKind kind);
