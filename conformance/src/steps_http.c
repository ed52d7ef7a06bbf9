/* Step ops for HTTP/1.1 connection management on the polling transport (issue 11,
 * spec/engine.io-v4.md section 12, EIO-HTTP-*; RFC 9112 §9.3 persistence, §9.5 closure
 * signals, §9.6 tear-down): several requests on one persistent connection
 * ("http_conn"), Connection: close honoured and announced, a client half-close, and a
 * bounded flood of short Connection: close requests ("http_flood"). The HTTP client
 * (http.c) frames every response by its own length, so bytes left on the connection
 * after a response belong to the next one. */
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "steps_http.h"

#include "ct_match.h"

/* Read on FD into RX until a whole response parses (1, OUT filled), the connection ends
 * without one (-1; *EOF set), or TIMEOUT_MS passes (0). Bytes past the response stay in
 * RX for the next one. */
static int read_response(int fd, ct_buf *rx, int *eof, int timeout_ms, ct_http_resp *out) {
  int64_t deadline = ct_now_ms() + timeout_ms;
  for (;;) {
    int rc = ct_http_parse(rx->data, rx->len, *eof, 0, out);
    if (rc == 1) return 1;
    if (rc < 0 || *eof) return -1;
    int64_t left = deadline - ct_now_ms();
    if (left <= 0) return 0;
    struct pollfd pfd = {fd, POLLIN, 0};
    poll(&pfd, 1, (int)(left < 50 ? left : 50));
    long n;
    while ((n = ct_recv_some(fd, rx)) > 0) {
    }
    if (n == 0 || n == -2) *eof = 1;
  }
}

/* Wait up to MS for the peer to end the connection (EOF or reset). Returns 1 when it
 * did, 0 when the connection is still open; *EXTRA counts bytes that arrived. */
static int wait_eof(int fd, int ms, size_t *extra) {
  int64_t deadline = ct_now_ms() + ms;
  ct_buf junk = {0};
  int closed = 0;
  for (;;) {
    long n = ct_recv_some(fd, &junk);
    if (n == 0 || n == -2) {
      closed = 1;
      break;
    }
    if (n > 0) continue;
    int64_t left = deadline - ct_now_ms();
    if (left <= 0) break;
    struct pollfd pfd = {fd, POLLIN, 0};
    poll(&pfd, 1, (int)(left < 50 ? left : 50));
  }
  if (extra) *extra = junk.len;
  ct_buf_free(&junk);
  return closed;
}

/* One "save" clause {"var", "regex"} over a response body. */
static int save_one(step_ctx *q, const cJSON *sv, const ct_buf *body) {
  const char *var = cJSON_GetStringValue(cJSON_GetObjectItem(sv, "var"));
  const char *re = cJSON_GetStringValue(cJSON_GetObjectItem(sv, "regex"));
  regex_t rx;
  regmatch_t m[2];
  if (!var || !re || regcomp(&rx, re, REG_EXTENDED) != 0) {
    sfail(q, NULL, NULL, "bad save clause");
    return -1;
  }
  const char *text = body->data ? (const char *)body->data : "";
  int rc = 0;
  if (regexec(&rx, text, 2, m, 0) != 0) {
    sfail(q, re, text, "save: no match in the response body");
    rc = -1;
  } else {
    int g = m[1].rm_so >= 0 ? 1 : 0;
    char *v = ct_xstrndup(text + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
    cJSON_DeleteItemFromObject(q->r->vars, var);
    cJSON_AddStringToObject(q->r->vars, var, v);
    ct_log(q->r, ".. saved %s = %s", var, v);
    free(v);
  }
  regfree(&rx);
  return rc;
}

/* "save": one {"var", "regex"} clause or a list of them, over a response body (e.g. the
 * sid and pingInterval of a handshake). */
static int save_from_body(step_ctx *q, const ct_buf *body) {
  const cJSON *sv = cJSON_GetObjectItem(q->s, "save");
  if (!sv) return 0;
  if (!cJSON_IsArray(sv)) return save_one(q, sv, body);
  const cJSON *e;
  cJSON_ArrayForEach(e, sv) if (save_one(q, e, body) != 0) return -1;
  return 0;
}

/* A request's "release": {"method", "target", "headers", "body_text", "after"}: once the
 * request is written, wait "after" ms (default 200, the run's other connections
 * serviced) so the server holds it, then send this request on a fresh connection, e.g.
 * a POST whose message answers a held long-poll GET (EIO-TR-4). Its answer is logged,
 * not judged. */
static void release(step_ctx *q) {
  const cJSON *rel = cJSON_GetObjectItem(q->s, "release");
  step_ctx sub = {q->r, q->index, q->op, rel, NULL};
  long after;
  int bad = 0;
  if (swait(&sub, "after", 200, 1, &after)) return;
  char *method = sstr(&sub, "method", &bad);
  char *target = bad ? NULL : sstr(&sub, "target", &bad);
  char *body = bad ? NULL : sstr(&sub, "body_text", &bad);
  char *hdrs = bad ? NULL : build_headers(&sub);
  if (!bad && target) {
    ct_pump(q->r, (int)after);
    ct_http_req req = {.method = method ? method : "POST",
                       .target = target,
                       .headers = hdrs,
                       .body = body ? (const unsigned char *)body : NULL,
                       .body_len = body ? strlen(body) : 0};
    ct_http_resp resp;
    ct_log(q->r, "-> release: %s %s on a fresh connection", req.method, target);
    int rc = ct_http_do(q->r->cfg->host, q->r->cfg->port, &req, ct_ms(q->r, 3000), &resp);
    if (rc == 1) {
      ct_log(q->r, "<- release: %d", resp.status);
      ct_http_resp_free(&resp);
    } else {
      ct_log(q->r, "<- release: no response (%d)", rc);
    }
  } else if (!bad) {
    sfail(q, NULL, NULL, "release needs a target");
  }
  free(method);
  free(target);
  free(body);
  free(hdrs);
}

/* "http_conn": the "requests" list on persistent connections, each request sent after
 * the previous response. "persist": "required" (default): all on one connection, so a
 * response announcing Connection: close before the last request fails the step (RFC
 * 9112 §9.6: a server SHOULD sustain persistent connections); "announced": a response
 * with Connection: close moves the next request to a fresh connection, and only a
 * connection the server ends without having announced it fails (RFC 9112 §9.3: an
 * HTTP/1.1 connection persists unless "close" is signalled). A request with "close":
 * true carries Connection: close. After the last request, "half_close": true shuts the
 * client's sending side (shutdown SHUT_WR); "announce_close": true wants Connection:
 * close in the last response; "server_close": MS wants the server to end the
 * connection within MS after the last response. A request's "release" (see release())
 * answers a held GET from another connection; a request's "may_drop": true accepts the
 * connection ending without its response. */
void op_http_conn(step_ctx *x) {
  const cJSON *reqs = cJSON_GetObjectItem(x->s, "requests");
  int nreq = cJSON_GetArraySize(reqs);
  if (!cJSON_IsArray(reqs) || nreq == 0) {
    sfail(x, NULL, NULL, "http_conn needs a non-empty requests list");
    return;
  }
  const char *persist = sget(x, "persist");
  int announced_only = persist && strcmp(persist, "announced") == 0;
  int half_close = cJSON_IsTrue(cJSON_GetObjectItem(x->s, "half_close"));
  int want_announce = cJSON_IsTrue(cJSON_GetObjectItem(x->s, "announce_close"));
  long server_close, timeout;
  if (snum(x, "server_close", -1, &server_close) || swait(x, "timeout", 3000, 0, &timeout)) return;
  ct_run *r = x->r;
  int fd = -1, eof = 0, nconn = 0, last_announced = 0;
  ct_buf rx = {0};
  const cJSON *q;
  int i = 0;
  cJSON_ArrayForEach(q, reqs) {
    i++;
    step_ctx sub = {r, x->index, x->op, q, NULL};
    int bad = 0;
    char *method = sstr(&sub, "method", &bad);
    char *target = bad ? NULL : sstr(&sub, "target", &bad);
    char *body = bad ? NULL : sstr(&sub, "body_text", &bad);
    if (bad || !target) {
      if (!bad) sfail(x, NULL, NULL, "request %d has no target", i);
      free(method);
      free(target);
      free(body);
      break;
    }
    char *hdrs = build_headers(&sub);
    int close_req = cJSON_IsTrue(cJSON_GetObjectItem(q, "close"));
    if (fd < 0) {
      fd = ct_tcp_connect(r->cfg->host, r->cfg->port, ct_ms(r, 2000));
      eof = 0;
      ct_buf_reset(&rx);
      if (fd >= 0) ct_log(r, "-> connection #%d opened", ++nconn);
    }
    ct_http_req req = {.method = method ? method : "GET",
                       .target = target,
                       .headers = hdrs,
                       .body = body ? (const unsigned char *)body : NULL,
                       .body_len = body ? strlen(body) : 0,
                       .keep_alive = !close_req};
    ct_buf out = {0};
    ct_http_build(&out, r->cfg->host, r->cfg->port, &req);
    if (fd < 0) {
      sfail(x, "a TCP connection", "refused", "request %d: cannot connect", i);
    } else {
      ct_log(r, "-> #%d %s %s%s%s", nconn, req.method, target,
             close_req ? " (Connection: close)" : "", body ? " (+body)" : "");
      int sent = ct_send_all(fd, out.data, out.len, ct_ms(r, 2000));
      if (half_close && i == nreq) {
        ct_tcp_shutdown_wr(fd);
        ct_log(r, "-> #%d client half-closes (shutdown SHUT_WR)", nconn);
      }
      if (cJSON_GetObjectItem(q, "release")) release(&sub);
      ct_http_resp resp;
      int rc = read_response(fd, &rx, &eof, (int)timeout, &resp);
      if (rc < 0 && cJSON_IsTrue(cJSON_GetObjectItem(q, "may_drop"))) {
        /* e.g. a long poll the server takes as aborted by the client's FIN (EIO-TR-12) */
        ct_log(r, "xx #%d ended by the server without a response (allowed)", nconn);
        eof = 1;
      } else if (rc != 1) {
        if (rc < 0 && rx.len == 0 && i > 1 && !last_announced)
          sfail(x, "an answer on the persistent connection",
                sent != 0 ? "send failed: connection closed" : "connection closed, no response",
                "request %d of %d: the server ended connection #%d without answering, and its "
                "previous response did not announce Connection: close (RFC 9112 9.3)",
                i, nreq, nconn);
        else
          sfail(x, "an HTTP response", rc == 0 ? "timeout" : "connection ended",
                "request %d of %d on connection #%d: no response", i, nreq, nconn);
      } else {
        const char *conn_h = ct_http_header(&resp, "Connection");
        ct_log(r, "<- #%d %d (Connection: %s) %.*s", nconn, resp.status, conn_h ? conn_h : "-",
               (int)(resp.body.len > 120 ? 120 : resp.body.len),
               resp.body.data ? (char *)resp.body.data : "");
        last_announced = ct_http_has_token(&resp, "Connection", "close");
        int framed = resp.msg_len > 0;
        ct_buf_consume(&rx, framed ? resp.msg_len : rx.len);
        check_response(&sub, resp.status, &resp.body, &resp);
        if (!r->nverdicts) save_from_body(&sub, &resp.body);
        if (!r->nverdicts && i < nreq && (last_announced || !framed)) {
          if (!announced_only) {
            sfail(x, "a persistent connection (no Connection: close)",
                  last_announced ? "Connection: close" : "a body delimited by the connection's end",
                  "response %d of %d ends connection #%d: the server does not keep polling "
                  "connections alive (RFC 9112 9.6 SHOULD)",
                  i, nreq, nconn);
          } else {
            ct_log(r, ".. #%d ends as announced; next request on a new connection", nconn);
            ct_tcp_close(fd);
            fd = -1;
          }
        }
        if (!r->nverdicts && i == nreq && want_announce && !last_announced)
          sfail(x, "Connection: close", conn_h ? conn_h : "(no Connection header)",
                "the response to a request with Connection: close does not announce the close "
                "(RFC 9112 9.6 SHOULD)");
        ct_http_resp_free(&resp);
      }
    }
    ct_buf_free(&out);
    free(hdrs);
    free(method);
    free(target);
    free(body);
    if (r->nverdicts) break;
  }
  if (!r->nverdicts && server_close >= 0 && fd >= 0) {
    int64_t t0 = ct_now_ms();
    size_t extra = 0;
    int closed = eof || wait_eof(fd, ct_ms(r, server_close), &extra);
    if (extra) ct_log(r, "<- #%d %zu more bytes after the response", nconn, extra);
    if (closed) {
      ct_log(r, "xx #%d closed by the server %lld ms after the response", nconn,
             (long long)(ct_now_ms() - t0));
    } else {
      char e[96];
      snprintf(e, sizeof e, "the server closes the connection within %ld ms", server_close);
      sfail(x, e, "still open",
            "connection #%d still open %ld ms after the last response: the server did not "
            "close its side (RFC 9112 9.5/9.6)",
            nconn, server_close);
    }
  }
  ct_tcp_close(fd);
  ct_buf_free(&rx);
}

/* Sockets on local port PORT in state CLOSE-WAIT ("08") in /proc/net/tcp and tcp6: the
 * server's side of connections its client closed and it did not. -1 when unreadable
 * (not Linux, or the server is on another host and the figure would mean nothing). */
static int count_close_wait(int port) {
  int n = 0, seen = 0;
  const char *files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
  for (int f = 0; f < 2; f++) {
    FILE *fp = fopen(files[f], "r");
    if (!fp) continue;
    seen = 1;
    char line[512];
    while (fgets(line, sizeof line, fp)) {
      char local[128], remote[128];
      unsigned st;
      if (sscanf(line, " %*d: %127s %127s %x", local, remote, &st) != 3) continue;
      const char *colon = strrchr(local, ':');
      if (colon && st == 0x08 && strtol(colon + 1, NULL, 16) == port) n++;
    }
    fclose(fp);
  }
  return seen ? n : -1;
}

/* One connection of a flood: its response is read as it arrives. */
typedef struct flood_conn {
  int fd;
  ct_buf rx;
  int eof;
  int answered;
  int64_t t_resp; /* when the response completed */
} flood_conn;

/* Read what has arrived on F; returns 1 when the response just completed. */
static int flood_read(step_ctx *x, flood_conn *f, long *announced) {
  if (f->answered || f->fd < 0) return 0;
  long n;
  while ((n = ct_recv_some(f->fd, &f->rx)) > 0) {
  }
  if (n == 0 || n == -2) f->eof = 1;
  ct_http_resp resp;
  int rc = ct_http_parse(f->rx.data, f->rx.len, f->eof, 0, &resp);
  if (rc != 1) return 0;
  f->answered = 1;
  f->t_resp = ct_now_ms();
  *announced += ct_http_has_token(&resp, "Connection", "close");
  if (!x->r->nverdicts) check_response(x, resp.status, &resp.body, &resp);
  ct_http_resp_free(&resp);
  return 1;
}

/* "http_flood": "count" (default 500, at most 2000) short requests ("method", default
 * GET, to "target"), each on its own connection and carrying Connection: close, one
 * after the other, the run's other connections serviced in between (their heartbeat
 * continues). Every response is checked against "status" (and body fields) when given.
 * With "handshake" (a handshake target), each request is preceded by a polling
 * handshake (Connection: close) whose sid is put in variable flood_sid for "target"
 * (e.g. "...&sid=${flood_sid}"): the requests are then long polls held by the server,
 * all open at once and answered by its timers (the first ping), within "hold" ms
 * (default 30000). RFC 9112 §9.6: the server MUST close each connection after its
 * response; one still open "close_within" ms (default 2000) after its response fails
 * the step, unless "judge_close": false (a latency case floods only to load the
 * server; its client then closes each connection itself after close_within, as a
 * keep-alive agent would). Bounded by "within" ms in all (default 30000). Logs how
 * many responses announced the close and, for a server on this host, how many of its
 * sockets are left in CLOSE-WAIT; saves flood_ms, flood_unannounced, flood_close_wait. */
/* ct_http_do for a step that runs long: the run's own sessions are served while the
 * answer is awaited (pongs, long polls), so a flood of slow handshakes cannot starve
 * them into the server's ping timeout and fail the case for the harness's sake.
 * Returns as ct_http_do. */
static int http_do_serving(ct_run *r, const ct_http_req *req, int timeout_ms, ct_http_resp *out) {
  ct_http_call call;
  if (ct_http_start(&call, r->cfg->host, r->cfg->port, req, timeout_ms) != 0) return -2;
  int64_t deadline = ct_now_ms() + timeout_ms;
  int rc;
  while ((rc = ct_http_step(&call, out)) == 0 && ct_now_ms() < deadline) {
    ct_pump(r, 0);
    struct pollfd pfd = {call.fd, POLLIN, 0};
    poll(&pfd, 1, 5);
  }
  ct_http_cancel(&call);
  return rc;
}

void op_http_flood(step_ctx *x) {
  long count, within, close_within, hold;
  if (snum(x, "count", 500, &count) || swait(x, "within", 30000, 0, &within) ||
      swait(x, "close_within", 2000, 0, &close_within) || swait(x, "hold", 30000, 0, &hold))
    return;
  if (count < 1 || count > 2000) {
    sfail(x, NULL, NULL, "count must be 1..2000");
    return;
  }
  int bad = 0;
  char *method = sstr(x, "method", &bad);
  char *hs = bad ? NULL : sstr(x, "handshake", &bad);
  const char *target_raw = sget(x, "target");
  if (bad || !target_raw) {
    if (!bad) sfail(x, NULL, NULL, "http_flood needs a target");
    free(method);
    free(hs);
    return;
  }
  ct_run *r = x->r;
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
      (long)rl.rlim_cur - 100 < count) {
    sfail(x, NULL, NULL, "http_flood: %ld connections exceed the file descriptor limit", count);
    free(method);
    free(hs);
    return;
  }
  flood_conn *fc = calloc((size_t)count, sizeof *fc);
  long sent = 0, answered = 0, announced = 0, closed = 0, left_open = 0;
  int64_t t0 = ct_now_ms(), deadline = t0 + within;
  long wait_close = close_within;
  ct_log(r, "-> %ld requests %s %s, each with Connection: close on its own connection%s", count,
         method ? method : "GET", target_raw, hs ? ", each after its own handshake" : "");
  for (long i = 0; i < count && !r->nverdicts; i++) {
    fc[i].fd = -1;
    if (ct_now_ms() > deadline) {
      char a[64];
      snprintf(a, sizeof a, "%ld sent", sent);
      sfail(x, "the flood complete", a, "http_flood: time bound of %ld ms reached", within);
      break;
    }
    ct_pump(r, 0);
    if (hs) {
      ct_http_req h = {.method = "GET", .target = hs};
      ct_http_resp resp;
      int rc = http_do_serving(r, &h, ct_ms(r, 3000), &resp);
      const char *b = rc == 1 && resp.body.data ? (const char *)resp.body.data : "";
      const char *p = strstr(b, "\"sid\":\"");
      const char *e = p ? strchr(p + 7, '"') : NULL;
      if (!e) {
        sfail(x, "an open packet", rc == 1 ? b : "no response", "http_flood: handshake %ld failed",
              i + 1);
        if (rc == 1) ct_http_resp_free(&resp);
        break;
      }
      char *sid = ct_xstrndup(p + 7, (size_t)(e - p - 7));
      cJSON_DeleteItemFromObject(r->vars, "flood_sid");
      cJSON_AddStringToObject(r->vars, "flood_sid", sid);
      free(sid);
      ct_http_resp_free(&resp);
    }
    char *target = sstr(x, "target", &bad);
    if (bad) break;
    ct_http_req req = {.method = method ? method : "GET", .target = target};
    ct_buf wire = {0};
    ct_http_build(&wire, r->cfg->host, r->cfg->port, &req);
    free(target);
    fc[i].fd = ct_tcp_connect(r->cfg->host, r->cfg->port, ct_ms(r, 2000));
    if (fc[i].fd < 0) {
      ct_buf_free(&wire);
      sfail(x, "a TCP connection", "refused", "http_flood: request %ld: cannot connect", i + 1);
      break;
    }
    ct_send_all(fc[i].fd, wire.data, wire.len, ct_ms(r, 2000));
    ct_buf_free(&wire);
    sent++;
    if (!hs) {
      /* short requests go one after the other: wait for this answer */
      int64_t until = ct_now_ms() + ct_ms(r, 3000);
      while (!flood_read(x, &fc[i], &announced) && !fc[i].eof && ct_now_ms() < until) {
        struct pollfd pfd = {fc[i].fd, POLLIN, 0};
        poll(&pfd, 1, 50);
      }
      if (!fc[i].answered) {
        sfail(x, "an HTTP response", fc[i].eof ? "connection ended" : "timeout",
              "http_flood: request %ld: no response", i + 1);
        break;
      }
      answered++;
    }
  }
  /* held requests: wait for their answers (the server's timers) */
  if (hs && !r->nverdicts) {
    int64_t until = ct_now_ms() + hold;
    while (answered < sent && ct_now_ms() < until) {
      ct_pump(r, 0);
      for (long i = 0; i < sent; i++) answered += flood_read(x, &fc[i], &announced);
      if (answered < sent) ct_sleep_ms(20);
    }
    if (answered < sent && !r->nverdicts) {
      char a[64];
      snprintf(a, sizeof a, "%ld of %ld answered", answered, sent);
      sfail(x, "every held request answered", a,
            "http_flood: held requests not answered within %ld ms", hold);
    }
  }
  /* the server's closes: each connection gets close_within from its response */
  for (;;) {
    int waiting = 0;
    int64_t now = ct_now_ms();
    for (long i = 0; i < sent; i++) {
      flood_conn *f = &fc[i];
      if (f->fd < 0 || !f->answered) continue;
      if (f->eof || wait_eof(f->fd, 0, NULL)) {
        closed++;
      } else if (now - f->t_resp >= wait_close) {
        left_open++;
      } else {
        waiting = 1;
        continue;
      }
      ct_tcp_close(f->fd);
      f->fd = -1;
    }
    if (!waiting) break;
    ct_pump(r, 20);
  }
  for (long i = 0; i < count; i++) {
    ct_tcp_close(fc[i].fd);
    ct_buf_free(&fc[i].rx);
  }
  free(fc);
  long ms_total = (long)(ct_now_ms() - t0);
  int cw = -1;
  if (strcmp(r->cfg->host, "127.0.0.1") == 0 || strcmp(r->cfg->host, "localhost") == 0) {
    ct_pump(r, ct_ms(r, 100)); /* let our closes reach the server */
    cw = count_close_wait(r->cfg->port);
  }
  ct_log(r,
         "<- %ld of %ld answered in %ld ms; %ld announced Connection: close; %ld closed by the "
         "server, %ld still open %ld ms after their response (then closed by the client); server "
         "port in CLOSE-WAIT now: %s%d",
         answered, count, ms_total, announced, closed, left_open, close_within,
         cw < 0 ? "unknown " : "", cw < 0 ? 0 : cw);
  cJSON_DeleteItemFromObject(r->vars, "flood_ms");
  cJSON_AddNumberToObject(r->vars, "flood_ms", (double)ms_total);
  cJSON_DeleteItemFromObject(r->vars, "flood_unannounced");
  cJSON_AddNumberToObject(r->vars, "flood_unannounced", (double)(answered - announced));
  cJSON_DeleteItemFromObject(r->vars, "flood_close_wait");
  cJSON_AddNumberToObject(r->vars, "flood_close_wait", (double)cw);
  const cJSON *jc = cJSON_GetObjectItem(x->s, "judge_close");
  if (!r->nverdicts && left_open > 0 && !cJSON_IsFalse(jc)) {
    char e[128], a[128];
    snprintf(e, sizeof e, "every connection closed by the server within %ld ms of its response",
             close_within);
    snprintf(a, sizeof a, "%ld of %ld still open", left_open, answered);
    sfail(x, e, a,
          "http_flood: the server did not close %ld connection(s) whose request carried "
          "Connection: close (RFC 9112 9.6 MUST)",
          left_open);
  }
  free(method);
  free(hs);
}

/* ---- one request per connection: http, post (check_response and build_headers are
 * shared with steps_net.c) */

static int status_ok(const cJSON *want, int got) {
  if (!want) return 1;
  if (cJSON_IsString(want) && strcmp(want->valuestring, "any") == 0) return 1;
  if (cJSON_IsNumber(want)) return want->valueint == got;
  if (cJSON_IsArray(want)) {
    const cJSON *e;
    cJSON_ArrayForEach(e, want) if (cJSON_IsNumber(e) && e->valueint == got) return 1;
  }
  return 0;
}

/* Check a response against status/body/body_match/body_json/headers fields. */
void check_response(step_ctx *x, int status, const ct_buf *body, const ct_http_resp *resp) {
  const cJSON *st = cJSON_GetObjectItem(x->s, "status");
  if (!status_ok(st, status)) {
    char *w = cJSON_PrintUnformatted(st);
    char a[32];
    snprintf(a, sizeof a, "HTTP %d", status);
    sfail(x, w, a, "unexpected HTTP status");
    free(w);
    return;
  }
  int bad = 0;
  char *is = sstr(x, "body", &bad);
  if (bad) return;
  const char *text = body->data ? (const char *)body->data : "";
  if (is && strcmp(is, text) != 0) {
    sfail(x, is, text, "unexpected body");
    free(is);
    return;
  }
  free(is);
  const char *re = sget(x, "body_match");
  if (re) {
    regex_t rx;
    int ok = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) == 0;
    if (ok) {
      ok = regexec(&rx, text, 0, NULL, 0) == 0;
      regfree(&rx);
    }
    if (!ok) {
      sfail(x, re, text, "body does not match");
      return;
    }
  }
  const cJSON *bj = cJSON_GetObjectItem(x->s, "body_json");
  if (bj) {
    const char *bp = sget(x, "body_prefix");
    size_t off = bp ? strlen(bp) : 0;
    cJSON *a = body->len >= off ? cJSON_ParseWithLength(text + off, body->len - off) : NULL;
    int ok = a && ct_json_match(bj, a, 0);
    cJSON_Delete(a);
    if (!ok) {
      char *w = cJSON_PrintUnformatted(bj);
      sfail(x, w, text, "body JSON does not match");
      free(w);
      return;
    }
  }
  const cJSON *hs = cJSON_GetObjectItem(x->s, "headers_expect");
  if (hs && resp) {
    const cJSON *h;
    cJSON_ArrayForEach(h, hs) {
      const char *got = ct_http_header(resp, h->string);
      if (cJSON_IsNull(h)) {
        if (got) {
          sfail(x, "header absent", got, "header %s is present", h->string);
          return;
        }
      } else if (cJSON_IsString(h)) {
        char *want = ct_subst(h->valuestring, x->r->vars, NULL);
        int ok = got && want && (strcmp(want, "$present") == 0 || strcmp(want, got) == 0);
        if (!ok) {
          sfail(x, want ? want : "?", got ? got : "(absent)", "header %s", h->string);
          free(want);
          return;
        }
        free(want);
      }
    }
  }
}

char *build_headers(step_ctx *x) {
  const cJSON *hs = cJSON_GetObjectItem(x->s, "headers");
  if (!hs) return NULL;
  ct_buf b = {0};
  const cJSON *h;
  cJSON_ArrayForEach(h, hs) {
    if (!cJSON_IsString(h)) continue;
    char *v = ct_subst(h->valuestring, x->r->vars, NULL);
    ct_buf_printf(&b, "%s: %s\r\n", h->string, v ? v : "");
    free(v);
  }
  return ct_buf_steal(&b);
}

void op_http(step_ctx *x) {
  int bad = 0;
  char *method = sstr(x, "method", &bad);
  char *target = bad ? NULL : sstr(x, "target", &bad);
  if (bad || !target) {
    if (!bad) sfail(x, NULL, NULL, "http needs a target");
    free(method);
    free(target);
    return;
  }
  ct_buf body = {0};
  int binary = 0, has_body = 0;
  const char *bt = sget(x, "body_text");
  if (bt) {
    char *s = ct_subst(bt, x->r->vars, NULL);
    ct_buf_adds(&body, s ? s : "");
    free(s);
    has_body = 1;
  } else if (cJSON_GetObjectItem(x->s, "fill")) {
    has_body = spayload(x, &body, &binary) == 0;
    if (x->r->nverdicts) goto out;
  }
  char *hdrs = build_headers(x);
  ct_http_req req = {.method = method ? method : "GET",
                     .target = target,
                     .headers = hdrs,
                     .body = has_body ? (body.data ? body.data : (const unsigned char *)"") : NULL,
                     .body_len = body.len};
  ct_log(x->r, "-> http %s %s%s", req.method, target, hdrs ? " (+headers)" : "");
  ct_http_resp resp;
  long timeout;
  if (swait(x, "timeout", 3000, 0, &timeout) != 0) goto out2;
  int rc = ct_http_do(x->r->cfg->host, x->r->cfg->port, &req, (int)timeout, &resp);
  if (rc != 1) {
    if (cJSON_IsTrue(cJSON_GetObjectItem(x->s, "may_drop"))) {
      ct_log(x->r, "<- http: no response (allowed)");
    } else {
      sfail(x, "an HTTP response", rc == 0 ? "timeout" : "connection closed", "no response");
    }
    goto out2;
  }
  ct_log(x->r, "<- http %d %.*s", resp.status, (int)(resp.body.len > 120 ? 120 : resp.body.len),
         resp.body.data ? (char *)resp.body.data : "");
  check_response(x, resp.status, &resp.body, &resp);
  ct_http_resp_free(&resp);
out2:
  free(hdrs);
out:
  ct_buf_free(&body);
  free(method);
  free(target);
}

void op_post(step_ctx *x) {
  ct_conn *c = sconn(x);
  if (!c) return;
  ct_buf b = {0};
  const char *bt = sget(x, "body_text");
  const char *bh = sget(x, "body_hex");
  if (bt) {
    char *s = ct_subst(bt, x->r->vars, NULL);
    ct_buf_adds(&b, s ? s : "");
    free(s);
  } else if (bh) {
    size_t cap = strlen(bh) / 2 + 1;
    unsigned char *tmp = ct_xmalloc(cap);
    long n = ct_hex_decode(bh, tmp, cap);
    if (n > 0) ct_buf_add(&b, tmp, (size_t)n);
    free(tmp);
  } else {
    int binary;
    if (spayload(x, &b, &binary) != 0) {
      if (!x->r->nverdicts) sfail(x, NULL, NULL, "post needs body_text, body_hex or fill");
      ct_buf_free(&b);
      return;
    }
  }
  char *hdrs = build_headers(x);
  int status = 0;
  ct_buf resp = {0};
  int rc = ct_post(c, b.data ? b.data : (const unsigned char *)"", b.len, hdrs, &status, &resp);
  free(hdrs);
  if (rc != 0) {
    if (!cJSON_IsTrue(cJSON_GetObjectItem(x->s, "may_drop")))
      sfail(x, "an HTTP response", "no response", "POST got no response");
  } else {
    if (!cJSON_GetObjectItem(x->s, "status") && status != 200) {
      char a[32];
      snprintf(a, sizeof a, "HTTP %d", status);
      sfail(x, "HTTP 200", a, "POST refused");
    } else {
      check_response(x, status, &resp, NULL);
    }
  }
  ct_buf_free(&resp);
  ct_buf_free(&b);
}
