/* vw-admission.c: connections counted in all and by address (see
 * vw-admission.h). */
#include "vw-admission.h"

struct _VwAdmission {
  guint max_total, max_per_address;
  guint total;
  GHashTable *by_address;      /* address (owned) -> count, never 0 */
};

VwAdmission *
vw_admission_new (guint max_total, guint max_per_address)
{
  g_return_val_if_fail (max_total > 0 && max_per_address > 0, NULL);

  VwAdmission *a = g_new0 (VwAdmission, 1);
  a->max_total = max_total;
  a->max_per_address = max_per_address;
  a->by_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return a;
}

void
vw_admission_free (VwAdmission *a)
{
  if (!a)
    return;
  g_hash_table_unref (a->by_address);
  g_free (a);
}

guint
vw_admission_count_address (VwAdmission *a, const char *address)
{
  g_return_val_if_fail (a && address, 0);
  return GPOINTER_TO_UINT (g_hash_table_lookup (a->by_address, address));
}

VwAdmissionVerdict
vw_admission_enter (VwAdmission *a, const char *address)
{
  g_return_val_if_fail (a && address, VW_ADMISSION_SERVER_FULL);

  guint n = vw_admission_count_address (a, address);
  if (a->total >= a->max_total)
    return VW_ADMISSION_SERVER_FULL;
  if (n >= a->max_per_address)
    return VW_ADMISSION_ADDRESS_FULL;
  g_hash_table_replace (a->by_address, g_strdup (address), GUINT_TO_POINTER (n + 1));
  a->total++;
  return VW_ADMISSION_OK;
}

void
vw_admission_leave (VwAdmission *a, const char *address)
{
  g_return_if_fail (a && address);

  guint n = vw_admission_count_address (a, address);
  g_return_if_fail (n > 0 && a->total > 0);
  if (n == 1)
    g_hash_table_remove (a->by_address, address);
  else
    g_hash_table_replace (a->by_address, g_strdup (address), GUINT_TO_POINTER (n - 1));
  a->total--;
}

guint
vw_admission_count (VwAdmission *a)
{
  g_return_val_if_fail (a, 0);
  return a->total;
}

guint
vw_admission_n_addresses (VwAdmission *a)
{
  g_return_val_if_fail (a, 0);
  return g_hash_table_size (a->by_address);
}

const char *
vw_admission_verdict_to_string (VwAdmissionVerdict verdict)
{
  switch (verdict) {
  case VW_ADMISSION_OK: return "ok";
  case VW_ADMISSION_SERVER_FULL: return "server-limit";
  case VW_ADMISSION_ADDRESS_FULL: return "address-limit";
  }
  return "unknown";
}
