/* vw-config.h: vw-server's settings, from defaults, then a key file
 * (--config FILE), then the command line; later ones win.
 *
 *   [server]
 *   port=8080                  # 0 picks a free port
 *   address=0.0.0.0
 *   data-dir=/var/lib/virtual-window
 *   ice-address=               # offer media only on this address
 *   hub-latency=20             # ms
 *   web-dir=                   # default: the source tree's web/
 *   tls-certificate=           # PEM files: serve https:// and wss://
 *   tls-key=                   #   (browsers allow cameras only there,
 *                              #    or on localhost)
 *   kept-writes=50000          # 100..1000000: writes kept in memory while
 *                              # the disk is full (vw-store.h, Durability)
 *
 *   [recording]
 *   enabled=true
 *   chunk-seconds=10           # 1..10
 *
 *   [retention]
 *   days=180                   # 0 keeps recordings for ever
 *   check-minutes=60           # how often expired recordings are deleted
 *
 *   [auth]
 *   token-hours=8
 *   backoff-ms=1000            # the first wait after too many wrong
 *                              # passwords or unknown booking codes
 *   hash-workers=2             # passwords checked at once (threads)
 *   hash-queue=16              # sign-ins waiting for them; more: 503
 *
 *   [limits]                   # what one client may cost (README,
 *                              # "Security: what is bounded")
 *   max-connections=0          # in all; 0: three quarters of the file
 *                              # descriptor limit
 *   max-connections-per-address=128
 *   listen-backlog=1024
 *   request-timeout=15         # s: connection (TLS included) -> whole request
 *   idle-timeout=30            # s: response -> next whole request
 *   websocket-first-message=10 # s: upgrade -> first message
 *   websocket-stall=30         # s: a message begun must end within this
 *   slow-reader=30             # s: a peer that reads nothing of what we
 *                              # send for this long is let go
 *   websocket-max-message-kib=1024  # one message, however fragmented
 *   websocket-rate=50          # messages a second, sustained...
 *   websocket-burst=200        # ...and at once
 *
 *   [desk]
 *   wrap-up-seconds=30         # after each call, before the next is offered
 *   media-start-timeout=30     # s from pairing for the clerk's media to
 *                              # start, else the session ends (media-timeout)
 *   max-waiting-per-address=20 # clerks queued at once from one IP address
 *   reconnect-grace=30         # s a participant whose connection was lost
 *                              # is kept for its resume (0: none; README,
 *                              # "Drop-outs")
 *   ping-interval=5            # s between WebSocket pings to each client
 *   silence-timeout=15         # s with nothing from a client: lost
 *
 *   [catalogue]
 *   file=                      # service items loaded into an empty
 *                              # catalogue; default: the source tree's
 *                              # data/catalogue.json
 *
 *   [media]                    # the hub's ICE (README, "Firewalls and TURN")
 *   ice-tcp=true               # also offer passive TCP candidates (ICE-TCP,
 *                              # RFC 6544): media for clients without UDP
 *   port-min=0                 # the hub's media ports (UDP and ICE-TCP)
 *   port-max=0                 #   come from this range; 0: any
 *
 *   [turn]                     # a TURN server (coturn) for clients behind
 *                              # firewalls; absent: none is offered
 *   urls=                      # e.g. turn:turn.example.cn:3478?transport=udp,
 *                              #   turn:turn.example.cn:3478?transport=tcp
 *   secret=                    # coturn's static-auth-secret
 *   ttl=28800                  # s: how long a credential handed out in
 *                              # "paired" stays valid (60..604800)
 *
 *   [calendar]
 *   holidays=                  # public holidays and 调休 working days
 *                              # (vw-holidays.h); default: the source
 *                              # tree's data/holidays.json
 *
 * Unknown groups or keys are errors (a misspelt key must not silently
 * keep a default, least of all a retention period). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int port;
  char *address;
  char *data_dir;
  char *ice_address;       /* (nullable) */
  int hub_latency_ms;
  char *web_dir;           /* (nullable) */
  char *tls_certificate;   /* (nullable) PEM file; with tls_key: HTTPS */
  char *tls_key;           /* (nullable) */
  gboolean record;
  int chunk_seconds;
  int retention_days;      /* 0: keep for ever */
  int retention_check_minutes;
  int token_hours;
  int backoff_ms;          /* first back-off wait of guessing (vw-throttle.h) */
  int hash_workers;        /* threads checking passwords */
  int hash_queue;          /* sign-ins waiting for them at most */
  char *catalogue_file;    /* (nullable) */
  char *holidays_file;     /* (nullable) */
  int wrap_up_seconds;     /* 0: available again at once */
  /* [limits] */
  int max_connections;     /* 0: from the file descriptor limit */
  int max_connections_per_address;
  int listen_backlog;
  int request_timeout_s, idle_timeout_s;
  int ws_first_message_s, ws_stall_s, slow_reader_s;
  int ws_max_message_kib, ws_rate, ws_burst;
  int kept_writes;         /* vw_store_set_pending_limit() */
  int media_start_timeout_s;   /* a pair whose clerk's media never starts ends */
  int max_waiting_per_address; /* queued clerks per remote IP address */
  int reconnect_grace_s;    /* 0: a lost connection leaves at once */
  int ping_interval_s;
  int silence_timeout_s;
  /* [media] */
  gboolean ice_tcp;        /* the hub offers passive ICE-TCP candidates */
  int ice_port_min, ice_port_max;   /* 0, 0: any port */
  /* [turn] */
  char *turn_urls;         /* (nullable) as written; vw_turn_parse_urls() */
  char *turn_secret;       /* (nullable) */
  int turn_ttl_s;
} VwConfig;

/* The defaults above. */
void     vw_config_init (VwConfig *config);
void     vw_config_clear (VwConfig *config);
/* Reads @path over @config; G_KEY_FILE_ERROR or G_IO_ERROR_INVALID_ARGUMENT
 * (a value out of range, an unknown group or key) naming file and key. */
gboolean vw_config_load_file (VwConfig *config, const char *path, GError **error);
/* Checks the ranges (after the command line was applied). */
gboolean vw_config_check (const VwConfig *config, GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VwConfig, vw_config_clear)

G_END_DECLS
