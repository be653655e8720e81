/* store-test-util.h: what the store's unit tests share: a store in a
 * fresh temporary directory, removed afterwards (also as a fixture); times
 * in China Standard Time; sessions, snapshots, accounts and participants
 * made in one line. */
#pragma once

#include "vw-store.h"

G_BEGIN_DECLS

/* The usual fixture of a store test: a fresh directory and its vw.db. */
typedef struct {
  char *dir;
  char *path;        /* dir/vw.db */
  VwStore *store;    /* NULL unless opened */
} VwStoreFixture;

/* Makes "@prefix-XXXXXX" and opens the store in it if @open. */
void     vw_store_fixture_init (VwStoreFixture *f, const char *prefix, gboolean open);
/* Closes the store and removes the directory. */
void     vw_store_fixture_clear (VwStoreFixture *f);
/* As a GTest fixture ("vw-store-XXXXXX"): the store is opened for tests
 * added with VW_STORE_OPENED as their data, left closed otherwise. */
#define VW_STORE_OPENED GINT_TO_POINTER (1)
void     vw_store_fixture_setup (VwStoreFixture *f, gconstpointer data);
void     vw_store_fixture_teardown (VwStoreFixture *f, gconstpointer data);

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

/* Begins session @id (no participants yet), or fails; returns its case
 * number.  (transfer full) */
char    *vw_store_test_begin (VwStore *store, const char *id, const char *province,
                              const char *item, gint64 started_at);

/* A valid snapshot of session @session: a page of a business licence
 * application under the document camera (高拍仪), sent by the clerk at the
 * agent's request.  Its strings are static and its hash is that of @id, so
 * the copy is only good until the next call; tests change its fields. */
VwStoreSnapshot vw_store_test_snapshot (const char *id, const char *session,
                                        gint64 created_at);
/* Adds vw_store_test_snapshot (@id, @session, @at), or fails. */
void     vw_store_test_add_snapshot (VwStore *store, const char *id,
                                     const char *session, gint64 at);
/* The snapshots of @session, or fails.  (transfer full) */
GPtrArray *vw_store_test_list_snapshots (VwStore *store, const char *session);

G_END_DECLS
