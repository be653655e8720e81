/* store-test-util.h: what the store's unit tests share: a store in a
 * fresh temporary directory, removed afterwards; times in China Standard
 * Time; accounts and participants made in one line. */
#pragma once

#include "vw-store.h"

G_BEGIN_DECLS

/* A fresh temporary directory "@prefix-XXXXXX" (transfer full). */
char    *vw_store_test_make_dir (const char *prefix);
/* Opens @dir/vw.db (the path in *@path_out, nullable); fails the test if
 * it does not open.  (transfer full) */
VwStore *vw_store_test_open (const char *dir, char **path_out);
/* Removes the files in @dir, then @dir. */
void     vw_store_test_remove_dir (const char *dir);

/* Unix ms of a wall-clock time in China Standard Time (UTC+8). */
gint64   vw_store_test_cst (int year, int month, int day, int hour, int minute,
                            int second);

/* An account (a test password hash, made on 2026-11-01), or fails. */
void     vw_store_test_add_account (VwStore *store, const char *username,
                                    const char *role, const char *name,
                                    const char *province, const char *center);
/* A participant of @session (account nullable), or fails. */
void     vw_store_test_add_peer (VwStore *store, const char *session, const char *peer,
                                 const char *role, const char *name,
                                 const char *province, const char *center,
                                 const char *account, gint64 at);

G_END_DECLS
