/* Socket.IO server layer, rooms (implemented by sio_room.c): join, leave and membership
 * of named rooms of a socket's namespace (broadcasts to a room: sio_emit.h). The wiring
 * contract and every type are in sio_server.h. Spec tags: SIO-ROOM-1, SIO-ROOM-2,
 * SIO-LIM-3. */
#ifndef SIOREF_SIO_ROOM_H
#define SIOREF_SIO_ROOM_H

#include <stdbool.h>
#include <stddef.h>

#include "sioref/sio_server.h"

/* SIO-ROOM-2: join / leave the room named by ROOM/ROOM_LEN (any bytes, copied).
 * SIO-ROOM-1: every socket starts in the room named by its own id (sio_socket_id).
 * Joining twice or leaving a room not joined is a no-op returning 0. Returns 0,
 * REF_ERR_INVALID_ARGUMENT, REF_ERR_BAD_STATE (disconnected), REF_ERR_OUT_OF_MEMORY,
 * or REF_ERR_BUFFER_TOO_SMALL when max_rooms_per_socket is reached (SIO-LIM). */
int sio_socket_join(sio_socket *s, const char *room, size_t room_len);
int sio_socket_leave(sio_socket *s, const char *room, size_t room_len);
bool sio_socket_in_room(const sio_socket *s, const char *room, size_t room_len);

#endif
