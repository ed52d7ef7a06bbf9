/* The socket loop around the scripted server core (cs_drive.c): one listening socket on
 * 127.0.0.1 (a free port), the connections of one client under test fed to a cs_core,
 * and the client process itself (started with the URL, its stdout read line by line,
 * its lifetime bounded and ended by its PID). Everything that happens, on the wire or
 * on the client's stdout, becomes one event in arrival order. */
#ifndef CS_DRIVE_H
#define CS_DRIVE_H

#include <sys/types.h>

#include "cs_core.h"

/* Events of the client process, after the core's (cs_ev_kind). */
enum {
  CS_EV_LINE = 100, /* a line the client printed on stdout; data: without the newline */
  CS_EV_EXIT,       /* the client process ended; data: "status N" or "signal N" */
};

typedef struct cs_drive {
  cs_core *core;
  int lfd, port;
  int fd[CS_MAX_CONNS];
  pid_t pid; /* the client's process (its own process group), -1 when none */
  int out_fd, err_fd;
  ct_buf out, err; /* stdout not yet split into lines; stderr kept for the transcript */
  int exited;
  cs_event *ev; /* every event so far, in order; USED marks the ones a case consumed */
  unsigned char *used;
  size_t nev, cap;
} cs_drive;

/* Listen on 127.0.0.1 port 0 with a core of O's settings. 0, or -1 (errno). */
int cs_drive_listen(cs_drive *d, const cs_opts *o);
/* Start ARGV[0] with ARGV (every "{url}" inside an argument replaced by URL) and ENV
 * (NAME=VALUE strings, NULL-terminated) added to this process's environment. stdin is
 * /dev/null; stdout and stderr are read by the loop. 0, or -1. */
int cs_drive_spawn(cs_drive *d, char *const *argv, const char *url, char *const *env);
/* Run the loop until at least one new event arrived or DEADLINE (ct_now_ms) passed.
 * Returns the number of new events (0 at the deadline). */
int cs_drive_pump(cs_drive *d, int64_t deadline);
/* The server vanishes: every connection closed without a byte and the listening socket
 * closed (later connections are refused), the client process left running. */
void cs_drive_vanish(cs_drive *d);
/* End the client (SIGTERM to its process group, SIGKILL after 1 s) and close every
 * socket; frees the events. */
void cs_drive_stop(cs_drive *d);

#endif
