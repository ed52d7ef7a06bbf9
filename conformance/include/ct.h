/* The harness core: cases, runs, verdicts and Engine.IO client sessions ("conns")
 * over polling or WebSocket, all driven by one sequential poll() loop. */
#ifndef CT_H
#define CT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "ct_http.h"
#include "ct_util.h"
#include "ct_ws.h"

typedef enum ct_level { CT_MUST = 0, CT_SHOULD = 1, CT_MAY = 2 } ct_level;

typedef enum ct_verdict {
  CT_V_NONE = 0,
  CT_V_PASS,
  CT_V_FAIL,
  CT_V_NONSTRICT,
  CT_V_INFO,
  CT_V_SKIP,
  CT_V_BLOCKED, /* a preamble (handshake, CONNECT, greeting) failed: the run could not check
                 * its own rule; it names the root case that grades the preamble */
} ct_verdict;

/* What a case needs from the server (issue "any server"). Discovery finds what the
 * target offers; a case whose need is missing is SKIP with the reason, never FAIL. */
typedef enum ct_need {
  CT_NEED_ENGINE = 0, /* an Engine.IO endpoint: the echo path if served, else the Socket.IO
                       * path (the Engine.IO layer is the same on both) */
  CT_NEED_ECHO,       /* the contract's Engine.IO echo path (every message comes back) */
  CT_NEED_SOCKETIO,   /* the Socket.IO path with its main namespace; no app code */
  CT_NEED_APP,        /* the contract's base app on the Socket.IO path (greeting, events,
                       * /custom, /auth ...) */
} ct_need;

#define CT_TR_POLLING   1u
#define CT_TR_WEBSOCKET 2u
#define CT_TR_ALL       3u

typedef struct ct_run ct_run;
typedef void (*ct_probe_fn)(ct_run *r);

/* One case. Every string is owned by the case (freed by ct_cases_free). */
typedef struct ct_case {
  char *id;       /* stable dotted id, e.g. "eio.heartbeat.pong-timeout" */
  char *title;    /* one line */
  char *tags;     /* comma-separated spec tags */
  ct_level level; /* MUST -> FAIL, SHOULD -> NON-STRICT, MAY -> INFO */
  unsigned transports;
  char *requires; /* contract extension needed, or NULL */
  int sio;        /* 1: runs against the Socket.IO path, 0: the Engine.IO echo path */
  cJSON *steps;   /* scenario steps (owned), or NULL for a C probe */
  ct_probe_fn probe;
  char *source;   /* where the case was defined */
  char *severity; /* security pack (sec.*): "low", "medium", "high" or "critical"; else NULL */
  ct_need needs;  /* "needs" in the scenario file; default: endpoint eio -> echo, sio -> app */
  int exclusive;  /* 1: runs alone (broadcasts reach every client; floods and timings
                   * would disturb or be disturbed by concurrent runs) */
} ct_case;

typedef struct ct_cases {
  ct_case *v;
  size_t n, cap;
} ct_cases;

/* Add a case; takes ownership of STEPS. Strings are copied. */
ct_case *ct_cases_add(ct_cases *cs, const char *id, const char *title, const char *tags,
                      ct_level level, unsigned transports, int sio, const char *requires);
void ct_cases_free(ct_cases *cs);
const char *ct_level_name(ct_level l);
int ct_level_parse(const char *s, ct_level *out);
const char *ct_verdict_name(ct_verdict v);
/* Is C part of the security pack (id "sec.*"), reported apart from the conformance
 * score? */
int ct_case_is_sec(const ct_case *c);
/* Is S one of "low", "medium", "high", "critical"? */
int ct_severity_valid(const char *s);

/* What discovery found on the target (filled once before the cases run). */
typedef struct ct_target {
  int discovered;      /* 0: nothing probed (unit tests, fuzzing): every need counts as met */
  int sio_engine;      /* the Socket.IO path answers an Engine.IO handshake */
  int echo;            /* the echo path speaks Engine.IO and echoes messages */
  int sio_main;        /* CONNECT to "/" is answered with CONNECT {sid} */
  int app;             /* the contract's base app greets with "auth" */
  unsigned transports; /* CT_TR_* the server offers */
  long ping_interval;  /* from the open packet, ms; -1 when absent */
  long ping_timeout;   /* ms; -1 when absent */
  long max_payload;    /* bytes; -1 when the open packet omits it */
  char answered[200];  /* what answered, for the report header */
} ct_target;

/* Run-wide settings. Strings are owned by the program. */
typedef struct ct_config {
  char host[256];
  int port;
  const char *sio_path; /* default "/socket.io/" */
  const char *eio_path; /* default "/engine.io/" */
  int strict;
  double tscale; /* multiplies every harness wait */
  int verbose;
  const char *vectors_dir;
  cJSON *extensions; /* array of names, or NULL when the server did not answer */
  ct_target tgt;     /* discovery results */
  long max_payload;  /* --max-payload: used when the open packet omits maxPayload; 0 = unset */
  int jobs;          /* --jobs: runs at once (0 = the default) */
} ct_config;

/* One Engine.IO packet as received: text (type digit included) or binary bytes. */
typedef struct ct_pkt {
  int binary;
  ct_buf data;
} ct_pkt;

#define CT_MAX_CONNS 16

/* One client connection of a run. */
typedef struct ct_conn {
  char name[16];
  ct_run *r;
  unsigned transport; /* CT_TR_POLLING or CT_TR_WEBSOCKET */
  int bg;             /* polling: keep a GET in flight while pumping */
  int autopong;       /* answer ping "2" with pong "3" without queueing it */
  char path[256];
  char sid[128];
  long ping_interval, ping_timeout, max_payload;
  ct_ws ws;
  ct_http_call get;
  int get_pending;
  ct_pkt *q; /* received packets not yet taken */
  size_t qhead, qn, qcap;
  int closed;
  char close_why[200];
} ct_conn;

struct ct_run {
  const ct_case *c;
  const ct_config *cfg;
  unsigned transport;
  char *run_id; /* owned: id@transport */
  ct_verdict verdict;
  int nverdicts;
  char *reason;     /* owned */
  char *expected;   /* owned, may be NULL */
  char *actual;     /* owned, may be NULL */
  char *blocked_by; /* owned: the root run id for CT_V_BLOCKED, else NULL */
  char *deviation;  /* owned: id of the known-deviations entry whose cause matches this
                     * non-PASS run (e.g. "N-3"), else NULL */
  ct_buf log;       /* wire transcript */
  int64_t t0;
  double ms;
  ct_conn *conns[CT_MAX_CONNS];
  int nconns;
  cJSON *vars;     /* object: name -> string or number */
  int open_graded; /* 1 while a step runs that checks the handshake/CONNECT/greeting itself:
                    * a failure there is graded, not BLOCKED (steps.c sets it; 0 = preamble) */
};

/* ---- verdicts (exactly one per run; a second one is recorded in the log and ignored) */
void ct_pass(ct_run *r);
/* A failed expectation: the level decides FAIL / NON-STRICT / INFO. EXPECTED and
 * ACTUAL are copied (may be NULL). */
void ct_fail(ct_run *r, const char *expected, const char *actual, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ct_skip(ct_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ct_info(ct_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A preamble failed: record CT_V_BLOCKED naming ROOT, the run id of the case that grades
 * that preamble (e.g. "sio.connect.main-answer@polling"). Never PASS/INFO/NON-STRICT,
 * whatever the case's level. */
void ct_blocked(ct_run *r, const char *root, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *ct_need_name(ct_need n);
int ct_need_parse(const char *s, ct_need *out);
void ct_log(ct_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Scale a harness wait by --timeout-scale. */
int ct_ms(const ct_run *r, long ms);

/* ---- running */
/* Run case C on TRANSPORT into R (caller frees with ct_run_free). */
void ct_run_case(ct_run *r, const ct_case *c, const ct_config *cfg, unsigned transport);
void ct_run_free(ct_run *r);
/* Run the scenario steps of R's case (steps.c). */
void ct_steps_run(ct_run *r);

/* ---- client sessions (client.c) */
/* Open an Engine.IO session named NAME on TRANSPORT at PATH (NULL = the case's path)
 * with extra query text QUERY (NULL or "&a=b"). The open packet's values are stored
 * in the conn and in the run's variables. Returns the conn (owned by the run) or NULL
 * with the run's failure recorded. */
ct_conn *ct_open(ct_run *r, const char *name, unsigned transport, const char *path,
                 const char *query);
/* A connection slot for raw work (no handshake yet). */
ct_conn *ct_conn_new(ct_run *r, const char *name, unsigned transport);
ct_conn *ct_conn_find(ct_run *r, const char *name);
/* Path of the case's endpoint. */
const char *ct_case_path(const ct_run *r);
/* Send one Engine.IO packet (text with type digit, or binary). On polling this is a
 * POST whose status must be 200; returns 0, or -1 (failure logged, not recorded). */
int ct_send(ct_conn *c, int binary, const void *p, size_t len);
/* POST a raw body on a polling conn; STATUS and BODY (may be NULL) get the answer.
 * Returns 0 when a response arrived, -1 otherwise. */
int ct_post(ct_conn *c, const void *body, size_t len, const char *headers, int *status,
            ct_buf *resp_body);
/* Take the next received packet within TIMEOUT_MS (scaled by the caller). Returns 1
 * (OUT filled; caller frees OUT->data), 0 timeout, -1 the conn is closed. */
int ct_next(ct_conn *c, int timeout_ms, ct_pkt *out);
/* Pump every conn of the run for up to MS milliseconds (answers pings, keeps polls). */
void ct_pump(ct_run *r, int ms);
/* Start a GET on a polling conn now (a long poll held by the server). */
int ct_poll_start(ct_conn *c);
void ct_conn_close(ct_conn *c);
/* Is the polling session gone? Sends one GET: 1 when it is refused (HTTP 400, a close
 * packet, or no answer), 0 if not. STRICT: only HTTP 400 with error code 1 ("Session
 * ID unknown") counts, for use while another GET of the session may be held (a second
 * GET would itself close a live session). */
int ct_poll_gone(ct_conn *c, int timeout_ms, int strict);
/* Render a packet for logs and reports. */
void ct_pkt_render(ct_buf *b, const ct_pkt *p);
/* Append a received packet to C's queue (copies P); put N packets (ownership taken, the
 * array itself stays the caller's) back at the head of the queue, in order. */
void ct_queue_push(ct_conn *c, int binary, const unsigned char *p, size_t len);
void ct_queue_unshift(ct_conn *c, ct_pkt *pkts, size_t n);

/* The root cases that grade each preamble on its own; a run whose preamble fails is
 * BLOCKED by "<root>@<transport>" (issue 11, "one fault, one failure"). */
#define CT_ROOT_EIO_HANDSHAKE "eio.handshake.open"        /* the echo path's handshake */
#define CT_ROOT_SIO_HANDSHAKE "sio.engine.handshake.open" /* the Socket.IO path's handshake */
#define CT_ROOT_SIO_CONNECT   "sio.connect.main-answer"   /* CONNECT "/" answered, no app */
#define CT_ROOT_GREETING      "sio.connect.main"          /* the contract app's "auth" event */
/* The handshake root for a session opened on PATH. */
const char *ct_handshake_root(const ct_run *r, const char *path);
/* A preamble failed. When R's case is ROOT_CASE itself, or R->open_graded is set, this is
 * the run's own failure (ct_fail, by level); otherwise R is BLOCKED by ROOT_CASE@TRANSPORT
 * with the reason (and ACTUAL) named. EXPECTED/ACTUAL may be NULL. */
void ct_preamble_fail(ct_run *r, const char *root_case, unsigned transport, const char *expected,
                      const char *actual, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* ---- Socket.IO helpers (sio.c) */
/* Open a session and connect namespace "/": send "40", expect "40{sid}" and the
 * contract's "auth" event. Returns the conn or NULL (failure recorded). */
ct_conn *ct_sio_open(ct_run *r, const char *name, unsigned transport);
/* Next packet that is not a noop, within TIMEOUT_MS. */
int ct_next_data(ct_conn *c, int timeout_ms, ct_pkt *out);

/* ---- case sources */
int ct_scenarios_load_dir(ct_cases *cs, const char *dir, char *err, size_t errlen);
int ct_scenarios_load_file(ct_cases *cs, const char *file, char *err, size_t errlen);
int ct_vectors_load(ct_cases *cs, const char *vectors_dir, char *err, size_t errlen);
void ct_probes_register(ct_cases *cs);

#endif
