/* The case model (case.c): levels, needs, transports, cases and their registry, and the
 * run-wide settings with what discovery found. Below everything else of the harness: no
 * runs, no network. */
#ifndef CT_CASE_H
#define CT_CASE_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef enum ct_level { CT_MUST = 0, CT_SHOULD = 1, CT_MAY = 2 } ct_level;

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

/* The protocol a case-run speaks (issue 14; --eio, --parser): Engine.IO v4 / Socket.IO v5
 * with the JSON parser (the default), Engine.IO v3 / Socket.IO v4 (spec/engine.io-v3.md,
 * spec/socket.io-v4.md), or v4 / v5 with the msgpack parser (spec/msgpack.md). A case
 * lists the ones it applies to ("protocols"); one run per selected protocol. */
#define CT_P_EIO4    1u
#define CT_P_EIO3    2u
#define CT_P_MSGPACK 4u
#define CT_P_ALL     7u
/* "eio4", "eio3", "msgpack" (for one bit; "?" otherwise) and back (0 when unknown). */
const char *ct_proto_name(unsigned p);
unsigned ct_proto_parse(const char *s);
/* The run-id suffix of protocol P: "" for the default (so default run ids never change),
 * else "/eio3" or "/msgpack". */
const char *ct_proto_suffix(unsigned p);
/* PREFIX then the names of the protocols in M, comma-separated ("eio4,eio3"), into OUT. */
void ct_protos_list(unsigned m, const char *prefix, char *out, size_t n);

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
  char *source;       /* where the case was defined */
  char *severity;     /* security pack (sec.*): "low", "medium", "high" or "critical"; else NULL */
  char *fixed;        /* security pack: the release(s) that fixed the advisory the case re-creates
                         ("engine.io 6.6.7"), shown in the reports; else NULL */
  ct_need needs;      /* "needs" in the scenario file; default: endpoint eio -> echo, sio -> app */
  unsigned protocols; /* CT_P_* the case applies to (default CT_P_EIO4) */
  unsigned offers;    /* CT_P_* the target must also offer ("offers"; e.g. a case about mixing
                       * versions in one session means nothing on a v3-only server) */
  unsigned refuses;   /* CT_P_* the case checks the refusal of ("refuses"; e.g. EIO=3 answered
                       * with error code 5): SKIP when the target offers one of them */
  int exclusive;      /* 1: runs alone (broadcasts reach every client; floods and timings
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

/* One C-probe case of a table (the client and cluster checkers' cases). */
typedef struct ct_probe_def {
  const char *id, *title, *tags;
  ct_level level;
  unsigned tr; /* CT_TR_* */
  ct_probe_fn fn;
} ct_probe_def;

/* Add DEFS[0..N) as Socket.IO C-probe cases defined in SOURCE, each needing NEEDS and
 * running alone when EXCLUSIVE. Their probe is WRAP when not NULL (it finds its def with
 * ct_probe_def_find), else each def's own fn. */
void ct_cases_add_probes(ct_cases *cs, const ct_probe_def *defs, size_t n, const char *source,
                         ct_need needs, int exclusive, ct_probe_fn wrap);
/* The def of DEFS[0..N) whose id is ID, or NULL. */
const ct_probe_def *ct_probe_def_find(const ct_probe_def *defs, size_t n, const char *id);
const char *ct_level_name(ct_level l);
int ct_level_parse(const char *s, ct_level *out);
/* Is C part of the security pack (id "sec.*"), reported apart from the conformance
 * score? */
int ct_case_is_sec(const ct_case *c);
/* Is S one of "low", "medium", "high", "critical"? */
int ct_severity_valid(const char *s);

/* What discovery found on the target (filled once before the cases run). */
typedef struct ct_target {
  int discovered;         /* 0: nothing probed (unit tests, fuzzing): every need counts as met */
  int sio_engine;         /* the Socket.IO path answers an Engine.IO handshake */
  int echo;               /* the echo path speaks Engine.IO and echoes messages */
  int sio_main;           /* CONNECT to "/" is answered with CONNECT {sid} */
  int app;                /* the contract's base app greets with "auth" */
  unsigned transports;    /* CT_TR_* the server offers */
  long ping_interval;     /* from the open packet, ms; -1 when absent */
  long ping_timeout;      /* ms; -1 when absent */
  long max_payload;       /* bytes; -1 when the open packet omits it */
  char answered[200];     /* what answered, for the report header */
  unsigned protocols;     /* CT_P_* discovery found offered (0: not probed) */
  int eio;                /* the Engine.IO version discovery itself spoke (4, or 3 on a v3-only
                           * target under --eio 3/all) */
  char proto_why[3][160]; /* per protocol (eio4, eio3, msgpack): what answered */
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
  const char *cors_origin; /* --cors-origin: the origin the server allows, or NULL */
  unsigned protocols;      /* --eio / --parser: CT_P_* selected (0 = CT_P_EIO4) */
} ct_config;

/* The names of the needs ("engine", "echo", "socketio", "app") and back; -1 for another. */
const char *ct_need_name(ct_need n);
int ct_need_parse(const char *s, ct_need *out);

#endif
