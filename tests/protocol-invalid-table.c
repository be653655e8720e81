/* protocol-invalid-table.c: the rows of test-protocol's invalid input (see
 * protocol-invalid-table.h): strict JSON, every message's fields, and
 * messages from the wrong side. */
#include "protocol-invalid-table.h"

#define CLIENT(n, t, c, needle_) \
  { .name = n, .text = t, .length = -1, .from = VW_FROM_CLIENT, \
    .code = VW_PROTOCOL_ERROR_##c, .needle = needle_ }
#define CLIENT_REF(n, t, c, ref_, needle_) \
  { .name = n, .text = t, .length = -1, .from = VW_FROM_CLIENT, \
    .code = VW_PROTOCOL_ERROR_##c, .ref = ref_, .needle = needle_ }
/* @t may contain NUL bytes: its length is the literal's. */
#define CLIENT_BYTES(n, t, c, needle_) \
  { .name = n, .text = t, .length = sizeof (t) - 1, .from = VW_FROM_CLIENT, \
    .code = VW_PROTOCOL_ERROR_##c, .needle = needle_ }
#define SERVER(n, t, c, needle_) \
  { .name = n, .text = t, .length = -1, .from = VW_FROM_SERVER, \
    .code = VW_PROTOCOL_ERROR_##c, .needle = needle_ }

#define HELLO_TAIL "\"province\":\"shanghai\",\"center\":\"黄浦区政务服务中心\""
#define PEER_OK "{\"name\":\"李娜\",\"role\":\"clerk\",\"province\":\"anhui\",\"center\":\"合肥市政务服务中心\"}"
#define TRACK_OK "{\"mid\":\"0\",\"kind\":\"audio\",\"direction\":\"send\",\"peer\":\"p1\"}"

const InvalidCase vw_invalid_cases[] = {
  /* Not JSON at all, or not strict JSON. */
  CLIENT ("empty", "", BAD_JSON, "empty"),
  CLIENT ("whitespace-only", " \r\n\t ", BAD_JSON, NULL),
  CLIENT ("truncated-object", "{", BAD_JSON, NULL),
  CLIENT ("truncated-string", "{\"type\":\"hel", BAD_JSON, "unterminated"),
  CLIENT ("missing-colon", "{\"type\" \"hello\"}", BAD_JSON, NULL),
  CLIENT ("bare-word", "hello", BAD_JSON, NULL),
  CLIENT ("unquoted-key", "{type:\"status\",\"available\":true}", BAD_JSON, NULL),
  CLIENT ("single-quotes", "{'type':'status','available':true}", BAD_JSON, NULL),
  CLIENT ("trailing-comma", "{\"type\":\"status\",\"available\":true,}", BAD_JSON, NULL),
  CLIENT ("trailing-garbage", "{\"type\":\"status\",\"available\":true} x", BAD_JSON, "after"),
  CLIENT ("two-objects", "{\"type\":\"status\",\"available\":true}{}", BAD_JSON, "after"),
  CLIENT ("comment", "/* hi */{\"type\":\"status\",\"available\":true}", BAD_JSON, NULL),
  CLIENT ("hex-number", "{\"type\":\"ice\",\"session\":\"s\",\"mline\":0x1,\"candidate\":\"\"}", BAD_JSON, NULL),
  CLIENT ("leading-zero", "{\"type\":\"ice\",\"session\":\"s\",\"mline\":01,\"candidate\":\"\"}", BAD_JSON, NULL),
  CLIENT ("plus-sign", "{\"type\":\"ice\",\"session\":\"s\",\"mline\":+1,\"candidate\":\"\"}", BAD_JSON, NULL),
  CLIENT ("bare-minus", "{\"type\":\"ice\",\"session\":\"s\",\"mline\":-,\"candidate\":\"\"}", BAD_JSON, NULL),
  CLIENT ("dot-without-digits", "{\"type\":\"ice\",\"session\":\"s\",\"mline\":1.,\"candidate\":\"\"}", BAD_JSON, NULL),
  CLIENT ("int64-overflow", "{\"type\":\"ice\",\"session\":\"s\",\"mline\":99999999999999999999,\"candidate\":\"\"}", BAD_JSON, "out of range"),
  CLIENT ("double-overflow", "{\"type\":\"ice\",\"session\":\"s\",\"mline\":1e999,\"candidate\":\"\"}", BAD_JSON, "out of range"),
  CLIENT ("bad-literal", "{\"type\":\"status\",\"available\":tru}", BAD_JSON, NULL),
  CLIENT ("capital-literal", "{\"type\":\"status\",\"available\":True}", BAD_JSON, NULL),
  CLIENT ("raw-control-char", "{\"type\":\"hangup\",\"session\":\"a\tb\"}", BAD_JSON, "control"),
  CLIENT ("escaped-nul", "{\"type\":\"hangup\",\"session\":\"a\\u0000b\"}", BAD_JSON, "NUL"),
  CLIENT ("lone-high-surrogate", "{\"type\":\"hangup\",\"session\":\"\\ud800\"}", BAD_JSON, "surrogate"),
  CLIENT ("lone-low-surrogate", "{\"type\":\"hangup\",\"session\":\"\\udc00x\"}", BAD_JSON, "surrogate"),
  CLIENT ("bad-escape", "{\"type\":\"hangup\",\"session\":\"\\x41\"}", BAD_JSON, "escape"),
  CLIENT ("short-u-escape", "{\"type\":\"hangup\",\"session\":\"\\u12\"}", BAD_JSON, NULL),
  CLIENT ("invalid-utf8", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"agent\",\"name\":\"\xff\xfe\"," HELLO_TAIL "}", BAD_JSON, "UTF-8"),
  CLIENT ("overlong-utf8", "{\"type\":\"hangup\",\"session\":\"\xc0\xaf\"}", BAD_JSON, "UTF-8"),
  CLIENT ("utf8-bom", "\xef\xbb\xbf{\"type\":\"status\",\"available\":true}", BAD_JSON, NULL),
  CLIENT_BYTES ("embedded-nul", "{\"type\":\"status\",\"available\":true}\0{}", BAD_JSON, "NUL"),
  CLIENT_BYTES ("nul-inside-string", "{\"type\":\"hangup\",\"session\":\"a\0b\"}", BAD_JSON, "NUL"),
  /* The id is only read from an object: none of these hand one back. */
  CLIENT ("bad-json-with-id", "{\"id\":5,\"type\":\"status\",\"available\":yes}", BAD_JSON, NULL),

  /* JSON, but not an object. */
  CLIENT ("array", "[]", NOT_OBJECT, NULL),
  CLIENT ("array-of-message", "[{\"type\":\"status\",\"available\":true}]", NOT_OBJECT, NULL),
  CLIENT ("number", "42", NOT_OBJECT, NULL),
  CLIENT ("double", "-1.5e3", NOT_OBJECT, NULL),
  CLIENT ("string", "\"hello\"", NOT_OBJECT, NULL),
  CLIENT ("null", "null", NOT_OBJECT, NULL),
  CLIENT ("true", " true ", NOT_OBJECT, NULL),

  /* The type member. */
  CLIENT ("empty-object", "{}", MISSING_FIELD, "'type'"),
  CLIENT_REF ("missing-type-with-id", "{\"id\":7,\"available\":true}", MISSING_FIELD, "7", "'type'"),
  CLIENT ("type-number", "{\"type\":1}", BAD_FIELD, "'type'"),
  CLIENT ("type-null", "{\"type\":null}", BAD_FIELD, "'type'"),
  CLIENT ("type-array", "{\"type\":[\"hello\"]}", BAD_FIELD, "'type'"),
  CLIENT_REF ("type-object-with-id", "{\"id\":\"a1\",\"type\":{}}", BAD_FIELD, "\"a1\"", "'type'"),
  CLIENT ("unknown-type", "{\"type\":\"dance\"}", UNKNOWN_TYPE, "dance"),
  CLIENT ("type-wrong-case", "{\"type\":\"Hello\"}", UNKNOWN_TYPE, NULL),
  CLIENT ("type-empty", "{\"type\":\"\"}", UNKNOWN_TYPE, NULL),
  CLIENT_REF ("unknown-type-with-id", "{\"type\":\"dance\",\"id\":\"x-9\"}", UNKNOWN_TYPE, "\"x-9\"", NULL),

  /* Server-only types sent by a client. */
  CLIENT ("client-sends-welcome", "{\"type\":\"welcome\",\"peer_id\":\"p1\"}", UNKNOWN_TYPE, "welcome"),
  CLIENT ("client-sends-queued", "{\"type\":\"queued\",\"position\":1,\"province\":\"anhui\"}", UNKNOWN_TYPE, "queued"),
  CLIENT ("client-sends-paired", "{\"type\":\"paired\",\"session\":\"s1\",\"peer\":" PEER_OK "}", UNKNOWN_TYPE, "paired"),
  CLIENT ("client-sends-ended", "{\"type\":\"ended\",\"session\":\"s1\",\"reason\":\"hangup\"}", UNKNOWN_TYPE, "ended"),
  CLIENT ("client-sends-error", "{\"type\":\"error\",\"code\":\"internal\",\"message\":\"x\"}", UNKNOWN_TYPE, "error"),
  CLIENT_REF ("client-sends-ok", "{\"type\":\"ok\",\"ref\":1,\"id\":2}", UNKNOWN_TYPE, "2", "ok"),
  CLIENT ("client-sends-offer", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\",\"tracks\":[]}", UNKNOWN_TYPE, "offer"),
  CLIENT ("client-sends-keyframe", "{\"type\":\"keyframe\",\"session\":\"s1\",\"kind\":\"camera\"}", UNKNOWN_TYPE, "keyframe"),
  SERVER ("keyframe-missing-kind", "{\"type\":\"keyframe\",\"session\":\"s1\"}", MISSING_FIELD, "kind"),
  SERVER ("keyframe-bad-kind", "{\"type\":\"keyframe\",\"session\":\"s1\",\"kind\":\"face\"}", BAD_FIELD, "kind"),
  CLIENT ("client-sends-bitrate", "{\"type\":\"bitrate\",\"session\":\"s1\",\"kind\":\"camera\",\"max-bitrate\":300000}", UNKNOWN_TYPE, "bitrate"),
  SERVER ("bitrate-audio", "{\"type\":\"bitrate\",\"session\":\"s1\",\"kind\":\"audio\",\"max-bitrate\":300000}", BAD_FIELD, "kind"),
  SERVER ("bitrate-zero", "{\"type\":\"bitrate\",\"session\":\"s1\",\"kind\":\"camera\",\"max-bitrate\":0}", BAD_FIELD, "max-bitrate"),
  SERVER ("bitrate-missing", "{\"type\":\"bitrate\",\"session\":\"s1\",\"kind\":\"camera\"}", MISSING_FIELD, "max-bitrate"),
  /* Client-only types sent by the server. */
  SERVER ("server-sends-hello", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"agent\",\"name\":\"王芳\"," HELLO_TAIL "}", UNKNOWN_TYPE, "hello"),
  SERVER ("server-sends-status", "{\"type\":\"status\",\"available\":true}", UNKNOWN_TYPE, "status"),
  SERVER ("server-sends-request", "{\"type\":\"request\",\"province\":\"jiangsu\",\"item\":\"x\"}", UNKNOWN_TYPE, "request"),
  SERVER ("server-sends-hangup", "{\"type\":\"hangup\",\"session\":\"s1\"}", UNKNOWN_TYPE, "hangup"),
  SERVER ("server-sends-publish", "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":[]}", UNKNOWN_TYPE, "publish"),
  SERVER ("server-sends-answer", "{\"type\":\"answer\",\"session\":\"s1\",\"sdp\":\"v=0\"}", UNKNOWN_TYPE, "answer"),

  /* The id. */
  CLIENT ("id-object", "{\"type\":\"status\",\"available\":true,\"id\":{}}", BAD_FIELD, "'id'"),
  CLIENT ("id-bool", "{\"type\":\"status\",\"available\":true,\"id\":true}", BAD_FIELD, "'id'"),
  CLIENT ("id-null", "{\"type\":\"status\",\"available\":true,\"id\":null}", BAD_FIELD, "'id'"),
  CLIENT ("id-double", "{\"type\":\"status\",\"available\":true,\"id\":1.5}", BAD_FIELD, "'id'"),
  CLIENT ("id-array", "{\"type\":\"status\",\"available\":true,\"id\":[1]}", BAD_FIELD, "'id'"),
  CLIENT ("id-bad-before-type", "{\"id\":false}", BAD_FIELD, "'id'"),

  /* hello */
  CLIENT_REF ("hello-missing-protocol", "{\"type\":\"hello\",\"id\":1,\"role\":\"agent\",\"name\":\"王芳\"," HELLO_TAIL "}", MISSING_FIELD, "1", "'protocol'"),
  CLIENT ("hello-missing-role", "{\"type\":\"hello\",\"protocol\":1,\"name\":\"王芳\"," HELLO_TAIL "}", MISSING_FIELD, "'role'"),
  CLIENT ("hello-missing-name", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"agent\"," HELLO_TAIL "}", MISSING_FIELD, "'name'"),
  CLIENT ("hello-missing-province", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"agent\",\"name\":\"王芳\",\"center\":\"c\"}", MISSING_FIELD, "'province'"),
  CLIENT ("hello-missing-center", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"agent\",\"name\":\"王芳\",\"province\":\"shanghai\"}", MISSING_FIELD, "'center'"),
  CLIENT ("hello-protocol-string", "{\"type\":\"hello\",\"protocol\":\"1\",\"role\":\"agent\",\"name\":\"王芳\"," HELLO_TAIL "}", BAD_FIELD, "field 'protocol' must be an integer"),
  CLIENT ("hello-protocol-double", "{\"type\":\"hello\",\"protocol\":1.0,\"role\":\"agent\",\"name\":\"王芳\"," HELLO_TAIL "}", BAD_FIELD, "field 'protocol' must be an integer"),
  CLIENT ("hello-protocol-exponent", "{\"type\":\"hello\",\"protocol\":1e0,\"role\":\"agent\",\"name\":\"王芳\"," HELLO_TAIL "}", BAD_FIELD, "'protocol'"),
  CLIENT ("hello-protocol-null", "{\"type\":\"hello\",\"protocol\":null,\"role\":\"agent\",\"name\":\"王芳\"," HELLO_TAIL "}", BAD_FIELD, "'protocol'"),
  CLIENT ("hello-protocol-huge", "{\"type\":\"hello\",\"protocol\":4294967297,\"role\":\"agent\",\"name\":\"王芳\"," HELLO_TAIL "}", BAD_FIELD, "out of range"),
  CLIENT ("hello-role-unknown", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"auditor\",\"name\":\"王芳\"," HELLO_TAIL "}", BAD_FIELD, "field 'role' must be one of \"agent\", \"clerk\", \"supervisor\""),
  CLIENT ("hello-token-empty", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"agent\",\"name\":\"王芳\"," HELLO_TAIL ",\"token\":\"\"}", BAD_FIELD, "token"),
  CLIENT ("hello-token-number", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"agent\",\"name\":\"王芳\"," HELLO_TAIL ",\"token\":7}", BAD_FIELD, "token"),
  CLIENT ("monitor-no-session", "{\"type\":\"monitor\"}", MISSING_FIELD, "session"),
  CLIENT ("monitor-session-number", "{\"type\":\"monitor\",\"session\":3}", BAD_FIELD, "session"),
  SERVER ("recording-no-active", "{\"type\":\"recording\",\"session\":\"s-1\"}", MISSING_FIELD, "active"),
  SERVER ("recording-active-string", "{\"type\":\"recording\",\"session\":\"s-1\",\"active\":\"yes\"}", BAD_FIELD, "active"),
  CLIENT ("hello-role-case", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"Agent\",\"name\":\"王芳\"," HELLO_TAIL "}", BAD_FIELD, "'role'"),
  CLIENT ("hello-role-number", "{\"type\":\"hello\",\"protocol\":1,\"role\":0,\"name\":\"王芳\"," HELLO_TAIL "}", BAD_FIELD, "'role'"),
  CLIENT ("hello-name-empty", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"clerk\",\"name\":\"\"," HELLO_TAIL "}", BAD_FIELD, "field 'name' must be a non-empty string"),
  CLIENT ("hello-name-null", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"clerk\",\"name\":null," HELLO_TAIL "}", BAD_FIELD, "'name'"),
  CLIENT ("hello-name-number", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"clerk\",\"name\":5," HELLO_TAIL "}", BAD_FIELD, "'name'"),
  CLIENT ("hello-province-number", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"clerk\",\"name\":\"n\",\"province\":31,\"center\":\"c\"}", BAD_FIELD, "field 'province' must be a string"),
  CLIENT ("hello-center-array", "{\"type\":\"hello\",\"protocol\":1,\"role\":\"clerk\",\"name\":\"n\",\"province\":\"anhui\",\"center\":[]}", BAD_FIELD, "'center'"),

  /* status */
  CLIENT ("status-missing-available", "{\"type\":\"status\"}", MISSING_FIELD, "'available'"),
  CLIENT_REF ("status-available-string", "{\"type\":\"status\",\"available\":\"true\",\"id\":3}", BAD_FIELD, "3", "field 'available' must be a boolean"),
  CLIENT ("status-available-number", "{\"type\":\"status\",\"available\":1}", BAD_FIELD, "field 'available' must be a boolean"),
  CLIENT ("status-available-null", "{\"type\":\"status\",\"available\":null}", BAD_FIELD, "'available'"),

  /* request */
  CLIENT ("request-missing-province", "{\"type\":\"request\",\"item\":\"公积金跨省提取\"}", MISSING_FIELD, "'province'"),
  CLIENT ("request-missing-item", "{\"type\":\"request\",\"province\":\"zhejiang\"}", MISSING_FIELD, "'item'"),
  CLIENT ("request-province-number", "{\"type\":\"request\",\"province\":3,\"item\":\"x\"}", BAD_FIELD, "'province'"),
  CLIENT ("request-item-object", "{\"type\":\"request\",\"province\":\"zhejiang\",\"item\":{}}", BAD_FIELD, "'item'"),

  /* hangup */
  CLIENT ("hangup-missing-session", "{\"type\":\"hangup\"}", MISSING_FIELD, "'session'"),
  CLIENT ("hangup-session-number", "{\"type\":\"hangup\",\"session\":12}", BAD_FIELD, "'session'"),

  /* publish */
  CLIENT ("publish-missing-session", "{\"type\":\"publish\",\"tracks\":[]}", MISSING_FIELD, "'session'"),
  CLIENT ("publish-missing-tracks", "{\"type\":\"publish\",\"session\":\"s1\"}", MISSING_FIELD, "'tracks'"),
  CLIENT ("publish-tracks-object", "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":{\"kind\":\"audio\"}}", BAD_FIELD, "field 'tracks' must be an array"),
  CLIENT ("publish-tracks-string", "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":\"audio\"}", BAD_FIELD, "field 'tracks' must be an array"),
  CLIENT ("publish-tracks-null", "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":null}", BAD_FIELD, "'tracks'"),
  CLIENT ("publish-track-string", "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":[\"audio\"]}", BAD_FIELD, "field 'tracks[0]' must be an object"),
  CLIENT ("publish-second-track-number", "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":[{\"kind\":\"audio\"},3]}", BAD_FIELD, "'tracks[1]'"),
  CLIENT ("publish-track-missing-kind", "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":[{}]}", MISSING_FIELD, "'tracks[0].kind'"),
  CLIENT ("publish-track-bad-kind", "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":[{\"kind\":\"video\"}]}", BAD_FIELD, "field 'tracks[0].kind' must be one of \"audio\", \"camera\", \"screen\", \"document\""),
  CLIENT ("publish-track-kind-null", "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":[{\"kind\":\"camera\"},{\"kind\":null}]}", BAD_FIELD, "'tracks[1].kind'"),
  CLIENT ("publish-duplicate-kind", "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":[{\"kind\":\"audio\"},{\"kind\":\"screen\"},{\"kind\":\"audio\"}]}", BAD_FIELD, "'tracks[2].kind'"),

  /* answer */
  CLIENT ("answer-missing-session", "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}", MISSING_FIELD, "'session'"),
  CLIENT ("answer-missing-sdp", "{\"type\":\"answer\",\"session\":\"s1\"}", MISSING_FIELD, "'sdp'"),
  CLIENT ("answer-sdp-number", "{\"type\":\"answer\",\"session\":\"s1\",\"sdp\":0}", BAD_FIELD, "'sdp'"),
  CLIENT ("answer-sdp-object", "{\"type\":\"answer\",\"session\":\"s1\",\"sdp\":{\"type\":\"answer\"}}", BAD_FIELD, "'sdp'"),

  /* ice (from either side) */
  CLIENT ("ice-missing-session", "{\"type\":\"ice\",\"mline\":0,\"candidate\":\"\"}", MISSING_FIELD, "'session'"),
  CLIENT ("ice-missing-mline", "{\"type\":\"ice\",\"session\":\"s1\",\"candidate\":\"\"}", MISSING_FIELD, "'mline'"),
  CLIENT ("ice-missing-candidate", "{\"type\":\"ice\",\"session\":\"s1\",\"mline\":0}", MISSING_FIELD, "'candidate'"),
  CLIENT ("ice-negative-mline", "{\"type\":\"ice\",\"session\":\"s1\",\"mline\":-1,\"candidate\":\"\"}", BAD_FIELD, "field 'mline' must be an integer >= 0"),
  CLIENT ("ice-double-mline", "{\"type\":\"ice\",\"session\":\"s1\",\"mline\":0.0,\"candidate\":\"\"}", BAD_FIELD, "'mline'"),
  CLIENT ("ice-string-mline", "{\"type\":\"ice\",\"session\":\"s1\",\"mline\":\"0\",\"candidate\":\"\"}", BAD_FIELD, "'mline'"),
  CLIENT ("ice-candidate-null", "{\"type\":\"ice\",\"session\":\"s1\",\"mline\":0,\"candidate\":null}", BAD_FIELD, "'candidate'"),
  CLIENT ("ice-candidate-object", "{\"type\":\"ice\",\"session\":\"s1\",\"mline\":0,\"candidate\":{\"candidate\":\"c\"}}", BAD_FIELD, "'candidate'"),
  SERVER ("server-ice-negative-mline", "{\"type\":\"ice\",\"session\":\"s1\",\"mline\":-7,\"candidate\":\"\"}", BAD_FIELD, "'mline'"),

  /* welcome */
  SERVER ("welcome-missing-peer-id", "{\"type\":\"welcome\"}", MISSING_FIELD, "'peer_id'"),
  SERVER ("welcome-peer-id-number", "{\"type\":\"welcome\",\"peer_id\":1}", BAD_FIELD, "'peer_id'"),

  /* queued */
  SERVER ("queued-zero-position", "{\"type\":\"queued\",\"position\":0,\"province\":\"anhui\"}", BAD_FIELD, "field 'position' must be an integer >= 1"),
  SERVER ("queued-negative-position", "{\"type\":\"queued\",\"position\":-3,\"province\":\"anhui\"}", BAD_FIELD, "'position'"),
  SERVER ("queued-double-position", "{\"type\":\"queued\",\"position\":1.5,\"province\":\"anhui\"}", BAD_FIELD, "'position'"),
  SERVER ("queued-missing-position", "{\"type\":\"queued\",\"province\":\"anhui\"}", MISSING_FIELD, "'position'"),
  SERVER ("queued-missing-province", "{\"type\":\"queued\",\"position\":2}", MISSING_FIELD, "'province'"),

  /* paired */
  SERVER ("paired-missing-session", "{\"type\":\"paired\",\"peer\":" PEER_OK "}", MISSING_FIELD, "'session'"),
  SERVER ("paired-missing-peer", "{\"type\":\"paired\",\"session\":\"s1\"}", MISSING_FIELD, "'peer'"),
  SERVER ("paired-peer-string", "{\"type\":\"paired\",\"session\":\"s1\",\"peer\":\"p2\"}", BAD_FIELD, "field 'peer' must be an object"),
  SERVER ("paired-peer-array", "{\"type\":\"paired\",\"session\":\"s1\",\"peer\":[]}", BAD_FIELD, "'peer'"),
  SERVER ("paired-peer-empty", "{\"type\":\"paired\",\"session\":\"s1\",\"peer\":{}}", MISSING_FIELD, "'peer.name'"),
  SERVER ("paired-peer-missing-center", "{\"type\":\"paired\",\"session\":\"s1\",\"peer\":{\"name\":\"n\",\"role\":\"clerk\",\"province\":\"anhui\"}}", MISSING_FIELD, "'peer.center'"),
  SERVER ("paired-ice-servers-object", "{\"type\":\"paired\",\"session\":\"s1\",\"peer\":" PEER_OK ",\"ice-servers\":{}}", BAD_FIELD, "'ice-servers'"),
  SERVER ("paired-ice-servers-string", "{\"type\":\"paired\",\"session\":\"s1\",\"peer\":" PEER_OK ",\"ice-servers\":\"turn:h\"}", BAD_FIELD, "'ice-servers'"),
  SERVER ("paired-peer-role-number", "{\"type\":\"paired\",\"session\":\"s1\",\"peer\":{\"name\":\"n\",\"role\":1,\"province\":\"anhui\",\"center\":\"c\"}}", BAD_FIELD, "field 'peer.role' must be a string"),

  /* ended */
  SERVER ("ended-missing-reason", "{\"type\":\"ended\",\"session\":\"s1\"}", MISSING_FIELD, "'reason'"),
  SERVER ("ended-missing-session", "{\"type\":\"ended\",\"reason\":\"hangup\"}", MISSING_FIELD, "'session'"),

  /* error, ok */
  SERVER ("error-missing-code", "{\"type\":\"error\",\"message\":\"m\"}", MISSING_FIELD, "'code'"),
  SERVER ("error-missing-message", "{\"type\":\"error\",\"code\":\"bad-json\"}", MISSING_FIELD, "'message'"),
  SERVER ("error-code-number", "{\"type\":\"error\",\"code\":3,\"message\":\"m\"}", BAD_FIELD, "'code'"),
  SERVER ("ok-missing-ref", "{\"type\":\"ok\"}", MISSING_FIELD, "'ref'"),

  /* offer */
  SERVER ("offer-missing-sdp", "{\"type\":\"offer\",\"session\":\"s1\",\"tracks\":[" TRACK_OK "]}", MISSING_FIELD, "'sdp'"),
  SERVER ("offer-missing-tracks", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\"}", MISSING_FIELD, "'tracks'"),
  SERVER ("offer-tracks-object", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\",\"tracks\":" TRACK_OK "}", BAD_FIELD, "field 'tracks' must be an array"),
  SERVER ("offer-track-not-object", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\",\"tracks\":[[]]}", BAD_FIELD, "'tracks[0]'"),
  SERVER ("offer-track-missing-mid", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\",\"tracks\":[{\"kind\":\"audio\",\"direction\":\"send\",\"peer\":\"p1\"}]}", MISSING_FIELD, "'tracks[0].mid'"),
  SERVER ("offer-track-missing-kind", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\",\"tracks\":[{\"mid\":\"0\",\"direction\":\"send\",\"peer\":\"p1\"}]}", MISSING_FIELD, "'tracks[0].kind'"),
  SERVER ("offer-track-missing-direction", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\",\"tracks\":[{\"mid\":\"0\",\"kind\":\"audio\",\"peer\":\"p1\"}]}", MISSING_FIELD, "'tracks[0].direction'"),
  SERVER ("offer-track-missing-peer", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\",\"tracks\":[{\"mid\":\"0\",\"kind\":\"audio\",\"direction\":\"send\"}]}", MISSING_FIELD, "'tracks[0].peer'"),
  SERVER ("offer-track-mid-number", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\",\"tracks\":[{\"mid\":0,\"kind\":\"audio\",\"direction\":\"send\",\"peer\":\"p1\"}]}", BAD_FIELD, "field 'tracks[0].mid' must be a string"),
  SERVER ("offer-track-bad-direction", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\",\"tracks\":[{\"mid\":\"0\",\"kind\":\"audio\",\"direction\":\"sendrecv\",\"peer\":\"p1\"}]}", BAD_FIELD, "field 'tracks[0].direction' must be one of \"send\", \"recv\""),
  SERVER ("offer-track-bad-kind", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\",\"tracks\":[{\"mid\":\"0\",\"kind\":\"video\",\"direction\":\"recv\",\"peer\":\"p1\"}]}", BAD_FIELD, "'tracks[0].kind'"),
  SERVER ("offer-duplicate-mid", "{\"type\":\"offer\",\"session\":\"s1\",\"sdp\":\"v=0\",\"tracks\":[" TRACK_OK ",{\"mid\":\"0\",\"kind\":\"camera\",\"direction\":\"recv\",\"peer\":\"p2\"}]}", BAD_FIELD, "'tracks[1].mid'"),
};

const guint vw_n_invalid_cases = G_N_ELEMENTS (vw_invalid_cases);
