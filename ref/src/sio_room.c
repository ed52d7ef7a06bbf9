/* Socket.IO server layer, rooms: per-namespace named sets of sockets in a hash table,
 * membership kept from both sides (see sio_internal.h) so that a join, a leave, a
 * disconnect and a room emit cost O(1) per member whatever the number of rooms (every
 * socket has its own-id room, so there are at least as many rooms as sockets).
 * Spec tags: SIO-ROOM-1 (the own-id room is joined in sio_server.c), SIO-ROOM-2 (join,
 * leave), SIO-ROOM-5 (leave-all on disconnect), SIO-LIM-3 (rooms per socket). */
#include <stdlib.h>
#include <string.h>

#include "sioref/err.h"
#include "sio_internal.h"

/* FNV-1a: rooms are looked up by arbitrary bytes; no need for more. */
static uint64_t room_hash(const char *name, size_t len) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)name[i];
    h *= 1099511628211ull;
  }
  return h;
}

static bool room_is(const sio_room *r, uint64_t h, const char *name, size_t len) {
  return r->hash == h && r->name_len == len && (len == 0 || memcmp(r->name, name, len) == 0);
}

sio_room *sio_room_find_(sio_namespace *ns, const char *name, size_t len) {
  if (!ns->n_buckets) return NULL;
  uint64_t h = room_hash(name, len);
  for (sio_room *r = ns->buckets[h & (ns->n_buckets - 1)]; r; r = r->next)
    if (room_is(r, h, name, len)) return r;
  return NULL;
}

/* Make room for one more room in NS's table (doubling when the load passes 1). */
static int table_reserve(sio_namespace *ns) {
  if (ns->n_rooms < ns->n_buckets) return 0;
  size_t nb = ns->n_buckets ? ns->n_buckets * 2 : 16;
  sio_room **b = calloc(nb, sizeof *b);
  if (!b) return REF_ERR_OUT_OF_MEMORY;
  for (size_t i = 0; i < ns->n_buckets; i++) {
    sio_room *r = ns->buckets[i];
    while (r) {
      sio_room *next = r->next;
      r->next = b[r->hash & (nb - 1)];
      b[r->hash & (nb - 1)] = r;
      r = next;
    }
  }
  free(ns->buckets);
  ns->buckets = b;
  ns->n_buckets = nb;
  return 0;
}

static void room_free_if_empty(sio_namespace *ns, sio_room *r) {
  if (r->n_members) return;
  for (sio_room **pp = &ns->buckets[r->hash & (ns->n_buckets - 1)]; *pp; pp = &(*pp)->next) {
    if (*pp == r) {
      *pp = r->next;
      break;
    }
  }
  ns->n_rooms--;
  free(r->name);
  free(r->members);
  free(r);
}

void sio_room_table_free_(sio_namespace *ns) {
  /* Rooms are freed with their last member; a table left non-empty is a bug, but the
   * rooms are still released rather than leaked. */
  for (size_t i = 0; i < ns->n_buckets; i++) {
    while (ns->buckets[i]) {
      sio_room *r = ns->buckets[i];
      ns->buckets[i] = r->next;
      free(r->name);
      free(r->members);
      free(r);
    }
  }
  free(ns->buckets);
  ns->buckets = NULL;
  ns->n_buckets = ns->n_rooms = 0;
}

/* Remove membership J of S (both sides), freeing the room if it is left empty. */
static void membership_remove(sio_socket *s, size_t j) {
  sio_room *r = s->rooms[j].room;
  size_t i = s->rooms[j].idx;
  /* room side: move the last member into slot i and fix its socket's back index */
  r->members[i] = r->members[--r->n_members];
  if (i < r->n_members) r->members[i].s->rooms[r->members[i].slot].idx = i;
  /* socket side: move the last membership into slot j and fix its room's back index */
  s->rooms[j] = s->rooms[--s->n_rooms];
  if (j < s->n_rooms) s->rooms[j].room->members[s->rooms[j].idx].slot = j;
  room_free_if_empty(s->ns, r);
}

static ptrdiff_t membership_find(const sio_socket *s, const char *room, size_t room_len) {
  for (size_t j = 0; j < s->n_rooms; j++) {
    const sio_room *r = s->rooms[j].room;
    if (r->name_len == room_len && (room_len == 0 || memcmp(r->name, room, room_len) == 0))
      return (ptrdiff_t)j;
  }
  return -1;
}

bool sio_socket_in_room(const sio_socket *s, const char *room, size_t room_len) {
  if (!s || (!room && room_len)) return false;
  return membership_find(s, room, room_len) >= 0;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t nc = *cap ? *cap * 2 : 4;
  while (nc < need) nc *= 2;
  void *p = realloc(*arr, nc * elem);
  if (!p) return REF_ERR_OUT_OF_MEMORY;
  *arr = p;
  *cap = nc;
  return 0;
}

int sio_socket_join(sio_socket *s, const char *room, size_t room_len) {
  if (!s || (!room && room_len)) return REF_ERR_INVALID_ARGUMENT;
  if (!s->connected) return REF_ERR_BAD_STATE;
  if (membership_find(s, room, room_len) >= 0) return 0; /* SIO-ROOM-2: no change */
  /* SIO-LIM-3: a socket's room count is bounded so a peer cannot grow it without end. */
  if (s->n_rooms >= s->c->srv->cfg.max_rooms_per_socket) return REF_ERR_BUFFER_TOO_SMALL;
  if (grow((void **)&s->rooms, &s->rooms_cap, s->n_rooms + 1, sizeof *s->rooms) != 0)
    return REF_ERR_OUT_OF_MEMORY;
  sio_namespace *ns = s->ns;
  sio_room *r = sio_room_find_(ns, room, room_len);
  if (!r) {
    if (table_reserve(ns) != 0) return REF_ERR_OUT_OF_MEMORY;
    r = calloc(1, sizeof *r);
    if (!r) return REF_ERR_OUT_OF_MEMORY;
    r->name = malloc(room_len ? room_len : 1);
    r->cap = 4;
    r->members = malloc(r->cap * sizeof *r->members);
    if (!r->name || !r->members) {
      free(r->name);
      free(r->members);
      free(r);
      return REF_ERR_OUT_OF_MEMORY;
    }
    if (room_len) memcpy(r->name, room, room_len);
    r->name_len = room_len;
    r->hash = room_hash(room, room_len);
    size_t b = r->hash & (ns->n_buckets - 1);
    r->next = ns->buckets[b];
    ns->buckets[b] = r;
    ns->n_rooms++;
  } else if (grow((void **)&r->members, &r->cap, r->n_members + 1, sizeof *r->members) != 0) {
    return REF_ERR_OUT_OF_MEMORY;
  }
  r->members[r->n_members].s = s;
  r->members[r->n_members].slot = s->n_rooms;
  s->rooms[s->n_rooms].room = r;
  s->rooms[s->n_rooms].idx = r->n_members;
  r->n_members++;
  s->n_rooms++;
  return 0;
}

int sio_socket_leave(sio_socket *s, const char *room, size_t room_len) {
  if (!s || (!room && room_len)) return REF_ERR_INVALID_ARGUMENT;
  if (!s->connected) return REF_ERR_BAD_STATE;
  ptrdiff_t j = membership_find(s, room, room_len);
  if (j >= 0) membership_remove(s, (size_t)j);
  return 0; /* SIO-ROOM-2: leaving a room one is not in changes nothing */
}

void sio_room_leave_all_(sio_socket *s) {
  /* SIO-ROOM-5: a socket that leaves its namespace leaves every room. */
  while (s->n_rooms) membership_remove(s, s->n_rooms - 1);
}
