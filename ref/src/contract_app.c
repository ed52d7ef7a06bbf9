/* The test-app contract's Socket.IO application (spec/contract.md CT-12..CT-19 and the
 * extensions CT-30..CT-42) written against the sans-I/O Socket.IO layer. Arguments are
 * passed on as the client's JSON text; cJSON only reads the auth token.
 * Spec tags: CT-12, CT-13, CT-14, CT-16, CT-17, CT-19, CT-30..CT-42 (and through the
 * layer SIO-NS, SIO-AUTH, SIO-EV, SIO-ACK, SIO-ROOM, SIO-DC). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sioref/contract_app.h"
#include "sioref/sio_emit.h"
#include "sioref/sio_room.h"
#include "sioref/json_scan.h"

/* ---------------------------------------------------------------- helpers */

static ref_span cspan(const char *s) {
  ref_span sp = {(const uint8_t *)s, strlen(s)};
  return sp;
}

static unsigned hex4(const uint8_t *p) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    uint8_t ch = p[i];
    v = v * 16 + (ch <= '9' ? (unsigned)(ch - '0') : (unsigned)((ch | 0x20) - 'a' + 10));
  }
  return v;
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
    uint8_t e = esc.ptr[i + 1];
    i += 2;
    unsigned cp;
    switch (e) {
    case 'b':
      cp = '\b';
      break;
    case 'f':
      cp = '\f';
      break;
    case 'n':
      cp = '\n';
      break;
    case 'r':
      cp = '\r';
      break;
    case 't':
      cp = '\t';
      break;
    case 'u':
      cp = hex4(esc.ptr + i);
      i += 4;
      if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= esc.len && esc.ptr[i] == '\\' &&
          esc.ptr[i + 1] == 'u') {
        unsigned lo = hex4(esc.ptr + i + 2);
        if (lo >= 0xDC00 && lo < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          i += 6;
        }
      }
      break;
    default:
      cp = e;
      break; /* \" \\ \/ */
    }
    if (cp < 0x80) {
      out[n++] = (char)cp;
    } else if (cp < 0x800) {
      out[n++] = (char)(0xC0 | (cp >> 6));
      out[n++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out[n++] = (char)(0xE0 | (cp >> 12));
      out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      out[n++] = (char)(0x80 | (cp & 0x3F));
    } else {
      out[n++] = (char)(0xF0 | (cp >> 18));
      out[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
      out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      out[n++] = (char)(0x80 | (cp & 0x3F));
    }
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
    /* CT-30: one argument, the list of implemented extensions. */
    if (ev->ack_id != SIO_NO_ACK_ID)
      (void)sio_socket_ack(
          s, ev->ack_id,
          cspan("[\"rooms\",\"broadcast\",\"server-ack\",\"server-disconnect\",\"auth\"]"), NULL,
          0);
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
