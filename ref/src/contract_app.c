/* The test-app contract's Socket.IO application (spec/contract.md CT-12..CT-19 and the
 * extensions CT-30..CT-42) written against the sans-I/O Socket.IO layer. Arguments are
 * passed on as the client's JSON text; cJSON only reads the auth token.
 * Spec tags: CT-12, CT-13, CT-14, CT-16, CT-17, CT-19, CT-30..CT-42 (and through the
 * layer SIO-NS, SIO-AUTH, SIO-EV, SIO-ACK, SIO-ROOM, SIO-DC). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sioref/contract_app.h"
#include "sioref/sio_cluster.h"
#include "sioref/sio_emit.h"
#include "sioref/sio_room.h"
#include "sioref/json_scan.h"

/* ---------------------------------------------------------------- helpers */

static ref_span cspan(const char *s) {
  ref_span sp = {(const uint8_t *)s, strlen(s)};
  return sp;
}

/* Unescape the contents ESC of a JSON string (valid, as json_scan checked) into OUT
 * (at least ESC.len bytes) as UTF-8; a lone surrogate becomes its 3-byte form, the same
 * bytes for every client that sends it. Returns the length written. */
static size_t json_unescape(ref_span esc, char *out) {
  size_t n = 0;
  for (size_t i = 0; i < esc.len;) {
    uint8_t ch = esc.ptr[i];
    if (ch != '\\') {
      out[n++] = (char)ch;
      i++;
      continue;
    }
    unsigned cp;
    size_t k = json_unescape_at(esc.ptr + i, esc.ptr + esc.len, &cp);
    if (k == 0) break; /* (not reached: ESC is valid) */
    i += k;
    n += json_utf8_put(cp, (uint8_t *)out + n);
  }
  return n;
}

/* The first argument of ARGS when it is a JSON string: ROOM gets its unescaped value
 * (malloc'd, NUL-terminated; the caller frees it), LITERAL its JSON text with quotes,
 * REST the arguments after it (len 0 when none). Returns false when there is no first
 * argument, it is not a string, or memory ran out. */
static bool first_string_arg(ref_span args, char **room, size_t *room_len, ref_span *literal,
                             ref_span *rest) {
  char *arr = malloc(args.len + 2);
  if (!arr) return false;
  arr[0] = '[';
  if (args.len) memcpy(arr + 1, args.ptr, args.len);
  arr[args.len + 1] = ']';
  json_info info;
  bool ok = json_scan((const uint8_t *)arr, args.len + 2, JSON_SCAN_MAX_DEPTH, &info) == 0 &&
            info.first_type == JSON_STRING;
  if (ok) {
    /* Map the escaped contents back into ARGS (ARR is ARGS shifted by one byte). */
    size_t off = (size_t)(info.first_str.ptr - (const uint8_t *)arr) - 1;
    literal->ptr = args.ptr + off - 1; /* the opening quote */
    literal->len = info.first_str.len + 2;
    const uint8_t *p = literal->ptr + literal->len, *end = args.ptr + args.len;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    rest->ptr = NULL;
    rest->len = 0;
    if (p < end && *p == ',') {
      p++;
      while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
      rest->ptr = p;
      rest->len = (size_t)(end - p);
    }
    /* The room's name: the string unescaped, U+0000 included (cJSON would stop there
     * and make "ct-a\u0000b" the room "ct-a"). */
    *room = malloc(info.first_str.len + 1); /* unescaping never makes text longer */
    ok = *room != NULL;
    if (ok) *room_len = json_unescape(info.first_str, *room);
  }
  free(arr);
  return ok;
}

static bool is_event(const sio_event *ev, const char *name) {
  return json_string_equals(ev->name, name);
}

/* ---------------------------------------------------------------- hooks */

/* CT-12, CT-16, CT-41: every accepted CONNECT is followed by "auth" with the payload. */
static void on_connect_emit_auth(void *user, sio_socket *s, ref_span auth) {
  (void)user;
  (void)sio_socket_emit(s, "auth", auth, NULL, 0, NULL);
}

/* CT-38: the end of a server ack request. */
static void on_ack_result(void *user, sio_socket *s, sio_ack_status st, const sio_args *data) {
  (void)user;
  if (st == SIO_ACK_OK)
    (void)sio_socket_emit(s, "ack-result", data->args, data->attachments, data->n_attachments,
                          NULL);
  else if (st == SIO_ACK_TIMEOUT)
    (void)sio_socket_emit(s, "ack-timeout", (ref_span){NULL, 0}, NULL, 0, NULL);
  /* CANCELLED: the socket is gone; nothing to say. */
}

/* The room events: join, leave (CT-32, CT-33), to-room, to-room-all (CT-34, CT-35). */
static void room_event(sio_socket *s, const sio_event *ev, int which) {
  char *room = NULL;
  size_t room_len = 0;
  ref_span literal, rest;
  if (!first_string_arg(ev->args.args, &room, &room_len, &literal, &rest)) return;
  switch (which) {
  case 0: /* join */
    (void)sio_socket_join(s, room, room_len);
    if (ev->ack_id != SIO_NO_ACK_ID) (void)sio_socket_ack(s, ev->ack_id, literal, NULL, 0);
    break;
  case 1: /* leave */
    (void)sio_socket_leave(s, room, room_len);
    if (ev->ack_id != SIO_NO_ACK_ID) (void)sio_socket_ack(s, ev->ack_id, literal, NULL, 0);
    break;
  case 2: /* to-room: members except the sender */
  case 3: /* to-room-all: members, the sender too when it is one */
    (void)sio_namespace_emit(sio_socket_namespace(s), room, room_len, which == 2 ? s : NULL,
                             "room-message", rest, ev->args.attachments, ev->args.n_attachments);
    break;
  default:
    break;
  }
  free(room);
}

/* ---------------------------------------------------------------- cluster (CT-50..CT-56) */

static char g_node_id[64]; /* empty: not a node of a cluster */

/* Where a cluster request's answer goes: the asking socket, found again by its id (it may
 * have left meanwhile). */
typedef struct pending_answer {
  sio_namespace *ns;
  char sid[SIO_SID_LEN + 1];
  int64_t ack_id;
} pending_answer;

/* CT-55, CT-56: ack {"responses": [...]} (and "error" when answers were missing). */
static void ack_found(void *user, sio_socket *s) { *(sio_socket **)user = s; }
static void on_cluster_done(void *user, const char *error, ref_span responses) {
  pending_answer *pa = user;
  ref_span id = {(const uint8_t *)pa->sid, SIO_SID_LEN};
  sio_selection one = {&id, 1, NULL, 0, true};
  sio_socket *s = NULL;
  sio_namespace_select(pa->ns, &one, ack_found, &s);
  size_t cap = responses.len + (error ? 2 * strlen(error) : 0) + 64;
  char *out = malloc(cap);
  if (s && out) {
    size_t n = 0;
    memcpy(out, "{\"responses\":", 13);
    n = 13;
    memcpy(out + n, responses.ptr, responses.len);
    n += responses.len;
    if (error) {
      memcpy(out + n, ",\"error\":\"", 10);
      n += 10;
      for (const char *e = error; *e; e++) { /* the messages are plain ASCII text */
        if (*e == '"' || *e == '\\') out[n++] = '\\';
        out[n++] = *e;
      }
      out[n++] = '"';
    }
    out[n++] = '}';
    (void)sio_socket_ack(s, pa->ack_id, (ref_span){(const uint8_t *)out, n}, NULL, 0);
  }
  free(out);
  free(pa);
}

static pending_answer *answer_to(sio_socket *s, const sio_event *ev) {
  if (ev->ack_id == SIO_NO_ACK_ID) return NULL;
  pending_answer *pa = malloc(sizeof *pa);
  if (!pa) return NULL;
  pa->ns = sio_socket_namespace(s);
  memcpy(pa->sid, sio_socket_id(s), SIO_SID_LEN + 1);
  pa->ack_id = ev->ack_id;
  return pa;
}

/* CT-55: another node's ct-server-ping: answer {"node": <id>, "arg": A}. */
static void on_server_event(void *user, sio_namespace *ns, const sio_event *ev,
                            sio_cluster_reply *reply) {
  (void)user;
  (void)ns;
  if (!reply || !json_string_equals(ev->name, "ct-server-ping")) return;
  ref_span arg = ev->args.args;
  /* the first argument only (the listener's own parameter) */
  char *room = NULL;
  size_t room_len = 0;
  ref_span lit = arg, rest;
  if (first_string_arg(arg, &room, &room_len, &lit, &rest))
    free(room);
  else if (arg.len) {
    /* not a string: the whole first value; arguments past it are not part of A */
    lit = json_first_value(arg);
  }
  size_t cap = 32 + strlen(g_node_id) + lit.len;
  char *out = malloc(cap);
  if (!out) return;
  int n = snprintf(out, cap, "{\"node\":\"%s\"", g_node_id);
  if (lit.len) {
    memcpy(out + n, ",\"arg\":", 7);
    n += 7;
    memcpy(out + n, lit.ptr, lit.len);
    n += (int)lit.len;
  }
  out[n++] = '}';
  (void)sio_cluster_reply_send(reply, (ref_span){(const uint8_t *)out, (size_t)n}, NULL, 0);
  free(out);
}

/* CT-51..CT-56; returns false for an event that is not one of them. */
static bool cluster_event(sio_socket *s, const sio_event *ev) {
  sio_namespace *ns = sio_socket_namespace(s);
  const sio_args *a = &ev->args;
  if (is_event(ev, "node-id")) { /* CT-51 */
    char out[80];
    int n = snprintf(out, sizeof out, "\"%s\"", g_node_id);
    if (ev->ack_id != SIO_NO_ACK_ID)
      (void)sio_socket_ack(s, ev->ack_id, (ref_span){(const uint8_t *)out, (size_t)n}, NULL, 0);
    return true;
  }
  if (is_event(ev, "remote-join") || is_event(ev, "remote-leave")) { /* CT-52 */
    char *target = NULL, *room = NULL;
    size_t tl = 0, rl = 0;
    ref_span tlit, rest, rlit, rest2;
    if (first_string_arg(a->args, &target, &tl, &tlit, &rest) &&
        first_string_arg(rest, &room, &rl, &rlit, &rest2)) {
      ref_span t = {(const uint8_t *)target, tl}, r = {(const uint8_t *)room, rl};
      sio_selection sel = {&t, 1, NULL, 0, false};
      if (is_event(ev, "remote-join"))
        (void)sio_namespace_sockets_join(ns, &sel, &r, 1);
      else
        (void)sio_namespace_sockets_leave(ns, &sel, &r, 1);
      if (ev->ack_id != SIO_NO_ACK_ID) (void)sio_socket_ack(s, ev->ack_id, rlit, NULL, 0);
    }
    free(target);
    free(room);
    return true;
  }
  if (is_event(ev, "my-rooms")) { /* CT-53 */
    size_t cap = 2;
    for (size_t i = 0; i < sio_socket_room_count(s); i++) cap += 2 * sio_socket_room(s, i).len + 8;
    char *out = malloc(cap + 2);
    if (!out) return true;
    size_t n = 0;
    out[n++] = '[';
    for (size_t i = 0; i < sio_socket_room_count(s); i++) {
      ref_span r = sio_socket_room(s, i);
      if (r.len < 3 || memcmp(r.ptr, "ct-", 3) != 0) continue;
      if (n > 1) out[n++] = ',';
      out[n++] = '"';
      for (size_t k = 0; k < r.len; k++) { /* room names from clients: escape for JSON */
        uint8_t c = r.ptr[k];
        if (c == '"' || c == '\\') out[n++] = '\\';
        if (c < 0x20) {
          n += (size_t)snprintf(out + n, 7, "\\u%04x", c);
          continue;
        }
        out[n++] = (char)c;
      }
      out[n++] = '"';
    }
    out[n++] = ']';
    if (ev->ack_id != SIO_NO_ACK_ID)
      (void)sio_socket_ack(s, ev->ack_id, (ref_span){(const uint8_t *)out, n}, NULL, 0);
    free(out);
    return true;
  }
  if (is_event(ev, "to-room-except")) { /* CT-54 */
    char *room = NULL, *except = NULL;
    size_t rl = 0, xl = 0;
    ref_span rlit, rest, xlit, rest2;
    if (first_string_arg(a->args, &room, &rl, &rlit, &rest) &&
        first_string_arg(rest, &except, &xl, &xlit, &rest2)) {
      ref_span r = {(const uint8_t *)room, rl}, x = {(const uint8_t *)except, xl};
      sio_selection sel = {&r, 1, &x, 1, false};
      (void)sio_namespace_broadcast(ns, &sel, "room-message", rest2, a->attachments,
                                    a->n_attachments, NULL);
    }
    free(room);
    free(except);
    return true;
  }
  if (is_event(ev, "server-side-emit")) { /* CT-55 */
    pending_answer *pa = answer_to(s, ev);
    if (sio_namespace_server_emit(ns, "ct-server-ping", a->args, a->attachments, a->n_attachments,
                                  pa ? on_cluster_done : NULL, pa) != 0)
      free(pa);
    return true;
  }
  if (is_event(ev, "room-ack")) { /* CT-56 */
    char *room = NULL;
    size_t rl = 0;
    ref_span rlit, rest;
    if (first_string_arg(a->args, &room, &rl, &rlit, &rest)) {
      ref_span r = {(const uint8_t *)room, rl};
      sio_selection sel = {&r, 1, NULL, 0, false};
      pending_answer *pa = answer_to(s, ev);
      if (!pa || sio_namespace_broadcast_with_ack(
                     ns, &sel, "room-ack-request", rest, a->attachments, a->n_attachments,
                     CONTRACT_APP_ROOM_ACK_TIMEOUT_MS, on_cluster_done, pa) < 0)
        free(pa);
    }
    free(room);
    return true;
  }
  return false;
}

void contract_app_cluster(sio_server *srv, const char *node_id) {
  snprintf(g_node_id, sizeof g_node_id, "%s", node_id ? node_id : "");
  for (char *p = g_node_id; *p; p++)
    if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) *p = '-'; /* stays a JSON string */
  sio_server_on_server_event(srv, g_node_id[0] ? on_server_event : NULL, NULL);
}

static void root_on_event(void *user, sio_socket *s, const sio_event *ev) {
  (void)user;
  const sio_args *a = &ev->args;
  if (is_event(ev, "message")) {
    /* CT-13: echo the arguments (and attachments) as "message-back". */
    (void)sio_socket_emit(s, "message-back", a->args, a->attachments, a->n_attachments, NULL);
  } else if (is_event(ev, "message-with-ack")) {
    /* CT-14: answer the ack with the same arguments. */
    if (ev->ack_id != SIO_NO_ACK_ID)
      (void)sio_socket_ack(s, ev->ack_id, a->args, a->attachments, a->n_attachments);
  } else if (is_event(ev, "extensions")) {
    /* CT-30: one argument, the list of implemented extensions (CT-50: "cluster" too on a
     * node of a cluster). */
    if (ev->ack_id != SIO_NO_ACK_ID)
      (void)sio_socket_ack(s, ev->ack_id,
                           cspan(g_node_id[0] ? "[\"rooms\",\"broadcast\",\"server-ack\",\"server-"
                                                "disconnect\",\"auth\",\"cluster\"]"
                                              : "[\"rooms\",\"broadcast\",\"server-ack\",\"server-"
                                                "disconnect\",\"auth\"]"),
                           NULL, 0);
  } else if (g_node_id[0] && cluster_event(s, ev)) {
    /* CT-51..CT-56 */
  } else if (is_event(ev, "join")) {
    room_event(s, ev, 0);
  } else if (is_event(ev, "leave")) {
    room_event(s, ev, 1);
  } else if (is_event(ev, "to-room")) {
    room_event(s, ev, 2);
  } else if (is_event(ev, "to-room-all")) {
    room_event(s, ev, 3);
  } else if (is_event(ev, "broadcast")) {
    /* CT-37: every other socket of "/" gets "broadcast-message". */
    (void)sio_namespace_emit(sio_socket_namespace(s), NULL, 0, s, "broadcast-message", a->args,
                             a->attachments, a->n_attachments);
  } else if (is_event(ev, "request-ack")) {
    /* CT-38: ask the client for an ack; on_ack_result reports the outcome. */
    sio_ack_request req = {on_ack_result, NULL, CONTRACT_APP_ACK_TIMEOUT_MS};
    (void)sio_socket_emit(s, "ack-request", a->args, a->attachments, a->n_attachments, &req);
  } else if (is_event(ev, "disconnect-me")) {
    (void)sio_socket_disconnect(s); /* CT-39: DISCONNECT for "/", connection stays */
  } else if (is_event(ev, "close-me")) {
    (void)sio_client_close(sio_socket_client(s)); /* CT-40: close the whole connection */
  }
  /* CT-15: anything else is ignored. */
}

/* CT-41, CT-42: "/auth" wants {"token":"sioconform"}. */
static bool auth_check_token(void *user, sio_client *c, ref_span auth, sio_auth_reject *reject) {
  (void)user;
  (void)c;
  bool ok = false;
  char *copy = malloc(auth.len + 1); /* cJSON reads NUL-terminated text */
  if (copy) {
    memcpy(copy, auth.ptr, auth.len);
    copy[auth.len] = '\0';
    /* cJSON ends strings at U+0000, so "sioconform\u0000x" would read as "sioconform"
     * (and a key "token\u0000x" as "token"): turn every \u0000 escape into \u0001
     * first. A text that is really a backslash followed by "u0000" changes too, but
     * only in ways that cannot make a non-matching token match. */
    for (char *p = strstr(copy, "\\u0000"); p; p = strstr(p + 6, "\\u0000")) p[5] = '1';
    cJSON *root = cJSON_Parse(copy);
    /* JSON.parse keeps the last of repeated keys: so do we. */
    const cJSON *tok = NULL;
    if (cJSON_IsObject(root))
      for (const cJSON *m = root->child; m; m = m->next)
        if (m->string && strcmp(m->string, "token") == 0) tok = m;
    ok = cJSON_IsString(tok) && tok->valuestring && strcmp(tok->valuestring, "sioconform") == 0;
    cJSON_Delete(root);
    free(copy);
  }
  if (!ok) {
    reject->message = "unauthorized";
    reject->data_json = "{\"reason\":\"bad-token\"}";
  }
  return ok;
}

static const sio_namespace_config contract_namespaces[] = {
    {"/", NULL, on_connect_emit_auth, root_on_event, NULL, NULL},
    {"/custom", NULL, on_connect_emit_auth, NULL, NULL, NULL},
    {"/auth", auth_check_token, on_connect_emit_auth, NULL, NULL, NULL},
};

void contract_app_configure(sio_server_config *cfg) {
  if (!cfg) return;
  cfg->namespaces = contract_namespaces;
  cfg->n_namespaces = sizeof contract_namespaces / sizeof contract_namespaces[0];
  cfg->connect_timeout_ms = CONTRACT_APP_CONNECT_TIMEOUT_MS;
  cfg->ack_timeout_ms = CONTRACT_APP_ACK_TIMEOUT_MS;
}
