/* Socket.IO server layer, send side: events, acks and namespace/room broadcasts built
 * with the codec's encoders (application arguments are copied as JSON text, never
 * re-printed). Spec tags: SIO-EV-5 (namespace on every packet), SIO-ACK-1, SIO-ACK-3
 * (ack ids and answers), SIO-ROOM-3, SIO-ROOM-4, SIO-ROOM-6 (room and namespace
 * broadcasts), SIO-LIM-3 (pending ack limit), SIO-BIN-* through the codec's encoder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sioref/err.h"
#include "sio_internal.h"

bool sio_client_can_send_(const sio_client *c) {
  return c->state == SIO_CS_OPEN || c->state == SIO_CS_CLOSING;
}

size_t sio_json_quote_(const char *s, size_t len, char *out) {
  static const char hex[] = "0123456789abcdef";
  size_t n = 0;
  if (out) out[n] = '"';
  n++;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)s[i];
    const char *esc = NULL;
    char u[6];
    size_t el = 0;
    if (ch == '"')
      esc = "\\\"", el = 2;
    else if (ch == '\\')
      esc = "\\\\", el = 2;
    else if (ch == '\n')
      esc = "\\n", el = 2;
    else if (ch == '\r')
      esc = "\\r", el = 2;
    else if (ch == '\t')
      esc = "\\t", el = 2;
    else if (ch < 0x20) {
      u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0', u[4] = hex[ch >> 4], u[5] = hex[ch & 15];
      esc = u, el = 6;
    }
    if (esc) {
      if (out) memcpy(out + n, esc, el);
      n += el;
    } else {
      if (out) out[n] = (char)ch;
      n++;
    }
  }
  if (out) out[n] = '"';
  n++;
  return n;
}

/* Encode P into *OUT: STACK (CAP bytes) when it fits, else a malloc'd buffer the caller
 * frees when *OUT != STACK. Returns the length or a negative error. */
static int encode(const sio_packet *p, uint32_t proto, uint8_t *stack, size_t cap, uint8_t **out) {
  uint8_t seen_small[64];
  uint8_t *seen = NULL;
  bool bin = p->type == SIO_PACKET_BINARY_EVENT || p->type == SIO_PACKET_BINARY_ACK;
  if (bin) {
    seen = p->attachments <= sizeof seen_small ? seen_small : malloc(p->attachments);
    if (!seen) return REF_ERR_OUT_OF_MEMORY;
  }
  int n = bin ? sio_binary_encode_header(p, seen, stack, cap)
              : sio_packet_encode_proto(p, proto, stack, cap);
  *out = stack;
  if (n > (int)cap) {
    *out = malloc((size_t)n);
    if (!*out)
      n = REF_ERR_OUT_OF_MEMORY;
    else {
      int m = bin ? sio_binary_encode_header(p, seen, *out, (size_t)n)
                  : sio_packet_encode_proto(p, proto, *out, (size_t)n);
      if (m != n) {
        free(*out);
        *out = stack;
        n = m < 0 ? m : REF_ERR_INTERNAL;
      }
    }
  }
  if (seen && seen != seen_small) free(seen);
  return n;
}

/* Send an encoded packet (text) and its attachments to C, in order. */
static int send_encoded(sio_client *c, const uint8_t *text, size_t len, const ref_span *att,
                        size_t n_att) {
  if (!sio_client_can_send_(c)) return REF_ERR_BAD_STATE;
  const sio_server_config *cfg = &c->srv->cfg;
  int rc = cfg->send(cfg->user, c, false, text, len);
  /* SIO-BIN-16: a binary packet is its header then each attachment, nothing between. */
  for (size_t i = 0; rc >= 0 && i < n_att; i++)
    rc = sio_client_can_send_(c) ? cfg->send(cfg->user, c, true, att[i].ptr, att[i].len)
                                 : REF_ERR_BAD_STATE; /* reported gone meanwhile */
  return rc < 0 ? rc : 0;
}

int sio_send_packet_(sio_client *c, const sio_packet *p, const ref_span *att, size_t n_att) {
  if (!sio_client_can_send_(c)) return REF_ERR_BAD_STATE;
  uint8_t stack[512], *out;
  int n = encode(p, c->protocol, stack, sizeof stack, &out); /* SIO-FPK-6 on v4 clients */
  if (n < 0) return n;
  int rc = send_encoded(c, out, (size_t)n, att, n_att);
  if (out != stack) free(out);
  return rc;
}

/* Build the JSON array ["event",args] into a malloc'd buffer. */
static char *event_array(const char *event, ref_span args, size_t *len) {
  size_t el = strlen(event);
  size_t cap = 2 + sio_json_quote_(event, el, NULL) + (args.len ? 1 + args.len : 0);
  char *buf = malloc(cap);
  if (!buf) return NULL;
  size_t n = 0;
  buf[n++] = '[';
  n += sio_json_quote_(event, el, buf + n);
  if (args.len) {
    buf[n++] = ',';
    memcpy(buf + n, args.ptr, args.len);
    n += args.len;
  }
  buf[n++] = ']';
  *len = n;
  return buf;
}

static bool args_ok(ref_span args, const ref_span *att, size_t n_att) {
  if (!args.ptr && args.len) return false;
  if (n_att && !att) return false;
  if (n_att > UINT32_MAX) return false;
  for (size_t i = 0; i < n_att; i++)
    if (!att[i].ptr && att[i].len) return false;
  return true;
}

int sio_socket_emit(sio_socket *s, const char *event, ref_span args, const ref_span *att,
                    size_t n_att, const sio_ack_request *ack) {
  if (!s || !event || !args_ok(args, att, n_att) || (ack && !ack->fn))
    return REF_ERR_INVALID_ARGUMENT;
  if (!s->connected || !sio_client_can_send_(s->c)) return REF_ERR_BAD_STATE;
  sio_client *c = s->c;
  const sio_server_config *cfg = &c->srv->cfg;
  sio_pending_ack *pa = NULL;
  if (ack) {
    /* SIO-LIM-3: bound the requests waiting for the client. */
    if (s->n_acks >= cfg->max_pending_acks) return REF_ERR_BUFFER_TOO_SMALL;
    pa = calloc(1, sizeof *pa);
    if (!pa) return REF_ERR_OUT_OF_MEMORY;
  }
  size_t dlen = 0;
  char *data = event_array(event, args, &dlen);
  if (!data) {
    free(pa);
    return REF_ERR_OUT_OF_MEMORY;
  }
  sio_packet p = {n_att ? SIO_PACKET_BINARY_EVENT : SIO_PACKET_EVENT,
                  {(const uint8_t *)s->ns->cfg->name, s->ns->name_len},
                  SIO_NO_ACK_ID,
                  (uint32_t)n_att,
                  {(const uint8_t *)data, dlen}};
  if (pa) {
    /* SIO-ACK-3: ids count up from 0, unique among this socket's outstanding requests
     * (wrapping at 2^53 long after any request could still be pending). */
    if (s->next_ack_id > SIO_MAX_ACK_ID) s->next_ack_id = 0;
    pa->id = s->next_ack_id++;
    p.ack_id = pa->id;
  }
  sio_client_enter_(c); /* S stays allocated even if the send makes C close */
  int rc = sio_send_packet_(c, &p, att, n_att);
  free(data);
  if (rc >= 0 && !s->connected) rc = REF_ERR_BAD_STATE; /* gone while sending */
  if (rc < 0) {
    free(pa);
    sio_client_leave_(c);
    return rc;
  }
  if (pa) {
    pa->fn = ack->fn;
    pa->user = ack->user;
    pa->deadline_ms = c->srv->now_ms + (ack->timeout_ms ? ack->timeout_ms : cfg->ack_timeout_ms);
    pa->next = s->acks;
    s->acks = pa;
    s->n_acks++;
    if (cfg->wake) cfg->wake(cfg->user, c, sio_client_next_deadline(c));
  }
  sio_client_leave_(c);
  return 0;
}

int sio_socket_ack(sio_socket *s, int64_t ack_id, ref_span args, const ref_span *att,
                   size_t n_att) {
  if (!s || ack_id < 0 || ack_id > SIO_MAX_ACK_ID || !args_ok(args, att, n_att))
    return REF_ERR_INVALID_ARGUMENT;
  if (!s->connected || !sio_client_can_send_(s->c)) return REF_ERR_BAD_STATE;
  char *data = malloc(args.len + 2);
  if (!data) return REF_ERR_OUT_OF_MEMORY;
  data[0] = '[';
  if (args.len) memcpy(data + 1, args.ptr, args.len);
  data[args.len + 1] = ']';
  /* SIO-ACK-1: the answer is an ACK (BINARY_ACK with attachments) with the client's id
   * and the socket's namespace (SIO-EV-5). */
  sio_packet p = {n_att ? SIO_PACKET_BINARY_ACK : SIO_PACKET_ACK,
                  {(const uint8_t *)s->ns->cfg->name, s->ns->name_len},
                  ack_id,
                  (uint32_t)n_att,
                  {(const uint8_t *)data, args.len + 2}};
  int rc = sio_send_packet_(s->c, &p, att, n_att);
  free(data);
  return rc;
}

int sio_namespace_emit(sio_namespace *ns, const char *room, size_t room_len,
                       const sio_socket *except, const char *event, ref_span args,
                       const ref_span *att, size_t n_att) {
  if (!ns || !event || (!room && room_len) || !args_ok(args, att, n_att))
    return REF_ERR_INVALID_ARGUMENT;
  sio_room *r = room ? sio_room_find_(ns, room, room_len) : NULL;
  if (room && !r && !ns->srv->adapter) return 0; /* SIO-ROOM-3: nobody is in it */
  size_t dlen = 0;
  char *data = event_array(event, args, &dlen);
  if (!data) return REF_ERR_OUT_OF_MEMORY;
  /* RA-2: the other nodes of a cluster get it too, members here or not. */
  sio_cluster_emitted_(ns, room, room_len, except, (ref_span){(const uint8_t *)data, dlen}, att,
                       n_att);
  if (room && !r) { /* SIO-ROOM-3: nobody here is in a room that does not exist */
    free(data);
    return 0;
  }
  sio_packet p = {n_att ? SIO_PACKET_BINARY_EVENT : SIO_PACKET_EVENT,
                  {(const uint8_t *)ns->cfg->name, ns->name_len},
                  SIO_NO_ACK_ID,
                  (uint32_t)n_att,
                  {(const uint8_t *)data, dlen}};
  uint8_t stack[512], *out;
  /* encoded once, sent to many: an EVENT reads the same in protocols v4 and v5 */
  int n = encode(&p, SIO_PROTOCOL_V5, stack, sizeof stack, &out);
  free(data);
  if (n < 0) return n;
  /* SIO-ROOM-3, SIO-ROOM-4: every member (every socket) at the time of sending, once,
   * optionally except the sender; SIO-ROOM-6: no ack id. The recipients' clients are
   * copied first: an embedder whose send reports a connection gone (on_closed) would
   * otherwise change the lists under the loop. Clients are never freed inside a call,
   * and one client has at most one socket per namespace, so each appears once. */
  size_t total = r ? r->n_members : ns->n_sockets, k = 0;
  sio_client **to = malloc((total ? total : 1) * sizeof *to);
  if (!to) {
    if (out != stack) free(out);
    return REF_ERR_OUT_OF_MEMORY;
  }
  if (r) {
    for (size_t i = 0; i < r->n_members; i++)
      if (r->members[i].s != except && r->members[i].s->connected) to[k++] = r->members[i].s->c;
  } else {
    for (sio_socket *m = ns->head; m; m = m->ns_next)
      if (m != except) to[k++] = m->c;
  }
  int count = 0;
  for (size_t i = 0; i < k; i++)
    if (send_encoded(to[i], out, (size_t)n, att, n_att) == 0) count++;
  free(to);
  if (out != stack) free(out);
  return count;
}
