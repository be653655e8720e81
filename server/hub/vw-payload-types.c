/* vw-payload-types.c: see vw-payload-types.h. */
#include "vw-payload-types.h"

gboolean
vw_payload_type_for_track (guint index, guint *pt)
{
  g_return_val_if_fail (pt != NULL, FALSE);
  if (index >= VW_PT_MAX_TRACKS)
    return FALSE;
  *pt = VW_PT_DYNAMIC_LAST - index;
  return TRUE;
}
