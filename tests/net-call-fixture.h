/* net-call-fixture.h: the fixture of tests that run a call with the clerk
 * in a network namespace behind an impaired link (tests/vw-netns.h):
 * vw-server listening, and offering media, on the link's host end, and an
 * agent account to sign in with. */
#pragma once

#include "vw-netns.h"
#include "vw-test-util.h"

typedef struct {
  VwNetns *ns;
  VwTestServer *server;
  char *agent_pw;            /* password file of the agent zhangmin (张敏) */
} NetCallFixture;

void net_call_fixture_setup (NetCallFixture *f, gconstpointer data);
void net_call_fixture_teardown (NetCallFixture *f, gconstpointer data);
