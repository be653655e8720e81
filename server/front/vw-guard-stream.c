/* vw-guard-stream.c: the stream between a client and libsoup (see
 * vw-guard-stream.h).  Two filter streams that stay pollable, and the
 * GIOStream that holds them. */
#include "vw-guard-stream.h"

struct _VwGuardStream {
  GIOStream parent;
  GIOStream *base;               /* owned */
  GInputStream *input;           /* owned: a VwGuardInput */
  GOutputStream *output;         /* owned: a VwGuardOutput */
  VwWsScan *scan;                /* owned */
  gboolean violated;             /* the peer's bytes are dropped from now on */
  VwWsScanVerdict verdict;
  VwGuardViolationFunc violation_func;
  gpointer violation_data;
  GMainContext *context;         /* owned ref: where the owner is told */
  gint64 blocked_since;
  /* The peer's end of stream (or a read error) on an HTTP connection, after
   * the one byte handed on in its place: see end_of_stream (). */
  gboolean ended;
  /* After a violation: the source handed to libsoup, which never fires
   * until the socket is closed (vw_guard_stream_closed ()). */
  GSource *parked;               /* (nullable) owned ref */
  gboolean closed;
};

G_DEFINE_FINAL_TYPE (VwGuardStream, vw_guard_stream, G_TYPE_IO_STREAM)

/* ------------------------------------------------------------------ */
/* The input side: every byte read goes through the scanner. */

#define VW_TYPE_GUARD_INPUT (vw_guard_input_get_type ())
G_DECLARE_FINAL_TYPE (VwGuardInput, vw_guard_input, VW, GUARD_INPUT, GFilterInputStream)

struct _VwGuardInput {
  GFilterInputStream parent;
  VwGuardStream *guard;          /* borrowed: the guard owns us */
};

static void guard_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VwGuardInput, vw_guard_input, G_TYPE_FILTER_INPUT_STREAM,
    G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM, guard_input_pollable_init))

static gboolean
notify_violation (gpointer data)
{
  VwGuardStream *guard = data;
  if (guard->violation_func)
    guard->violation_func (guard, guard->verdict, guard->violation_data);
  return G_SOURCE_REMOVE;
}

/* How many of the @n bytes just read into @buffer may go on to libsoup. */
static gsize
guard_inspect (VwGuardStream *guard, const void *buffer, gsize n)
{
  if (guard->violated)
    return 0;
  gsize ok = n;
  VwWsScanVerdict v = vw_ws_scan_feed (guard->scan, buffer, n, g_get_monotonic_time (), &ok);
  if (v == VW_WS_SCAN_OK)
    return n;
  guard->violated = TRUE;
  guard->verdict = v;
  GSource *idle = g_idle_source_new ();
  g_source_set_callback (idle, notify_violation, g_object_ref (guard), g_object_unref);
  g_source_attach (idle, guard->context);
  g_source_unref (idle);
  return ok;
}

/* libsoup 3.2 never notices a keep-alive connection that the client closes
 * while idle: the next request's reader starts its message only on the
 * first byte, and without a started message nothing disconnects, so the
 * connection (and its descriptor) stayed for good.  So on an HTTP
 * connection the end is handed on as one byte of a request that never
 * completes, then the end itself: libsoup starts a message, finds it cut
 * short and disconnects (at worst a peer that half-closed after its
 * request gets a 400 after its answer). */
static gboolean
end_of_stream (VwGuardStream *guard, gssize n, GError **error)
{
  if (n > 0 || (n < 0 && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      || guard->ended || vw_ws_scan_is_websocket (guard->scan))
    return FALSE;
  guard->ended = TRUE;
  g_clear_error (error);
  return TRUE;
}

/* After end_of_stream (): the end, as an end of stream even when it was an
 * error (a reset): libsoup starts the message only if the byte before it
 * reached its line buffer, which an error in the same read prevents. */
static gssize
repeat_end (VwGuardStream *guard, GError **error)
{
  return 0;
}

static GInputStream *
base_input (GInputStream *stream)
{
  return g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
}

static gssize
guard_input_read (GInputStream *stream, void *buffer, gsize count,
    GCancellable *cancellable, GError **error)
{
  VwGuardInput *self = VW_GUARD_INPUT (stream);
  if (self->guard->ended)
    return repeat_end (self->guard, error);
  if (self->guard->violated)
    return 0;   /* nothing more is read (see guard_input_read_nonblocking ()) */

  gssize n = g_input_stream_read (base_input (stream), buffer, count, cancellable, error);
  if (count > 0 && end_of_stream (self->guard, n, error)) {
    *(char *) buffer = 'X';
    return 1;
  }
  if (n <= 0)
    return n;
  return guard_inspect (self->guard, buffer, n);   /* 0 on a violation: the end */
}

static gssize
guard_input_read_nonblocking (GPollableInputStream *stream, void *buffer, gsize count,
    GError **error)
{
  VwGuardInput *self = VW_GUARD_INPUT (stream);
  GPollableInputStream *base = G_POLLABLE_INPUT_STREAM (base_input (G_INPUT_STREAM (stream)));
  if (self->guard->ended)
    return repeat_end (self->guard, error);
  /* After a violation nothing more is read: what the peer sends waits in
   * the kernel's buffer (bounded) until the socket is closed, and costs
   * us nothing meanwhile. */
  if (self->guard->violated && self->guard->closed)
    return 0;   /* the end: libsoup lets the connection go */
  if (!self->guard->violated) {
    gssize n = g_pollable_input_stream_read_nonblocking (base, buffer, count, NULL, error);
    if (count > 0 && end_of_stream (self->guard, n, error)) {
      *(char *) buffer = 'X';
      return 1;
    }
    if (n <= 0)
      return n;
    gsize kept = guard_inspect (self->guard, buffer, n);
    if (kept > 0)
      return kept;
  }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
      "closing: a limit was broken");
  return -1;
}

static gboolean
guard_input_can_poll (GPollableInputStream *stream)
{
  GInputStream *base = base_input (G_INPUT_STREAM (stream));
  return G_IS_POLLABLE_INPUT_STREAM (base)
      && g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (base));
}

static gboolean
guard_input_is_readable (GPollableInputStream *stream)
{
  return g_pollable_input_stream_is_readable (
      G_POLLABLE_INPUT_STREAM (base_input (G_INPUT_STREAM (stream))));
}

static GSource *
guard_input_create_source (GPollableInputStream *stream, GCancellable *cancellable)
{
  /* After a violation: a source that never fires (see
   * guard_input_read_nonblocking ()). */
  VwGuardStream *guard = VW_GUARD_INPUT (stream)->guard;
  if (guard->violated) {
    GSource *parked = g_pollable_source_new_full (stream, NULL, cancellable);
    if (guard->closed)
      g_source_set_ready_time (parked, 0);
    g_clear_pointer (&guard->parked, g_source_unref);
    guard->parked = g_source_ref (parked);
    return parked;
  }
  GSource *base = g_pollable_input_stream_create_source (
      G_POLLABLE_INPUT_STREAM (base_input (G_INPUT_STREAM (stream))), NULL);
  GSource *source = g_pollable_source_new_full (stream, base, cancellable);
  g_source_unref (base);
  return source;
}

static void
guard_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = guard_input_can_poll;
  iface->is_readable = guard_input_is_readable;
  iface->create_source = guard_input_create_source;
  iface->read_nonblocking = guard_input_read_nonblocking;
}

static void
vw_guard_input_class_init (VwGuardInputClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = guard_input_read;
}

static void
vw_guard_input_init (VwGuardInput *self)
{
}

/* ------------------------------------------------------------------ */
/* The output side: notes when the peer stops taking what we write. */

#define VW_TYPE_GUARD_OUTPUT (vw_guard_output_get_type ())
G_DECLARE_FINAL_TYPE (VwGuardOutput, vw_guard_output, VW, GUARD_OUTPUT, GFilterOutputStream)

struct _VwGuardOutput {
  GFilterOutputStream parent;
  VwGuardStream *guard;          /* borrowed: the guard owns us */
};

static void guard_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VwGuardOutput, vw_guard_output, G_TYPE_FILTER_OUTPUT_STREAM,
    G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM, guard_output_pollable_init))

static GOutputStream *
base_output (GOutputStream *stream)
{
  return g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));
}

static void
note_write (VwGuardStream *guard, gssize n, GError *error)
{
  if (n >= 0)
    guard->blocked_since = 0;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) && !guard->blocked_since)
    guard->blocked_since = g_get_monotonic_time ();
}

static gssize
guard_output_write (GOutputStream *stream, const void *buffer, gsize count,
    GCancellable *cancellable, GError **error)
{
  gssize n = g_output_stream_write (base_output (stream), buffer, count, cancellable, error);
  if (n >= 0)
    VW_GUARD_OUTPUT (stream)->guard->blocked_since = 0;
  return n;
}

static gboolean
guard_output_flush (GOutputStream *stream, GCancellable *cancellable, GError **error)
{
  return g_output_stream_flush (base_output (stream), cancellable, error);
}

static gssize
guard_output_write_nonblocking (GPollableOutputStream *stream, const void *buffer,
    gsize count, GError **error)
{
  GError *local = NULL;
  gssize n = g_pollable_output_stream_write_nonblocking (
      G_POLLABLE_OUTPUT_STREAM (base_output (G_OUTPUT_STREAM (stream))), buffer, count,
      NULL, &local);
  note_write (VW_GUARD_OUTPUT (stream)->guard, n, local);
  if (local)
    g_propagate_error (error, local);
  return n;
}

static gboolean
guard_output_can_poll (GPollableOutputStream *stream)
{
  GOutputStream *base = base_output (G_OUTPUT_STREAM (stream));
  return G_IS_POLLABLE_OUTPUT_STREAM (base)
      && g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (base));
}

static gboolean
guard_output_is_writable (GPollableOutputStream *stream)
{
  return g_pollable_output_stream_is_writable (
      G_POLLABLE_OUTPUT_STREAM (base_output (G_OUTPUT_STREAM (stream))));
}

static GSource *
guard_output_create_source (GPollableOutputStream *stream, GCancellable *cancellable)
{
  GSource *base = g_pollable_output_stream_create_source (
      G_POLLABLE_OUTPUT_STREAM (base_output (G_OUTPUT_STREAM (stream))), NULL);
  GSource *source = g_pollable_source_new_full (stream, base, cancellable);
  g_source_unref (base);
  return source;
}

static void
guard_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = guard_output_can_poll;
  iface->is_writable = guard_output_is_writable;
  iface->create_source = guard_output_create_source;
  iface->write_nonblocking = guard_output_write_nonblocking;
}

static void
vw_guard_output_class_init (VwGuardOutputClass *klass)
{
  GOutputStreamClass *out = G_OUTPUT_STREAM_CLASS (klass);
  out->write_fn = guard_output_write;
  out->flush = guard_output_flush;
}

static void
vw_guard_output_init (VwGuardOutput *self)
{
}

/* ------------------------------------------------------------------ */
/* The GIOStream. */

static GInputStream *
guard_get_input_stream (GIOStream *stream)
{
  return VW_GUARD_STREAM (stream)->input;
}

static GOutputStream *
guard_get_output_stream (GIOStream *stream)
{
  return VW_GUARD_STREAM (stream)->output;
}

/* Closing the guard closes what it guards, in one place (the filter
 * streams do not close their bases themselves). */
static gboolean
guard_close (GIOStream *stream, GCancellable *cancellable, GError **error)
{
  return g_io_stream_close (VW_GUARD_STREAM (stream)->base, cancellable, error);
}

static void
base_closed (GObject *base, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;
  if (g_io_stream_close_finish (G_IO_STREAM (base), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
guard_close_async (GIOStream *stream, int priority, GCancellable *cancellable,
    GAsyncReadyCallback callback, gpointer data)
{
  GTask *task = g_task_new (stream, cancellable, callback, data);
  g_io_stream_close_async (VW_GUARD_STREAM (stream)->base, priority, cancellable,
      base_closed, task);
}

static gboolean
guard_close_finish (GIOStream *stream, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vw_guard_stream_finalize (GObject *object)
{
  VwGuardStream *self = VW_GUARD_STREAM (object);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->base);
  g_clear_pointer (&self->scan, vw_ws_scan_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->parked, g_source_unref);
  G_OBJECT_CLASS (vw_guard_stream_parent_class)->finalize (object);
}

static void
vw_guard_stream_class_init (VwGuardStreamClass *klass)
{
  GIOStreamClass *io = G_IO_STREAM_CLASS (klass);
  G_OBJECT_CLASS (klass)->finalize = vw_guard_stream_finalize;
  io->get_input_stream = guard_get_input_stream;
  io->get_output_stream = guard_get_output_stream;
  io->close_fn = guard_close;
  io->close_async = guard_close_async;
  io->close_finish = guard_close_finish;
}

static void
vw_guard_stream_init (VwGuardStream *self)
{
}

VwGuardStream *
vw_guard_stream_new (GIOStream *base, const VwWsScanLimits *limits)
{
  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);
  g_return_val_if_fail (limits != NULL, NULL);

  VwGuardStream *self = g_object_new (VW_TYPE_GUARD_STREAM, NULL);
  self->base = g_object_ref (base);
  self->scan = vw_ws_scan_new (limits);
  self->context = g_main_context_ref_thread_default ();

  VwGuardInput *in = g_object_new (VW_TYPE_GUARD_INPUT,
      "base-stream", g_io_stream_get_input_stream (base),
      "close-base-stream", FALSE, NULL);
  in->guard = self;
  self->input = G_INPUT_STREAM (in);

  VwGuardOutput *out = g_object_new (VW_TYPE_GUARD_OUTPUT,
      "base-stream", g_io_stream_get_output_stream (base),
      "close-base-stream", FALSE, NULL);
  out->guard = self;
  self->output = G_OUTPUT_STREAM (out);
  return self;
}

void
vw_guard_stream_set_violation_func (VwGuardStream *guard, VwGuardViolationFunc func,
    gpointer user_data)
{
  g_return_if_fail (VW_IS_GUARD_STREAM (guard));
  guard->violation_func = func;
  guard->violation_data = user_data;
}

void
vw_guard_stream_closed (VwGuardStream *guard)
{
  g_return_if_fail (VW_IS_GUARD_STREAM (guard));
  guard->closed = TRUE;
  if (guard->parked && !g_source_is_destroyed (guard->parked))
    g_source_set_ready_time (guard->parked, 0);
}

gboolean
vw_guard_stream_is_websocket (VwGuardStream *guard)
{
  g_return_val_if_fail (VW_IS_GUARD_STREAM (guard), FALSE);
  return vw_ws_scan_is_websocket (guard->scan);
}

guint64
vw_guard_stream_n_messages (VwGuardStream *guard)
{
  g_return_val_if_fail (VW_IS_GUARD_STREAM (guard), 0);
  return vw_ws_scan_n_messages (guard->scan);
}

gint64
vw_guard_stream_incomplete_since (VwGuardStream *guard)
{
  g_return_val_if_fail (VW_IS_GUARD_STREAM (guard), 0);
  return vw_ws_scan_incomplete_since (guard->scan);
}

gint64
vw_guard_stream_blocked_since (VwGuardStream *guard)
{
  g_return_val_if_fail (VW_IS_GUARD_STREAM (guard), 0);
  return guard->blocked_since;
}
