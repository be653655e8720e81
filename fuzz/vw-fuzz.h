/* vw-fuzz.h: what the libFuzzer targets of fuzz/ share.
 *
 * Each target is one file, fuzz-NAME.c, defining LLVMFuzzerTestOneInput();
 * libFuzzer (clang's -fsanitize=fuzzer) brings main().  A target reports a
 * bug by crashing: a sanitizer report, or vw_fuzz_fail() when the code
 * under test broke one of its promises without touching bad memory.  See
 * fuzz/run.sh for how they are built and run. */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

G_BEGIN_DECLS

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A critical or warning from GLib or the code under test is a bug found:
 * make it abort (like G_DEBUG=fatal-warnings), so libFuzzer keeps the
 * input. */
static inline void
vw_fuzz_init_glib (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

/* A broken promise: says which on stderr, then aborts. */
#define vw_fuzz_fail(...) G_STMT_START { \
    fprintf (stderr, "vw-fuzz: %s:%d: ", __FILE__, __LINE__); \
    fprintf (stderr, __VA_ARGS__); \
    fputc ('\n', stderr); \
    abort (); \
  } G_STMT_END

G_END_DECLS
