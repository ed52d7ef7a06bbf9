/* Socket.IO server layer, rooms: per-namespace named sets of sockets, kept from both
 * sides (a room lists its members, a socket lists its rooms) so that a room emit visits
 * only members and a disconnect leaves every room without a search.
 * Spec tags: SIO-ROOM-1 (the own-id room is joined in sio_server.c), SIO-ROOM-2 (join,
 * leave), SIO-ROOM-5 (leave-all on disconnect), SIO-LIM-3 (rooms per socket). */
#include <stdlib.h>
#include <string.h>

#include "sioref/err.h"
#include "sio_internal.h"

sio_room *sio_room_find_(sio_namespace *ns, const char *name, size_t len) {
  for (sio_room *r = ns->rooms; r; r = r->next)
    if (r->name_len == len && (len == 0 || memcmp(r->name, name, len) == 0)) return r;
  return NULL;
}

static void room_free_if_empty(sio_namespace *ns, sio_room *r) {
  if (r->n_members) return;
  for (sio_room **pp = &ns->rooms; *pp; pp = &(*pp)->next) {
    if (*pp == r) {
      *pp = r->next;
      break;
    }
  }
  free(r->name);
  free(r->members);
  free(r);
}

/* Remove S from R's member list (order is not kept: rooms are sets). */
static void room_remove_member(sio_room *r, const sio_socket *s) {
  for (size_t i = 0; i < r->n_members; i++) {
    if (r->members[i] == s) {
      r->members[i] = r->members[--r->n_members];
      return;
    }
  }
}

bool sio_socket_in_room(const sio_socket *s, const char *room, size_t room_len) {
  if (!s || (!room && room_len)) return false;
  for (size_t i = 0; i < s->n_rooms; i++) {
    const sio_room *r = s->rooms[i];
    if (r->name_len == room_len && (room_len == 0 || memcmp(r->name, room, room_len) == 0))
      return true;
  }
  return false;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t nc = *cap ? *cap * 2 : 4;
  while (nc < need) nc *= 2;
  void *p = realloc(*arr, nc * elem);
  if (!p) return SIO_ERR_OUT_OF_MEMORY;
  *arr = p;
  *cap = nc;
  return 0;
}

int sio_socket_join(sio_socket *s, const char *room, size_t room_len) {
  if (!s || (!room && room_len)) return SIO_ERR_INVALID_ARGUMENT;
  if (!s->connected) return SIO_ERR_BAD_STATE;
  if (sio_socket_in_room(s, room, room_len))
    return 0; /* SIO-ROOM-2: joining twice changes nothing */
  /* SIO-LIM-3: a socket's room count is bounded so a peer cannot grow it without end. */
  if (s->n_rooms >= s->c->srv->cfg.max_rooms_per_socket) return SIO_ERR_BUFFER_TOO_SMALL;
  if (grow((void **)&s->rooms, &s->rooms_cap, s->n_rooms + 1, sizeof *s->rooms) != 0)
    return SIO_ERR_OUT_OF_MEMORY;
  sio_namespace *ns = s->ns;
  sio_room *r = sio_room_find_(ns, room, room_len);
  bool fresh = false;
  if (!r) {
    r = calloc(1, sizeof *r);
    if (!r) return SIO_ERR_OUT_OF_MEMORY;
    r->name = malloc(room_len ? room_len : 1);
    if (!r->name) {
      free(r);
      return SIO_ERR_OUT_OF_MEMORY;
    }
    if (room_len) memcpy(r->name, room, room_len);
    r->name_len = room_len;
    r->next = ns->rooms;
    ns->rooms = r;
    fresh = true;
  }
  if (grow((void **)&r->members, &r->cap, r->n_members + 1, sizeof *r->members) != 0) {
    if (fresh) room_free_if_empty(ns, r);
    return SIO_ERR_OUT_OF_MEMORY;
  }
  r->members[r->n_members++] = s;
  s->rooms[s->n_rooms++] = r;
  return 0;
}

int sio_socket_leave(sio_socket *s, const char *room, size_t room_len) {
  if (!s || (!room && room_len)) return SIO_ERR_INVALID_ARGUMENT;
  if (!s->connected) return SIO_ERR_BAD_STATE;
  for (size_t i = 0; i < s->n_rooms; i++) {
    sio_room *r = s->rooms[i];
    if (r->name_len == room_len && (room_len == 0 || memcmp(r->name, room, room_len) == 0)) {
      s->rooms[i] = s->rooms[--s->n_rooms];
      room_remove_member(r, s);
      room_free_if_empty(s->ns, r);
      return 0;
    }
  }
  return 0; /* SIO-ROOM-2: leaving a room one is not in changes nothing */
}

void sio_room_leave_all_(sio_socket *s) {
  /* SIO-ROOM-5: a socket that leaves its namespace leaves every room. */
  for (size_t i = 0; i < s->n_rooms; i++) {
    room_remove_member(s->rooms[i], s);
    room_free_if_empty(s->ns, s->rooms[i]);
  }
  s->n_rooms = 0;
}
