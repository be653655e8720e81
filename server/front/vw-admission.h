/* vw-admission.h: who may open one more connection: at most so many in
 * all and so many from one address.  Pure bookkeeping (addresses as text),
 * used by VwListener and unit-tested alone. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VwAdmission VwAdmission;

typedef enum {
  VW_ADMISSION_OK,
  VW_ADMISSION_SERVER_FULL,    /* max_total connections open */
  VW_ADMISSION_ADDRESS_FULL,   /* max_per_address open from that address */
} VwAdmissionVerdict;

VwAdmission       *vw_admission_new (guint max_total, guint max_per_address);
void               vw_admission_free (VwAdmission *admission);
/* Counts a connection from @address in when the verdict is OK. */
VwAdmissionVerdict vw_admission_enter (VwAdmission *admission, const char *address);
/* Counts one out (one that entered). */
void               vw_admission_leave (VwAdmission *admission, const char *address);
guint              vw_admission_count (VwAdmission *admission);
guint              vw_admission_count_address (VwAdmission *admission, const char *address);
/* Addresses with a connection open: the table stays as small as that. */
guint              vw_admission_n_addresses (VwAdmission *admission);
const char        *vw_admission_verdict_to_string (VwAdmissionVerdict verdict);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwAdmission, vw_admission_free)

G_END_DECLS
