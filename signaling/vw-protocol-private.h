/* vw-protocol-private.h: what the files of the signalling protocol share
 * (vw-protocol-table.c: the message and field tables; vw-protocol-names.c:
 * the names of errors, roles, track kinds and provinces; vw-protocol.c:
 * validation and parsing).  Not for callers outside signaling/. */
#pragma once

#include "vw-protocol.h"

G_BEGIN_DECLS

typedef enum {
  VW_FIELD_STRING,           /* any string (not null) */
  VW_FIELD_NONEMPTY_STRING,  /* a string of at least one byte */
  VW_FIELD_INT,              /* an integer (no fraction or exponent), 32-bit */
  VW_FIELD_NONNEG_INT,       /* an integer >= 0 */
  VW_FIELD_POS_INT,          /* an integer >= 1 */
  VW_FIELD_BOOL,
  VW_FIELD_OBJECT,
  VW_FIELD_ARRAY,
  VW_FIELD_ANY,              /* any JSON value, null included */
} VwFieldKind;

typedef struct _VwFieldSpec VwFieldSpec;
struct _VwFieldSpec {
  const char *name;
  VwFieldKind kind;
  gboolean required;
  /* String kinds: NULL-terminated list of the allowed values, or NULL. */
  const char * const *allowed;
  /* VW_FIELD_OBJECT: the members of the object.  VW_FIELD_ARRAY: every item
   * must be an object with these members.  NULL: not checked further. */
  const VwFieldSpec *members;
  /* VW_FIELD_ARRAY with members: a string member that must differ between
   * the items (e.g. the mid of offer tracks). */
  const char *unique;
};

#define FROM(dir) (1u << (dir))

typedef struct {
  const char *name;
  guint senders;              /* FROM (VW_FROM_CLIENT) | FROM (VW_FROM_SERVER) */
  const VwFieldSpec *fields;  /* terminated by { NULL } */
} VwMessageSpec;

/* vw-protocol-table.c: one spec per VwMessageType. */
extern const VwMessageSpec vw_message_specs[VW_MSG_N_TYPES];
/* Sets *@out to the type whose wire name is @name, or returns FALSE. */
gboolean vw_message_type_lookup (const char *name, VwMessageType *out);

/* vw-protocol-names.c: NULL-terminated, so they double as "allowed values"
 * lists in field specs. */
extern const char * const vw_role_names[];
extern const char * const vw_track_kind_names[];
/* Index of @s in the NULL-terminated @names, or -1. */
int vw_protocol_lookup_name (const char * const *names, const char *s);

G_END_DECLS
