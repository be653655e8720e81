/* vw-message-private.h: the inside of a VwMessage, shared by the
 * signalling library's files.  Internal. */
#pragma once

#include "vw-protocol.h"

G_BEGIN_DECLS

struct _VwMessage {
  gatomicrefcount ref_count;
  VwMessageType type;
  JsonObject *object;
};

static inline gboolean
node_holds (JsonNode *node, GType type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

G_END_DECLS
