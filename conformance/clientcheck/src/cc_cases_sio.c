/* The client cases of the Socket.IO layer (cc_cases_sio.h): connect, events, acks,
 * binary, disconnects, each scripting the server side byte for byte with cc_script.h. */
#include "cc_cases_sio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_script.h"

/* ---- Socket.IO */

/* [SIO-AUTH-1] [CC-1]: without auth the CONNECT carries no payload (or {}). */
void c_connect_no_auth(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  char *pk = NULL;
  if (cc_connect(&x, &pk) == 0) {
    if (strcmp(pk, "40") == 0 || strcmp(pk, "40{}") == 0)
      ct_pass(r);
    else
      ct_fail(r, "40 or 40{}", pk, "CONNECT without auth carries a payload");
  }
  free(pk);
  cc_end(&x);
}

/* [SIO-AUTH-1] [CC-1]: the auth object given is the CONNECT payload, unchanged. */
#define CC_AUTH "{\"token\":\"abc\",\"n\":[1,2.5,{\"k\":\"\\u00e9\\u2603\"}],\"ok\":true}"
void c_connect_auth(ct_run *r) {
  cc_setup su = {.auth = CC_AUTH};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  char *pk = NULL;
  if (cc_connect(&x, &pk) == 0) {
    cc_sio s;
    cJSON *w = cJSON_Parse(CC_AUTH);
    if (cc_sio_parse(pk, strlen(pk), &s) == 0 && s.type == 0 && s.data &&
        cJSON_Compare(s.data, w, 1))
      ct_pass(r);
    else
      ct_fail(r, "40" CC_AUTH, pk, "the CONNECT payload is not the auth object given");
    cc_sio_free(&s);
    cJSON_Delete(w);
  }
  free(pk);
  cc_end(&x);
}

/* [SIO-NS-2] [CC-3]: the CONNECT answer makes the client report "connect". */
void c_connect_answer(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) == 0) ct_pass(r);
  cc_end(&x);
}

/* Refuse the client's CONNECT for "/" with PACKET (44...) and read the connect_error line
 * [CC-7]: its JSON (caller frees), or NULL with the run graded (WANT names the line). */
static cJSON *refused_line(cc_ctx *x, const char *packet, const char *want) {
  if (!cc_await_connect(x)) return NULL;
  cc_send(x, packet);
  const cs_event *e = cc_wait(x, CS_EV_LINE, "connect_error", cc_ms(x, 3000));
  if (!e) {
    ct_fail(x->r, want, NULL, "the client did not report the CONNECT_ERROR within 3 s");
    return NULL;
  }
  cJSON *got = cJSON_Parse(e->data + strlen("connect_error"));
  if (!got) ct_fail(x->r, want, e->data, "the reported error is not JSON");
  return got;
}

/* [SIO-NS-3] [SIO-AUTH-2] [CC-7]: CONNECT_ERROR with data reaches the application. */
#define CC_REFUSAL "{\"message\":\"refused\",\"data\":{\"reason\":\"bad-token\",\"n\":[1]}}"
void c_connect_error(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  cJSON *got = refused_line(&x, "44" CC_REFUSAL, "connect_error " CC_REFUSAL);
  if (got) {
    cJSON *want = cJSON_Parse(CC_REFUSAL);
    char *j = cc_json(got);
    if (cJSON_Compare(got, want, 1))
      ct_pass(r);
    else
      ct_fail(r, "connect_error " CC_REFUSAL, j,
              "the reported error is not the server's message and data");
    free(j);
    cJSON_Delete(want);
  }
  cJSON_Delete(got);
  cc_end(&x);
}

/* [SIO-ACK-1] [CC-4]: an event with an ack id is acked once, with its arguments. */
void c_echo_ack(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  if (cc_echo_ack(&x, 17, "\"a\",{\"b\":[1,null]},3", "echo with ack 17")) ct_pass(r);
  cc_end(&x);
}

/* [SIO-EV-1] [CC-5]: an event without ack id comes back as echo-back. */
void c_echo_event(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  cc_send(&x, "42[\"echo\",1,\"x\",{\"u\":\"\\u00e9\"}]");
  if (cc_expect_event(&x, "[\"echo-back\",1,\"x\",{\"u\":\"\\u00e9\"}]", -1, NULL, cc_ms(&x, 3000),
                      "echo-back"))
    ct_pass(r);
  cc_end(&x);
}

/* [SIO-BIN-13] [EIO-PK-14] [CC-4]: a BINARY_EVENT's attachment (polling: `b` base64 in
 * the same body; WebSocket: a binary frame) is reassembled and acked as BINARY_ACK. */
void c_binary_ack(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  static const unsigned char bin[] = {1, 2, 3, 0xff, 0};
  const unsigned char *bins[] = {bin};
  const size_t lens[] = {sizeof bin};
  cc_send_binary(&x, "451-5[\"echo-ack\",{\"_placeholder\":true,\"num\":0}]", bins, lens, 1);
  const cs_event *e = cc_wait_packet(&x, "46", cc_ms(&x, 3000));
  if (!e) {
    const cs_event *o = cc_next_packet(&x, 10);
    ct_fail(r, "461-5[{\"_placeholder\":true,\"num\":0}] + attachment", o ? o->data : NULL,
            "no BINARY_ACK within 3 s");
    goto out;
  }
  cc_sio s;
  cJSON *w = cJSON_Parse("[{\"_placeholder\":true,\"num\":0}]");
  int ok = cc_sio_parse(e->data, e->len, &s) == 0 && s.ack == 5 && s.attachments == 1 && s.data &&
           cJSON_Compare(s.data, w, 1);
  cc_sio_free(&s);
  cJSON_Delete(w);
  if (!ok) {
    ct_fail(r, "461-5[{\"_placeholder\":true,\"num\":0}]", e->data, "wrong BINARY_ACK header");
    goto out;
  }
  const cs_event *a = cc_wait(&x, CS_EV_PACKET, NULL, cc_ms(&x, 2000));
  if (!a || !a->binary || a->len != sizeof bin || memcmp(a->data, bin, sizeof bin) != 0)
    ct_fail(r, "attachment 0102 03ff 00", a ? (a->binary ? "other bytes" : a->data) : "(nothing)",
            "the attachment is not the one sent");
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-ACK-1] [CC-6]: "emit" makes the client emit with an ack id; the server's ACK is
 * matched to it and its values come back as ack-result. */
void c_ack_result(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  cc_send(&x, "42[\"emit\",\"hello\",1,{\"k\":[2]}]");
  long long id = -1;
  if (!cc_expect_event(&x, "[\"hello\",1,{\"k\":[2]}]", -2, &id, cc_ms(&x, 3000), "emit request"))
    goto out;
  if (id < 0) {
    ct_fail(r, "42<id>[\"hello\",...]", NULL, "the emit carries no ack id");
    goto out;
  }
  char ack[96];
  snprintf(ack, sizeof ack, "43%lld[\"ok\",{\"v\":2}]", id);
  cc_send(&x, ack);
  if (cc_expect_event(&x, "[\"ack-result\",\"hello\",\"ok\",{\"v\":2}]", -1, NULL, cc_ms(&x, 3000),
                      "ack-result"))
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-ACK-3] [SIO-ACK-1]: three emits outstanding at once carry three different ack
 * ids, and ACKs answered in reverse order reach the right callbacks. */
void c_ack_ids(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  const char *names[3] = {"e1", "e2", "e3"};
  long long ids[3];
  for (int i = 0; i < 3; i++) {
    char p[64], w[64];
    snprintf(p, sizeof p, "42[\"emit\",\"%s\"]", names[i]);
    snprintf(w, sizeof w, "[\"%s\"]", names[i]);
    cc_send(&x, p);
    if (!cc_expect_event(&x, w, -2, &ids[i], cc_ms(&x, 3000), "emit request")) goto out;
    if (ids[i] < 0) {
      ct_fail(r, "an ack id", NULL, "emit %s carries no ack id", names[i]);
      goto out;
    }
  }
  if (ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2]) {
    char got[96];
    snprintf(got, sizeof got, "%lld, %lld, %lld", ids[0], ids[1], ids[2]);
    ct_fail(r, "three different ack ids", got, "ack ids repeat among outstanding emits");
    goto out;
  }
  for (int i = 2; i >= 0; i--) {
    char a[64];
    snprintf(a, sizeof a, "43%lld[%d]", ids[i], (i + 1) * 10);
    cc_send(&x, a);
  }
  for (int i = 2; i >= 0; i--) {
    char w[64];
    snprintf(w, sizeof w, "[\"ack-result\",\"%s\",%d]", names[i], (i + 1) * 10);
    if (!cc_expect_event(&x, w, -1, NULL, cc_ms(&x, 3000), "ack-result")) goto out;
  }
  ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-DC-1] [SIO-DC-4] [CC-8]: "leave" makes the client leave "/": with DISCONNECT for
 * "/" (SIO-DC-1), or, "/" being its only namespace, by closing the Engine.IO session,
 * which disconnects every namespace without DISCONNECT packets (SIO-DC-4). Either way
 * the server sees the namespace left; anything else (nothing, or DISCONNECT with a
 * payload) fails. */
void c_disconnect_request(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  cc_send(&x, "42[\"leave\"]");
  int64_t t = ct_now_ms();
  const cs_event *e = cc_wait_packet(&x, "41", cc_ms(&x, 3000));
  if (e) {
    if (e->len != 2)
      ct_fail(r, "41", e->data, "DISCONNECT for / carries more");
    else
      ct_pass(r);
    goto out;
  }
  long left = cc_ms(&x, 3000) - (long)(ct_now_ms() - t);
  if (cc_wait_wire_close(&x, left > 0 ? left : 0)) {
    ct_log(r, "-- no DISCONNECT: the client left by closing the Engine.IO session (SIO-DC-4)");
    ct_pass(r);
  } else {
    ct_fail(r, "41, or the session closed", NULL,
            "neither DISCONNECT nor a closed session within 3 s of the request");
  }
out:
  cc_end(&x);
}

/* [SIO-DC-3] [CC-9]: a server DISCONNECT for "/" is reported to the application. */
void c_server_disconnect(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  cc_send(&x, "41");
  if (!cc_wait(&x, CS_EV_LINE, "disconnect", cc_ms(&x, 3000)))
    ct_fail(r, "disconnect <reason>", NULL,
            "the client did not report the server's DISCONNECT within 3 s");
  else
    ct_pass(r);
  cc_end(&x);
}

/* [SIO-NS-11]: an event that arrives before the CONNECT answer (here: just before it,
 * in the same body on polling) is kept and delivered once connected. */
void c_event_before_connect(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (!cc_await_connect(&x)) goto out;
  char ans[80];
  snprintf(ans, sizeof ans, "40{\"sid\":\"sio-%s\"}", x.sid);
  const char *b[] = {"42[\"echo\",\"early\"]", ans};
  cc_send_batch(&x, b, 2);
  if (cc_expect_event(&x, "[\"echo-back\",\"early\"]", -1, NULL, cc_ms(&x, 3000),
                      "the early event echoed after the CONNECT answer"))
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-BIN-13] [SIO-BIN-14] [CC-4]: three attachments, nested in an object and an array,
 * come back in a BINARY_ACK numbered depth-first, each attachment in place. */
void c_binary_three(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  static const unsigned char b0[] = {0}, b1[] = {1, 1}, b2[] = {0xfe, 2, 0x1e};
  const unsigned char *bins[] = {b0, b1, b2};
  const size_t lens[] = {1, 2, 3};
  const char *shape = "[{\"a\":{\"_placeholder\":true,\"num\":0}},[{\"_placeholder\":true,"
                      "\"num\":1},{\"x\":{\"_placeholder\":true,\"num\":2}}]]";
  char header[400];
  snprintf(header, sizeof header, "453-9[\"echo-ack\",%s", shape + 1);
  cc_send_binary(&x, header, bins, lens, 3);
  const cs_event *e = cc_wait_packet(&x, "46", cc_ms(&x, 3000));
  if (!e) {
    ct_fail(r, "463-9[...] + 3 attachments", NULL, "no BINARY_ACK within 3 s");
    goto out;
  }
  cc_sio s;
  cJSON *w = cJSON_Parse(shape);
  int ok = cc_sio_parse(e->data, e->len, &s) == 0 && s.ack == 9 && s.attachments == 3 && s.data &&
           cJSON_Compare(s.data, w, 1);
  cc_sio_free(&s);
  cJSON_Delete(w);
  if (!ok) {
    char exp[400];
    snprintf(exp, sizeof exp, "463-9%s", shape);
    ct_fail(r, exp, e->data, "wrong BINARY_ACK header (placeholders not depth-first?)");
    goto out;
  }
  for (int i = 0; i < 3; i++) {
    const cs_event *a = cc_wait(&x, CS_EV_PACKET, NULL, cc_ms(&x, 2000));
    if (!a || !a->binary || a->len != lens[i] || memcmp(a->data, bins[i], lens[i]) != 0) {
      ct_fail(r, "the three attachments in order", a ? (a->binary ? "other bytes" : a->data) : NULL,
              "attachment %d is not the one sent", i);
      goto out;
    }
  }
  ct_pass(r);
out:
  cc_end(&x);
}

/* [EIO-PK-7] [SIO-EV-1] [CC-5]: multi-byte UTF-8 and a character outside the BMP, as raw
 * UTF-8 and as a JSON surrogate-pair escape, come back as the same characters. */
void c_utf8(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  cc_send(&x, "42[\"echo\",\"\xc3\xa9\xe2\x98\x83\xf0\x9f\x98\x80\",{\"k\":\"\\ud83d\\ude00\"}]");
  if (cc_expect_event(
          &x,
          "[\"echo-back\",\"\xc3\xa9\xe2\x98\x83\xf0\x9f\x98\x80\",{\"k\":\"\xf0\x9f\x98\x80\"}]",
          -1, NULL, cc_ms(&x, 3000), "echo-back of UTF-8 text"))
    ct_pass(r);
  cc_end(&x);
}

/* [SIO-ACK-1] [EIO-PL-1] [CC-4]: a 200 000-byte argument is acked whole. */
void c_large(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  size_t n = 200000;
  char *big = ct_xmalloc(n + 1);
  for (size_t i = 0; i < n; i++) big[i] = (char)('a' + i % 26);
  big[n] = 0;
  char *pk = ct_xasprintf("4233[\"echo-ack\",\"%s\"]", big);
  char *want = ct_xasprintf("[\"%s\"]", big);
  ct_log(r, ">> 4233[\"echo-ack\",\"abc...\"] (a %zu-byte string)", n);
  cs_core_send(x.d.core, pk, strlen(pk), 0);
  cs_core_flush(x.d.core);
  if (cc_expect_ack(&x, 33, want, cc_ms(&x, 5000), "ack of the large argument")) ct_pass(r);
  free(big);
  free(pk);
  free(want);
  cc_end(&x);
}

/* [EIO-CL-1] [SIO-DC-4] [CC-9]: an Engine.IO close packet from the server ends the
 * session; the application is told it is disconnected. */
void c_server_close(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  cc_send(&x, "1");
  if (!cc_wait(&x, CS_EV_LINE, "disconnect", cc_ms(&x, 3000)))
    ct_fail(r, "disconnect <reason>", NULL,
            "the client did not report the end of the session within 3 s of the close packet");
  else
    ct_pass(r);
  cc_end(&x);
}

/* ---- several namespaces on one session [CC-11] */

#define PH(n) "{\"_placeholder\":true,\"num\":" #n "}"

/* [SIO-NS-6] [SIO-NS-1] [CC-11]: "join" makes the client CONNECT /other on the same
 * Engine.IO session; events there are answered there. */
void c_ns_join(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  if (!cc_join(&x, "/other", NULL, 0, NULL)) goto out;
  cc_send(&x, "42/other,[\"echo\",\"o\"]");
  cc_send(&x, "42/other,7[\"echo-ack\",\"k\"]");
  if (!cc_expect_event_ns(&x, "/other", "[\"echo-back\",\"o\"]", -1, NULL, cc_ms(&x, 3000),
                          "echo-back on /other"))
    goto out;
  const cs_event *a = cc_wait_packet(&x, "43/other,7", cc_ms(&x, 3000));
  if (!a)
    ct_fail(r, "43/other,7[\"k\"]", NULL, "no ACK on /other");
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-AUTH-1] [CC-11]: a namespace joined with an auth object sends it in its CONNECT. */
void c_ns_auth(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  char *pk = NULL;
  if (!cc_join(&x, "/other", "{\"k\":\"v\",\"n\":[1]}", 0, &pk)) goto out;
  cc_sio s;
  cJSON *w = cJSON_Parse("{\"k\":\"v\",\"n\":[1]}");
  if (cc_sio_parse(pk, strlen(pk), &s) == 0 && s.data && cJSON_Compare(s.data, w, 1))
    ct_pass(r);
  else
    ct_fail(r, "40/other,{\"k\":\"v\",\"n\":[1]}", pk, "the CONNECT for /other lacks its auth");
  cc_sio_free(&s);
  cJSON_Delete(w);
  free(pk);
out:
  cc_end(&x);
}

/* Is "/" still connected and the session open: an echo-ack on "/" answered. */
static int main_still_works(cc_ctx *x, const char *what) {
  return cc_echo_ack(x, 41, "\"main\"", what);
}

/* [SIO-DC-3] [CC-9] [CC-11]: a server DISCONNECT for /other is reported for /other only;
 * "/" stays connected on the same session. */
void c_ns_disconnect(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  if (!cc_join(&x, "/other", NULL, 0, NULL)) goto out;
  cc_send(&x, "41/other,");
  if (!cc_wait_line(&x, "disconnect", "/other", cc_ms(&x, 3000))) {
    ct_fail(r, "disconnect ... /other", NULL, "the DISCONNECT of /other was not reported");
    goto out;
  }
  if (!main_still_works(&x, "\"/\" after /other was disconnected")) goto out;
  if (cc_wait_line(&x, "disconnect", "/", 0))
    ct_fail(r, "/ still connected", "disconnect", "the DISCONNECT of /other also ended /");
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-DC-3] [CC-9] [CC-11]: DISCONNECT for every namespace of the session (/other and
 * "/", one body on polling) is reported for each. */
void c_ns_disconnect_all(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  if (!cc_join(&x, "/other", NULL, 0, NULL)) goto out;
  const char *b[] = {"41/other,", "41"};
  cc_send_batch(&x, b, 2);
  /* one 3 s wait for both lines */
  int64_t end = ct_now_ms() + cc_ms(&x, 3000);
  const cs_event *o = cc_wait_line(&x, "disconnect", "/other", cc_ms(&x, 3000));
  long left = (long)(end - ct_now_ms());
  const cs_event *m = cc_wait_line(&x, "disconnect", "/", left > 0 ? left : 0);
  if (!o || !m)
    ct_fail(r, "disconnect /other and disconnect", NULL, "the DISCONNECT of %s was not reported",
            !o ? "/other" : "/");
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-NS-3] [SIO-AUTH-2] [CC-7] [CC-11]: CONNECT_ERROR for /other reaches the app for
 * /other; "/" stays connected on the same session. */
void c_ns_refused(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  if (!cc_join(&x, "/other", NULL, 1, NULL)) goto out;
  cc_send(&x, "44/other,{\"message\":\"no\",\"data\":{\"why\":1}}");
  const cs_event *e = cc_wait_line(&x, "connect_error", "/other", cc_ms(&x, 3000));
  if (!e) {
    ct_fail(r, "connect_error {...} /other", NULL, "the refusal of /other was not reported");
    goto out;
  }
  char *json = ct_xstrdup(e->data + strlen("connect_error"));
  char *sp = strrchr(json, ' ');
  if (sp) *sp = 0;
  cJSON *got = cJSON_Parse(json), *want = cJSON_Parse("{\"message\":\"no\",\"data\":{\"why\":1}}");
  int ok = got && cJSON_Compare(got, want, 1);
  cJSON_Delete(got);
  cJSON_Delete(want);
  free(json);
  if (!ok) {
    ct_fail(r, "connect_error {\"message\":\"no\",\"data\":{\"why\":1}} /other", e->data,
            "the reported error is not the server's message and data");
    goto out;
  }
  if (main_still_works(&x, "\"/\" after /other was refused")) ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-NS-11] [CC-11]: an event for /other that arrives just before its CONNECT answer
 * is delivered once /other is connected. */
void c_ns_event_before_connect(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  if (!cc_join(&x, "/other", NULL, 1, NULL)) goto out;
  char ans[120];
  snprintf(ans, sizeof ans, "40/other,{\"sid\":\"sio2-%s\"}", x.sid);
  const char *b[] = {"42/other,[\"echo\",\"early\"]", ans};
  cc_send_batch(&x, b, 2);
  if (cc_expect_event_ns(&x, "/other", "[\"echo-back\",\"early\"]", -1, NULL, cc_ms(&x, 3000),
                         "the early event on /other echoed"))
    ct_pass(r);
out:
  cc_end(&x);
}

/* ---- binary in both directions */

/* [SIO-BIN-14] [SIO-BIN-13] [SIO-EV-2] [CC-6]: asked to emit a binary argument, the
 * client sends a BINARY_EVENT with an ack id and the attachment; a BINARY_ACK from the
 * server reaches its callback with the server's own bytes, which come back in a
 * BINARY_EVENT ack-result. */
void c_binary_emit(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  static const unsigned char up[] = {9, 8, 7}, down[] = {0xca, 0xfe};
  const unsigned char *b1[] = {up}, *b2[] = {down};
  const size_t l1[] = {sizeof up}, l2[] = {sizeof down};
  cc_send_binary(&x, "451-[\"emit\",\"bin\",{\"k\":" PH(0) "}]", b1, l1, 1);
  long long id = -1;
  if (!cc_expect_binary(&x, 5, "/", -2, "[\"bin\",{\"k\":" PH(0) "}]", b1, l1, 1, &id,
                        cc_ms(&x, 3000), "the binary emit"))
    goto out;
  if (id < 0) {
    ct_fail(r, "451-<id>[\"bin\",...]", NULL, "the binary emit carries no ack id");
    goto out;
  }
  char h[96];
  snprintf(h, sizeof h, "461-%lld[[" PH(0) "]]", id);
  cc_send_binary(&x, h, b2, l2, 1);
  if (cc_expect_binary(&x, 5, "/", -1, "[\"ack-result\",\"bin\",[" PH(0) "]]", b2, l2, 1, NULL,
                       cc_ms(&x, 3000), "ack-result of the BINARY_ACK"))
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-BIN-14] [SIO-EV-2] [CC-5]: three nested attachments of an event without ack come
 * back in a BINARY_EVENT echo-back, numbered depth-first. */
void c_binary_echo_three(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  static const unsigned char b0[] = {0x10}, b1[] = {0x20, 0x21}, b2[] = {0x30, 0, 0x32};
  const unsigned char *bins[] = {b0, b1, b2};
  const size_t lens[] = {1, 2, 3};
  cc_send_binary(&x, "453-[\"echo\",[" PH(0) ",{\"y\":[" PH(1) "]}]," PH(2) "]", bins, lens, 3);
  if (cc_expect_binary(&x, 5, "/", -1, "[\"echo-back\",[" PH(0) ",{\"y\":[" PH(1) "]}]," PH(2) "]",
                       bins, lens, 3, NULL, cc_ms(&x, 3000), "echo-back of three attachments"))
    ct_pass(r);
  cc_end(&x);
}

/* [SIO-BIN-13] [EIO-PL-1] [CC-4]: a 1 MiB attachment is acked whole. */
void c_large_binary(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  size_t n = 1024 * 1024;
  unsigned char *big = ct_xmalloc(n);
  for (size_t i = 0; i < n; i++) big[i] = (unsigned char)(i * 7 + (i >> 8));
  const unsigned char *bins[] = {big};
  const size_t lens[] = {n};
  cc_send_binary(&x, "451-44[\"echo-ack\"," PH(0) "]", bins, lens, 1);
  if (cc_expect_binary(&x, 6, "/", 44, "[" PH(0) "]", bins, lens, 1, NULL, cc_ms(&x, 5000),
                       "ack of the 1 MiB attachment"))
    ct_pass(r);
  free(big);
  cc_end(&x);
}

/* ---- acks */

/* [SIO-ACK-4]: a second ACK with an id already answered is ignored: the callback runs
 * once, the session goes on. */
void c_ack_duplicate(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  cc_send(&x, "42[\"emit\",\"once\"]");
  long long id = -1;
  if (!cc_expect_event(&x, "[\"once\"]", -2, &id, cc_ms(&x, 3000), "emit request")) goto out;
  char a[64];
  snprintf(a, sizeof a, "43%lld[1]", id);
  const char *b[] = {a, a};
  cc_send_batch(&x, b, 2);
  if (!cc_expect_event(&x, "[\"ack-result\",\"once\",1]", -1, NULL, cc_ms(&x, 3000), "ack-result"))
    goto out;
  if (!main_still_works(&x, "echo-ack after the duplicate ACK")) goto out;
  if (cc_count_packets(&x, "42[\"ack-result\""))
    ct_fail(r, "one ack-result", "two", "the callback ran again for the duplicate ACK");
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-ACK-4] [CC-13]: an ACK whose id matches no request is ignored. */
void c_ack_unknown(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  cc_send(&x, "43987[\"nobody\"]");
  if (main_still_works(&x, "echo-ack after an ACK for no request")) ct_pass(r);
  cc_end(&x);
}

/* [SIO-EV-3]: an event the application has no handler for is dropped; the session goes
 * on. */
void c_no_handler(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  cc_send(&x, "42[\"nobody-listens\",1,{\"a\":2}]");
  if (main_still_works(&x, "echo-ack after an unhandled event")) ct_pass(r);
  cc_end(&x);
}

/* [SIO-EV-1] [EIO-PL-1] [CC-5]: twenty events sent back to back (one polling body) come
 * back as echo-back in the order sent. */
void c_event_order(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  const char *b[20];
  char bufs[20][40];
  for (int i = 0; i < 20; i++) {
    snprintf(bufs[i], sizeof bufs[i], "42[\"echo\",%d]", i);
    b[i] = bufs[i];
  }
  cc_send_batch(&x, b, 20);
  for (int i = 0; i < 20; i++) {
    const cs_event *e = cc_wait_packet(&x, "42[\"echo-back\"", cc_ms(&x, 3000));
    char want[40];
    snprintf(want, sizeof want, "42[\"echo-back\",%d]", i);
    if (!e || strcmp(e->data, want) != 0) {
      ct_fail(r, want, e ? e->data : NULL, "echo-back %d out of order or missing", i);
      goto out;
    }
  }
  ct_pass(r);
out:
  cc_end(&x);
}

/* [EIO-PK-7] [SIO-ACK-1] [CC-4]: surrogate-pair escapes and raw 4-byte UTF-8 in an ack's
 * arguments come back as the same characters. */
void c_utf8_ack(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  cc_send(&x, "4251[\"echo-ack\",\"\\ud834\\udd1e\",\"\xe2\x82\xac\xf0\x9d\x84\x9e\","
              "{\"\xc3\xa9\":\"\\t\"}]");
  if (cc_expect_ack(
          &x, 51, "[\"\xf0\x9d\x84\x9e\",\"\xe2\x82\xac\xf0\x9d\x84\x9e\",{\"\xc3\xa9\":\"\\t\"}]",
          cc_ms(&x, 3000), "ack of UTF-8 text"))
    ct_pass(r);
  cc_end(&x);
}

/* [SIO-NS-3] [CC-7]: a CONNECT_ERROR without data is reported with its message (data
 * null or left out). */
void c_connect_error_no_data(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  const char *want = "connect_error {\"message\":\"go away\"} (data null or absent)";
  cJSON *got = refused_line(&x, "44{\"message\":\"go away\"}", want);
  if (got) {
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(got, "message");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(got, "data");
    if (cJSON_IsString(m) && strcmp(m->valuestring, "go away") == 0 && (!d || cJSON_IsNull(d)))
      ct_pass(r);
    else
      ct_fail(r, want, NULL, "the reported error is not the server's");
  }
  cJSON_Delete(got);
  cc_end(&x);
}
