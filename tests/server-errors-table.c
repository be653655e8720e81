/* server-errors-table.c: the rows of test-server-errors (see
 * server-errors-table.h): malformed frames, field by field errors of every
 * message, and messages out of role or state. */
#include "server-errors-table.h"
#include "vw-protocol.h"

#define WITH_NUL(s) .text = s, .length = sizeof (s) - 1
#define HELLO_REST "\"role\":\"clerk\",\"name\":\"李娜\",\"province\":\"anhui\"," \
  "\"center\":\"合肥市政务服务中心\"}"
#define X16 "0123456789abcdef"
#define ID128 X16 X16 X16 X16 X16 X16 X16 X16
#define OPEN8 "[[[[[[[["
#define CLOSE8 "]]]]]]]]"
#define OPEN32 OPEN8 OPEN8 OPEN8 OPEN8
#define CLOSE32 CLOSE8 CLOSE8 CLOSE8 CLOSE8
#define NO_SESSION "s-00000000dead"

const BadInput vw_bad_inputs[] = {
  /* Not strict JSON: bad-json, no ref even when an id is visible. */
  { "bad-json/malformed", SETUP_NONE, "{\"type\":\"hello\",", .code = "bad-json" },
  { "bad-json/empty", SETUP_NONE, "", .code = "bad-json" },
  { "bad-json/whitespace-only", SETUP_NONE, " \t\r\n ", .code = "bad-json" },
  { "bad-json/trailing-object", SETUP_AGENT,
    "{\"type\":\"status\",\"id\":\"t-1\",\"available\":true}{}", .code = "bad-json" },
  { "bad-json/single-quotes", SETUP_NONE, "{'type':'hello'}", .code = "bad-json" },
  { "bad-json/unquoted-key", SETUP_NONE, "{type:\"hello\"}", .code = "bad-json" },
  { "bad-json/comment", SETUP_AGENT,
    "{\"type\":\"status\",/* on duty */\"available\":true}", .code = "bad-json" },
  { "bad-json/trailing-comma", SETUP_AGENT,
    "{\"type\":\"status\",\"available\":true,}", .code = "bad-json" },
  { "bad-json/leading-zero", SETUP_NONE,
    "{\"type\":\"hello\",\"id\":\"z\",\"protocol\":01," HELLO_REST, .code = "bad-json" },
  { "bad-json/hex-number", SETUP_NONE,
    "{\"type\":\"hello\",\"protocol\":0x1," HELLO_REST, .code = "bad-json" },
  { "bad-json/integer-overflow", SETUP_NONE,
    "{\"type\":\"hello\",\"protocol\":9223372036854775808," HELLO_REST,
    .code = "bad-json" },
  { "bad-json/byte-order-mark", SETUP_NONE, "\xef\xbb\xbf{\"type\":\"hello\"}",
    .code = "bad-json" },
  { "bad-json/raw-nul", SETUP_AGENT,
    WITH_NUL ("{\"type\":\"status\",\"id\":\"n\0ul\",\"available\":true}"),
    .code = "bad-json" },
  { "bad-json/escaped-nul", SETUP_NONE,
    "{\"type\":\"hello\",\"protocol\":1,\"role\":\"clerk\",\"name\":\"李\\u0000娜\","
    "\"province\":\"anhui\",\"center\":\"\"}", .code = "bad-json" },
  { "bad-json/unpaired-surrogate", SETUP_CLERK,
    "{\"type\":\"request\",\"province\":\"anhui\",\"item\":\"\\ud800\"}",
    .code = "bad-json" },
  { "bad-json/control-char-in-string", SETUP_CLERK,
    "{\"type\":\"request\",\"province\":\"anhui\",\"item\":\"社保\n转移\"}",
    .code = "bad-json" },
  { "bad-json/nesting-33", SETUP_NONE, OPEN32 "[]" CLOSE32, .code = "bad-json" },

  /* Valid JSON, but not an object. */
  { "not-object/nesting-32", SETUP_NONE, OPEN32 CLOSE32, .code = "not-object" },
  { "not-object/array", SETUP_NONE, "[{\"type\":\"hello\"}]", .code = "not-object" },
  { "not-object/number", SETUP_NONE, "1", .code = "not-object" },
  { "not-object/string", SETUP_NONE, "\"hello\"", .code = "not-object" },
  { "not-object/null", SETUP_NONE, "null", .code = "not-object" },
  { "not-object/true", SETUP_AGENT, "true", .code = "not-object" },

  /* The type. */
  { "type/missing", SETUP_NONE, "{\"id\":\"m-1\",\"protocol\":1}",
    .code = "missing-field", .ref = "\"m-1\"" },
  { "type/missing-empty-object", SETUP_AGENT, "{}", .code = "missing-field" },
  { "type/number", SETUP_NONE, "{\"id\":\"t-2\",\"type\":1}",
    .code = "bad-field", .ref = "\"t-2\"" },
  { "type/null", SETUP_AGENT, "{\"type\":null,\"available\":true}",
    .code = "bad-field" },
  { "type/unknown", SETUP_NONE, "{\"id\":3,\"type\":\"dance\"}",
    .code = "unknown-type", .ref = "3" },
  { "type/wrong-case", SETUP_NONE, "{\"id\":4,\"type\":\"Hello\",\"protocol\":1,"
    HELLO_REST, .code = "unknown-type", .ref = "4" },
  { "type/server-only-welcome", SETUP_NONE,
    "{\"type\":\"welcome\",\"id\":\"w-1\",\"peer_id\":\"p-1\"}",
    .code = "unknown-type", .ref = "\"w-1\"" },
  { "type/server-only-offer", SETUP_PAIRED_CLERK,
    "{\"type\":\"offer\",\"id\":\"o-1\",\"session\":\"@SESSION@\",\"sdp\":\"v=0\","
    "\"tracks\":[]}", .code = "unknown-type", .ref = "\"o-1\"" },
  { "type/server-only-ended", SETUP_PAIRED_AGENT,
    "{\"type\":\"ended\",\"session\":\"@SESSION@\",\"reason\":\"hangup\"}",
    .code = "unknown-type" },
  { "type/duplicate-last-wins", SETUP_AGENT,
    "{\"type\":\"status\",\"id\":\"dup\",\"available\":true,\"type\":\"queued\"}",
    .code = "unknown-type", .ref = "\"dup\"" },

  /* hello, field by field. */
  { "hello/protocol-missing", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-1\","
    HELLO_REST, .code = "missing-field", .ref = "\"h-1\"" },
  { "hello/protocol-string", SETUP_NONE,
    "{\"type\":\"hello\",\"id\":\"h-2\",\"protocol\":\"1\"," HELLO_REST,
    .code = "bad-field", .ref = "\"h-2\"" },
  { "hello/protocol-real", SETUP_NONE,
    "{\"type\":\"hello\",\"id\":\"h-3\",\"protocol\":1.0," HELLO_REST,
    .code = "bad-field", .ref = "\"h-3\"" },
  { "hello/protocol-beyond-32-bits", SETUP_NONE,
    "{\"type\":\"hello\",\"id\":\"h-4\",\"protocol\":4294967297," HELLO_REST,
    .code = "bad-field", .ref = "\"h-4\"" },
  { "hello/protocol-2", SETUP_NONE,
    "{\"type\":\"hello\",\"id\":\"h-5\",\"protocol\":2," HELLO_REST,
    .code = "unsupported-protocol", .ref = "\"h-5\"" },
  { "hello/protocol-0", SETUP_NONE,
    "{\"type\":\"hello\",\"id\":6,\"protocol\":0," HELLO_REST,
    .code = "unsupported-protocol", .ref = "6" },
  { "hello/role-missing", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-7\","
    "\"protocol\":1,\"name\":\"李娜\",\"province\":\"anhui\",\"center\":\"\"}",
    .code = "missing-field", .ref = "\"h-7\"" },
  { "hello/role-boss", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-8\","
    "\"protocol\":1,\"role\":\"boss\",\"name\":\"李娜\",\"province\":\"anhui\","
    "\"center\":\"\"}", .code = "bad-field", .ref = "\"h-8\"" },
  { "hello/role-wrong-case", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-9\","
    "\"protocol\":1,\"role\":\"Agent\",\"name\":\"王芳\",\"province\":\"shanghai\","
    "\"center\":\"黄浦区政务服务中心\"}", .code = "bad-field", .ref = "\"h-9\"" },
  { "hello/name-missing", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-10\","
    "\"protocol\":1,\"role\":\"clerk\",\"province\":\"anhui\",\"center\":\"\"}",
    .code = "missing-field", .ref = "\"h-10\"" },
  { "hello/name-empty", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-11\","
    "\"protocol\":1,\"role\":\"clerk\",\"name\":\"\",\"province\":\"anhui\","
    "\"center\":\"\"}", .code = "bad-field", .ref = "\"h-11\"" },
  { "hello/name-null", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-12\","
    "\"protocol\":1,\"role\":\"clerk\",\"name\":null,\"province\":\"anhui\","
    "\"center\":\"\"}", .code = "bad-field", .ref = "\"h-12\"" },
  { "hello/province-missing", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-13\","
    "\"protocol\":1,\"role\":\"clerk\",\"name\":\"李娜\",\"center\":\"\"}",
    .code = "missing-field", .ref = "\"h-13\"" },
  { "hello/province-number", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-14\","
    "\"protocol\":1,\"role\":\"clerk\",\"name\":\"李娜\",\"province\":34,"
    "\"center\":\"\"}", .code = "bad-field", .ref = "\"h-14\"" },
  { "hello/province-unknown", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-15\","
    "\"protocol\":1,\"role\":\"agent\",\"name\":\"王芳\",\"province\":\"beijing\","
    "\"center\":\"黄浦区政务服务中心\"}", .code = "unknown-province", .ref = "\"h-15\"" },
  { "hello/province-display-name", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-16\","
    "\"protocol\":1,\"role\":\"clerk\",\"name\":\"李娜\",\"province\":\"安徽\","
    "\"center\":\"\"}", .code = "unknown-province", .ref = "\"h-16\"" },
  { "hello/province-wrong-case", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-17\","
    "\"protocol\":1,\"role\":\"agent\",\"name\":\"王芳\",\"province\":\"Shanghai\","
    "\"center\":\"黄浦区政务服务中心\"}", .code = "unknown-province", .ref = "\"h-17\"" },
  { "hello/center-missing", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-18\","
    "\"protocol\":1,\"role\":\"clerk\",\"name\":\"李娜\",\"province\":\"anhui\"}",
    .code = "missing-field", .ref = "\"h-18\"" },
  { "hello/center-null", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-19\","
    "\"protocol\":1,\"role\":\"clerk\",\"name\":\"李娜\",\"province\":\"anhui\","
    "\"center\":null}", .code = "bad-field", .ref = "\"h-19\"" },
  /* Agents and supervisors sign in: the token, and nothing else, says who
   * they are. */
#define AGENT_HELLO(id) "{\"type\":\"hello\",\"id\":\"" id "\",\"protocol\":1," \
    "\"role\":\"agent\",\"name\":\"王芳\",\"province\":\"shanghai\"," \
    "\"center\":\"黄浦区政务服务中心\""
  { "hello/agent-without-token", SETUP_NONE, AGENT_HELLO ("t-1") "}",
    .code = "unauthorized", .ref = "\"t-1\"" },
  { "hello/agent-token-forged", SETUP_NONE, AGENT_HELLO ("t-2") ",\"token\":\"@FORGED@\"}",
    .code = "unauthorized", .ref = "\"t-2\"" },
  { "hello/agent-token-expired", SETUP_NONE, AGENT_HELLO ("t-3") ",\"token\":\"@EXPIRED@\"}",
    .code = "unauthorized", .ref = "\"t-3\"" },
  { "hello/agent-token-signed-out", SETUP_NONE,
    AGENT_HELLO ("t-3b") ",\"token\":\"@SIGNEDOUT@\"}", .code = "unauthorized", .ref = "\"t-3b\"" },
  { "hello/agent-token-garbage", SETUP_NONE, AGENT_HELLO ("t-4") ",\"token\":\"v1.e30.AAAA\"}",
    .code = "unauthorized", .ref = "\"t-4\"" },
  { "hello/agent-token-of-supervisor", SETUP_NONE,
    AGENT_HELLO ("t-5") ",\"token\":\"@SUPERVISOR@\"}", .code = "forbidden", .ref = "\"t-5\"" },
  { "hello/supervisor-token-of-agent", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"t-6\","
    "\"protocol\":1,\"role\":\"supervisor\",\"name\":\"赵蕾\",\"province\":\"shanghai\","
    "\"center\":\"\",\"token\":\"@AGENT@\"}", .code = "forbidden", .ref = "\"t-6\"" },
  { "hello/supervisor-without-token", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"t-7\","
    "\"protocol\":1,\"role\":\"supervisor\",\"name\":\"赵蕾\",\"province\":\"shanghai\","
    "\"center\":\"\"}", .code = "unauthorized", .ref = "\"t-7\"" },
  /* 好差评: by the clerk of a session that is over, once, 1..5. */
  { "rate/as-agent", SETUP_AGENT, "{\"type\":\"rate\",\"id\":\"r-1\","
    "\"session\":\"s-nowhere\",\"level\":5}", .code = "wrong-role", .ref = "\"r-1\"" },
  { "rate/unknown-session", SETUP_CLERK, "{\"type\":\"rate\",\"id\":\"r-2\","
    "\"session\":\"s-nowhere\",\"level\":5}", .code = "unknown-session", .ref = "\"r-2\"" },
  { "rate/level-0", SETUP_CLERK, "{\"type\":\"rate\",\"id\":\"r-3\","
    "\"session\":\"s-nowhere\",\"level\":0}", .code = "bad-field", .ref = "\"r-3\"" },
  { "rate/level-6", SETUP_CLERK, "{\"type\":\"rate\",\"id\":\"r-4\","
    "\"session\":\"s-nowhere\",\"level\":6}", .code = "bad-field", .ref = "\"r-4\"" },
  { "rate/level-string", SETUP_CLERK, "{\"type\":\"rate\",\"id\":\"r-5\","
    "\"session\":\"s-nowhere\",\"level\":\"5\"}", .code = "bad-field", .ref = "\"r-5\"" },
  { "rate/session-still-open", SETUP_PAIRED_CLERK, "{\"type\":\"rate\",\"id\":\"r-6\","
    "\"session\":\"@SESSION@\",\"level\":4}", .code = "wrong-state", .ref = "\"r-6\"" },
  { "rate/other-clerks-session", SETUP_OTHER_PAIR, "{\"type\":\"rate\",\"id\":\"r-7\","
    "\"session\":\"@OTHER@\",\"level\":1}", .code = "unknown-session", .ref = "\"r-7\"" },
  /* Watching live: supervisors only, sessions in their scope only. */
  { "monitor/as-clerk", SETUP_CLERK, "{\"type\":\"monitor\",\"id\":\"m-1\","
    "\"session\":\"s-nowhere\"}", .code = "wrong-role", .ref = "\"m-1\"" },
  { "monitor/as-agent", SETUP_AGENT, "{\"type\":\"monitor\",\"id\":\"m-2\","
    "\"session\":\"s-nowhere\"}", .code = "wrong-role", .ref = "\"m-2\"" },
  { "monitor/unknown-session", SETUP_SUPERVISOR, "{\"type\":\"monitor\",\"id\":\"m-3\","
    "\"session\":\"s-nowhere\"}", .code = "unknown-session", .ref = "\"m-3\"" },
  { "monitor/publish-without-session", SETUP_SUPERVISOR, "{\"type\":\"publish\","
    "\"id\":\"m-4\",\"session\":\"s-nowhere\",\"tracks\":[]}", .code = "wrong-state",
    .ref = "\"m-4\"" },
  { "hello/again-as-agent", SETUP_AGENT, "{\"type\":\"hello\",\"id\":\"h-20\","
    "\"protocol\":1,\"role\":\"agent\",\"name\":\"王芳\",\"province\":\"shanghai\","
    "\"center\":\"黄浦区政务服务中心\"}", .code = "already-registered", .ref = "\"h-20\"" },
  { "hello/again-as-other-role", SETUP_CLERK,
    "{\"type\":\"hello\",\"id\":\"h-21\",\"protocol\":1," HELLO_REST,
    .code = "already-registered", .ref = "\"h-21\"" },
  { "hello/again-while-paired", SETUP_PAIRED_AGENT, "{\"type\":\"hello\","
    "\"id\":\"h-22\",\"protocol\":1,\"role\":\"agent\",\"name\":\"王芳\","
    "\"province\":\"shanghai\",\"center\":\"黄浦区政务服务中心\"}",
    .code = "already-registered", .ref = "\"h-22\"" },

  /* id: checked before anything else; an invalid id gives no ref. */
  { "id/object", SETUP_NONE, "{\"type\":\"hello\",\"id\":{\"seq\":1},"
    "\"protocol\":1," HELLO_REST, .code = "bad-field" },
  { "id/array", SETUP_AGENT, "{\"type\":\"status\",\"id\":[1],\"available\":true}",
    .code = "bad-field" },
  { "id/null", SETUP_AGENT, "{\"type\":\"status\",\"id\":null,\"available\":true}",
    .code = "bad-field" },
  { "id/boolean", SETUP_AGENT, "{\"type\":\"status\",\"id\":true,\"available\":true}",
    .code = "bad-field" },
  { "id/real", SETUP_AGENT, "{\"type\":\"status\",\"id\":1.5,\"available\":true}",
    .code = "bad-field" },
  { "id/string-129-bytes", SETUP_AGENT,
    "{\"type\":\"status\",\"id\":\"" ID128 "x\",\"available\":true}",
    .code = "bad-field" },
  { "id/before-type", SETUP_NONE, "{\"type\":[],\"id\":{}}", .code = "bad-field" },
  { "id/string-128-bytes-echoed", SETUP_CLERK,
    "{\"type\":\"status\",\"id\":\"" ID128 "\",\"available\":true}",
    .code = "wrong-role", .ref = "\"" ID128 "\"" },
  { "id/negative-integer-echoed", SETUP_NONE,
    "{\"type\":\"status\",\"id\":-7,\"available\":true}",
    .code = "not-registered", .ref = "-7" },
  { "id/chinese-echoed", SETUP_NONE,
    "{\"type\":\"request\",\"id\":\"请求-1\",\"province\":\"shanghai\","
    "\"item\":\"GJJ-TQ-006\"}", .code = "not-registered", .ref = "\"请求-1\"" },
  { "id/escaped-echoed", SETUP_AGENT,
    "{\"type\":\"status\",\"id\":\"a\\\"b\\\\c\\u4e0a\",\"available\":\"yes\"}",
    .code = "bad-field", .ref = "\"a\\\"b\\\\c上\"" },

  /* Before hello. */
  { "not-registered/status", SETUP_NONE,
    "{\"type\":\"status\",\"id\":\"s-1\",\"available\":true}",
    .code = "not-registered", .ref = "\"s-1\"" },
  { "not-registered/request", SETUP_NONE, "{\"type\":\"request\",\"id\":42,"
    "\"province\":\"shanghai\",\"item\":\"SP-JY-004\"}",
    .code = "not-registered", .ref = "42" },
  { "not-registered/hangup", SETUP_NONE,
    "{\"type\":\"hangup\",\"session\":\"" NO_SESSION "\"}", .code = "not-registered" },
  { "not-registered/ice", SETUP_NONE, "{\"type\":\"ice\",\"id\":\"i-0\","
    "\"session\":\"" NO_SESSION "\",\"mline\":0,\"candidate\":\"\"}",
    .code = "not-registered", .ref = "\"i-0\"" },

  /* status. */
  { "status/available-string", SETUP_AGENT,
    "{\"type\":\"status\",\"id\":\"st-2\",\"available\":\"true\"}",
    .code = "bad-field", .ref = "\"st-2\"" },
  { "status/available-number", SETUP_AGENT,
    "{\"type\":\"status\",\"id\":\"st-3\",\"available\":1}",
    .code = "bad-field", .ref = "\"st-3\"" },
  { "status/available-missing", SETUP_AGENT, "{\"type\":\"status\",\"id\":\"st-4\"}",
    .code = "missing-field", .ref = "\"st-4\"" },
  { "status/from-clerk", SETUP_CLERK,
    "{\"type\":\"status\",\"id\":\"st-5\",\"available\":true}",
    .code = "wrong-role", .ref = "\"st-5\"" },
  { "status/while-paired", SETUP_PAIRED_AGENT,
    "{\"type\":\"status\",\"id\":\"st-6\",\"available\":false}",
    .code = "wrong-state", .ref = "\"st-6\"" },

  /* request. */
  { "request/item-missing", SETUP_CLERK,
    "{\"type\":\"request\",\"id\":\"r-2\",\"province\":\"shanghai\"}",
    .code = "missing-field", .ref = "\"r-2\"" },
  { "request/item-null", SETUP_CLERK,
    "{\"type\":\"request\",\"id\":\"r-3\",\"province\":\"shanghai\",\"item\":null}",
    .code = "bad-field", .ref = "\"r-3\"" },
  { "request/province-missing", SETUP_CLERK,
    "{\"type\":\"request\",\"id\":\"r-4\",\"item\":\"YB-YD-005\"}",
    .code = "missing-field", .ref = "\"r-4\"" },
  { "request/province-unknown", SETUP_CLERK, "{\"type\":\"request\",\"id\":\"r-5\","
    "\"province\":\"hubei\",\"item\":\"YB-YD-005\"}",
    .code = "unknown-province", .ref = "\"r-5\"" },
  { "request/from-agent", SETUP_AGENT, "{\"type\":\"request\",\"id\":\"r-6\","
    "\"province\":\"zhejiang\",\"item\":\"QY-SL-001\"}",
    .code = "wrong-role", .ref = "\"r-6\"" },
  { "request/while-queued", SETUP_CLERK_QUEUED, "{\"type\":\"request\","
    "\"id\":\"r-7\",\"province\":\"anhui\",\"item\":\"SB-ZY-009\"}",
    .code = "wrong-state", .ref = "\"r-7\"" },
  { "request/while-paired", SETUP_PAIRED_CLERK, "{\"type\":\"request\","
    "\"id\":\"r-8\",\"province\":\"shanghai\",\"item\":\"QY-ZX-003\"}",
    .code = "wrong-state", .ref = "\"r-8\"" },

  /* request: the item is a catalogue code, handled in that province at
   * the remote window; a booking must exist. */
  { "request/item-empty", SETUP_CLERK,
    "{\"type\":\"request\",\"id\":\"r-9\",\"province\":\"shanghai\",\"item\":\"\"}",
    .code = "bad-field", .ref = "\"r-9\"" },
  { "request/item-unknown", SETUP_CLERK, "{\"type\":\"request\",\"id\":\"r-10\","
    "\"province\":\"shanghai\",\"item\":\"企业设立\"}",
    .code = "unknown-item", .ref = "\"r-10\"" },
  { "request/item-online-only", SETUP_CLERK, "{\"type\":\"request\",\"id\":\"r-11\","
    "\"province\":\"shanghai\",\"item\":\"CS-YJS-007\"}",
    .code = "unknown-item", .ref = "\"r-11\"" },
  { "request/item-not-in-province", SETUP_CLERK, "{\"type\":\"request\",\"id\":\"r-12\","
    "\"province\":\"anhui\",\"item\":\"SP-JY-004\"}",
    .code = "unknown-item", .ref = "\"r-12\"" },
  { "request/booking-unknown", SETUP_CLERK, "{\"type\":\"request\",\"id\":\"r-13\","
    "\"province\":\"shanghai\",\"item\":\"QY-SL-001\",\"booking\":\"ABCD2345\"}",
    .code = "unknown-booking", .ref = "\"r-13\"" },
  { "request/booking-not-string", SETUP_CLERK, "{\"type\":\"request\",\"id\":\"r-14\","
    "\"province\":\"shanghai\",\"item\":\"QY-SL-001\",\"booking\":7}",
    .code = "bad-field", .ref = "\"r-14\"" },

  /* hello.items: codes of the catalogue. */
  { "hello/items-unknown", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-i1\",\"protocol\":1,"
    "\"role\":\"agent\",\"name\":\"王芳\",\"province\":\"shanghai\",\"center\":\"\","
    "\"token\":\"@AGENT@\",\"items\":[\"QY-SL-001\",\"NO-SUCH-1\"]}",
    .code = "unknown-item", .ref = "\"h-i1\"" },
  { "hello/items-not-strings", SETUP_NONE, "{\"type\":\"hello\",\"id\":\"h-i2\",\"protocol\":1,"
    "\"role\":\"agent\",\"name\":\"王芳\",\"province\":\"shanghai\",\"center\":\"\","
    "\"token\":\"@AGENT@\",\"items\":[1]}",
    .code = "bad-field", .ref = "\"h-i2\"" },

  /* transfer and invite: the serving agent, in its session. */
  { "transfer/outside-session", SETUP_AGENT, "{\"type\":\"transfer\",\"id\":\"t-1\","
    "\"session\":\"" NO_SESSION "\",\"agent\":\"lina\"}",
    .code = "wrong-state", .ref = "\"t-1\"" },
  { "transfer/from-clerk", SETUP_PAIRED_CLERK, "{\"type\":\"transfer\",\"id\":\"t-2\","
    "\"session\":\"@SESSION@\",\"agent\":\"lina\"}",
    .code = "wrong-role", .ref = "\"t-2\"" },
  { "transfer/both-targets", SETUP_PAIRED_AGENT, "{\"type\":\"transfer\",\"id\":\"t-3\","
    "\"session\":\"@SESSION@\",\"agent\":\"lina\",\"item\":\"QY-SL-001\"}",
    .code = "bad-field", .ref = "\"t-3\"" },
  { "transfer/no-target", SETUP_PAIRED_AGENT, "{\"type\":\"transfer\",\"id\":\"t-4\","
    "\"session\":\"@SESSION@\"}", .code = "bad-field", .ref = "\"t-4\"" },
  { "transfer/unknown-agent", SETUP_PAIRED_AGENT, "{\"type\":\"transfer\",\"id\":\"t-5\","
    "\"session\":\"@SESSION@\",\"agent\":\"nobody\"}",
    .code = "unknown-agent", .ref = "\"t-5\"" },
  { "transfer/unknown-item", SETUP_PAIRED_AGENT, "{\"type\":\"transfer\",\"id\":\"t-6\","
    "\"session\":\"@SESSION@\",\"item\":\"NO-SUCH-1\"}",
    .code = "unknown-item", .ref = "\"t-6\"" },
  { "transfer/unknown-province", SETUP_PAIRED_AGENT, "{\"type\":\"transfer\",\"id\":\"t-7\","
    "\"session\":\"@SESSION@\",\"item\":\"QY-SL-001\",\"province\":\"hubei\"}",
    .code = "unknown-province", .ref = "\"t-7\"" },
  { "transfer/other-session", SETUP_PAIRED_AGENT, "{\"type\":\"transfer\",\"id\":\"t-8\","
    "\"session\":\"" NO_SESSION "\",\"item\":\"QY-SL-001\"}",
    .code = "unknown-session", .ref = "\"t-8\"" },
  { "invite/agent-missing", SETUP_PAIRED_AGENT, "{\"type\":\"invite\",\"id\":\"i-1\","
    "\"session\":\"@SESSION@\"}", .code = "missing-field", .ref = "\"i-1\"" },
  { "invite/unknown-agent", SETUP_PAIRED_AGENT, "{\"type\":\"invite\",\"id\":\"i-2\","
    "\"session\":\"@SESSION@\",\"agent\":\"nobody\"}",
    .code = "unknown-agent", .ref = "\"i-2\"" },
  { "invite/from-clerk", SETUP_PAIRED_CLERK, "{\"type\":\"invite\",\"id\":\"i-3\","
    "\"session\":\"@SESSION@\",\"agent\":\"lina\"}",
    .code = "wrong-role", .ref = "\"i-3\"" },

  /* The order of checks: fields, registration, role, state, session. */
  { "order/field-before-registration", SETUP_NONE,
    "{\"type\":\"status\",\"id\":\"ord-1\",\"available\":\"yes\"}",
    .code = "bad-field", .ref = "\"ord-1\"" },
  { "order/role-before-state", SETUP_CLERK_QUEUED,
    "{\"type\":\"status\",\"id\":\"ord-2\",\"available\":true}",
    .code = "wrong-role", .ref = "\"ord-2\"" },
  { "order/state-before-session", SETUP_CLERK,
    "{\"type\":\"ice\",\"id\":\"ord-3\",\"session\":\"" NO_SESSION "\","
    "\"mline\":0,\"candidate\":\"\"}", .code = "wrong-state", .ref = "\"ord-3\"" },

  /* Session messages outside a session: wrong-state. */
  { "wrong-state/hangup", SETUP_AGENT,
    "{\"type\":\"hangup\",\"id\":9,\"session\":\"" NO_SESSION "\"}",
    .code = "wrong-state", .ref = "9" },
  { "wrong-state/hangup-queued", SETUP_CLERK_QUEUED,
    "{\"type\":\"hangup\",\"id\":10,\"session\":\"" NO_SESSION "\"}",
    .code = "wrong-state", .ref = "10" },
  { "wrong-state/publish", SETUP_CLERK, "{\"type\":\"publish\",\"id\":\"p-1\","
    "\"session\":\"" NO_SESSION "\",\"tracks\":[{\"kind\":\"audio\"}]}",
    .code = "wrong-state", .ref = "\"p-1\"" },
  { "wrong-state/answer", SETUP_AGENT, "{\"type\":\"answer\",\"id\":\"a-1\","
    "\"session\":\"" NO_SESSION "\",\"sdp\":\"v=0\\r\\n\"}",
    .code = "wrong-state", .ref = "\"a-1\"" },
  { "wrong-state/ice", SETUP_AGENT, "{\"type\":\"ice\",\"id\":\"i-1\","
    "\"session\":\"" NO_SESSION "\",\"mline\":0,\"candidate\":\"\"}",
    .code = "wrong-state", .ref = "\"i-1\"" },
  { "wrong-state/answer-without-offer", SETUP_PAIRED_AGENT,
    "{\"type\":\"answer\",\"id\":\"a-2\",\"session\":\"@SESSION@\","
    "\"sdp\":\"v=0\\r\\n\"}", .code = "wrong-state", .ref = "\"a-2\"" },

  /* Naming a session that is not the sender's. */
  { "unknown-session/hangup", SETUP_PAIRED_CLERK,
    "{\"type\":\"hangup\",\"id\":\"hu-1\",\"session\":\"" NO_SESSION "\"}",
    .code = "unknown-session", .ref = "\"hu-1\"" },
  { "unknown-session/hangup-others", SETUP_OTHER_PAIR,
    "{\"type\":\"hangup\",\"id\":\"hu-2\",\"session\":\"@OTHER@\"}",
    .code = "unknown-session", .ref = "\"hu-2\"" },
  { "unknown-session/ice-others", SETUP_OTHER_PAIR, "{\"type\":\"ice\","
    "\"id\":\"i-2\",\"session\":\"@OTHER@\",\"mline\":0,\"candidate\":\"\"}",
    .code = "unknown-session", .ref = "\"i-2\"" },
  { "unknown-session/publish-others", SETUP_OTHER_PAIR, "{\"type\":\"publish\","
    "\"id\":\"p-2\",\"session\":\"@OTHER@\",\"tracks\":[]}",
    .code = "unknown-session", .ref = "\"p-2\"" },
  { "unknown-session/answer-empty", SETUP_PAIRED_AGENT, "{\"type\":\"answer\","
    "\"id\":\"a-3\",\"session\":\"\",\"sdp\":\"v=0\\r\\n\"}",
    .code = "unknown-session", .ref = "\"a-3\"" },

  /* Media fields (checked while parsing, before any state). */
  { "publish/tracks-not-array", SETUP_PAIRED_CLERK, "{\"type\":\"publish\","
    "\"id\":\"p-3\",\"session\":\"@SESSION@\",\"tracks\":{\"kind\":\"audio\"}}",
    .code = "bad-field", .ref = "\"p-3\"" },
  { "publish/kind-unknown", SETUP_PAIRED_AGENT, "{\"type\":\"publish\","
    "\"id\":\"p-4\",\"session\":\"@SESSION@\",\"tracks\":[{\"kind\":\"hologram\"}]}",
    .code = "bad-field", .ref = "\"p-4\"" },
  { "publish/kind-repeated", SETUP_PAIRED_AGENT, "{\"type\":\"publish\","
    "\"id\":\"p-5\",\"session\":\"@SESSION@\",\"tracks\":[{\"kind\":\"document\"},"
    "{\"kind\":\"camera\"},{\"kind\":\"document\"}]}",
    .code = "bad-field", .ref = "\"p-5\"" },
  { "publish/kind-missing", SETUP_AGENT, "{\"type\":\"publish\",\"id\":\"p-6\","
    "\"session\":\"" NO_SESSION "\",\"tracks\":[{\"codec\":\"VP8\"}]}",
    .code = "missing-field", .ref = "\"p-6\"" },
  { "ice/mline-negative", SETUP_PAIRED_CLERK, "{\"type\":\"ice\",\"id\":\"i-3\","
    "\"session\":\"@SESSION@\",\"mline\":-1,\"candidate\":\"\"}",
    .code = "bad-field", .ref = "\"i-3\"" },
  { "ice/mline-beyond-32-bits", SETUP_AGENT, "{\"type\":\"ice\",\"id\":\"i-5\","
    "\"session\":\"" NO_SESSION "\",\"mline\":4294967296,\"candidate\":\"\"}",
    .code = "bad-field", .ref = "\"i-5\"" },
  { "ice/candidate-missing", SETUP_AGENT, "{\"type\":\"ice\",\"id\":\"i-4\","
    "\"session\":\"" NO_SESSION "\",\"mline\":0}",
    .code = "missing-field", .ref = "\"i-4\"" },
  { "hangup/session-missing", SETUP_PAIRED_CLERK,
    "{\"type\":\"hangup\",\"id\":\"hu-3\"}", .code = "missing-field", .ref = "\"hu-3\"" },

  /* Frames. */
  { "frame/binary", SETUP_NONE, "{\"type\":\"hello\"}", .binary = TRUE,
    .code = "binary-frame" },
  { "frame/binary-registered", SETUP_PAIRED_CLERK, "\x89PNG\r\n\x1a\n",
    .binary = TRUE, .code = "binary-frame" },
  /* Exactly at the limit: parsed normally (the ref proves it). */
  { "size/64KiB", SETUP_NONE,
    "{\"type\":\"status\",\"id\":\"at-limit\",\"available\":true}",
    .pad_to = VW_MAX_MESSAGE_SIZE, .code = "not-registered", .ref = "\"at-limit\"" },
  { "size/64KiB+1", SETUP_AGENT,
    "{\"type\":\"status\",\"id\":\"over\",\"available\":true}",
    .pad_to = VW_MAX_MESSAGE_SIZE + 1, .code = "too-large" },
  { "size/1MiB", SETUP_CLERK,
    "{\"type\":\"request\",\"province\":\"anhui\",\"item\":\"QY-SL-001\"}",
    .pad_to = ONE_MIB, .code = "too-large" },
};

const guint vw_n_bad_inputs = G_N_ELEMENTS (vw_bad_inputs);
