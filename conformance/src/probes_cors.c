/* CORS with a configured origin O (EIO-CORS-2, EIO-CORS-3), on the path the case names:
 * a request from O is answered with Access-Control-Allow-Origin: O and Vary: Origin, a
 * request from another origin without CORS grant, a preflight from O with 204 and the
 * methods, and credentials never with "*". The cases without a configured origin
 * (eio.cors.no-policy-*) are scenario cases; these need to know O, which only the
 * command line can say. */
#include "ct_probes_cors.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct_client.h"

/* An origin no sane configuration allows (RFC 6761: .invalid never resolves). */
#define FOREIGN "https://foreign.invalid"

/* One request on a fresh connection with Origin ORIGIN and EXTRA header lines; the
 * answer in OUT (1), or the run failed (0). */
static int request(ct_run *r, const char *method, const char *target, const char *origin,
                   const char *extra, const char *body, ct_http_resp *out) {
  char *hdrs = ct_xasprintf("Origin: %s\r\n%s", origin, extra ? extra : "");
  ct_http_req req = {.method = method,
                     .target = target,
                     .headers = hdrs,
                     .body = (const unsigned char *)body,
                     .body_len = body ? strlen(body) : 0};
  ct_log(r, "-> %s %s (Origin: %s)", method, target, origin);
  int rc = ct_http_do(r->cfg->host, r->cfg->port, &req, ct_ms(r, 3000), out);
  free(hdrs);
  if (rc != 1) {
    ct_fail(r, "an HTTP response", "no response", "%s from origin %s: no answer", method, origin);
    return 0;
  }
  const char *acao = ct_http_header(out, "Access-Control-Allow-Origin");
  const char *vary = ct_http_header(out, "Vary");
  const char *acac = ct_http_header(out, "Access-Control-Allow-Credentials");
  const char *acam = ct_http_header(out, "Access-Control-Allow-Methods");
  ct_log(r,
         "<- %d; Access-Control-Allow-Origin: %s; Vary: %s; -Allow-Credentials: %s; "
         "-Allow-Methods: %s",
         out->status, acao ? acao : "-", vary ? vary : "-", acac ? acac : "-", acam ? acam : "-");
  return 1;
}

static char *handshake_target(ct_run *r) {
  return ct_xasprintf("%s?EIO=4&transport=polling", ct_case_path(r));
}

/* End the session a handshake RESP opened (a close packet), so it does not linger. */
static void end_session(ct_run *r, const ct_http_resp *resp) {
  if (resp->status != 200 || resp->body.len < 2 || resp->body.data[0] != '0') return;
  cJSON *o = cJSON_ParseWithLength((const char *)resp->body.data + 1, resp->body.len - 1);
  const char *sid = cJSON_GetStringValue(cJSON_GetObjectItem(o, "sid"));
  if (sid) {
    char *t = ct_xasprintf("%s?EIO=4&transport=polling&sid=%s", ct_case_path(r), sid);
    ct_http_req req = {
        .method = "POST", .target = t, .body = (const unsigned char *)"1", .body_len = 1};
    ct_http_resp cr;
    if (ct_http_do(r->cfg->host, r->cfg->port, &req, ct_ms(r, 3000), &cr) == 1)
      ct_http_resp_free(&cr);
    free(t);
  }
  cJSON_Delete(o);
}

/* EIO-CORS-2: ACAO equal to O (not "*", not absent) and Vary naming Origin. WHAT names
 * the request. Returns 1 held, 0 failed (recorded). */
static int granted(ct_run *r, const ct_http_resp *resp, const char *what) {
  const char *o = r->cfg->cors_origin;
  const char *acao = ct_http_header(resp, "Access-Control-Allow-Origin");
  if (!acao || strcmp(acao, o) != 0) {
    ct_fail(r, o, acao ? acao : "(no Access-Control-Allow-Origin)",
            "%s from the configured origin: Access-Control-Allow-Origin is not that origin", what);
    return 0;
  }
  if (!ct_http_has_token(resp, "Vary", "Origin")) {
    const char *v = ct_http_header(resp, "Vary");
    ct_fail(r, "Vary: Origin", v ? v : "(no Vary)",
            "%s: the answer depends on Origin but does not say so (caches would serve it to "
            "other origins)",
            what);
    return 0;
  }
  return 1;
}

/* Another origin's request: a grant (Access-Control-Allow-Origin equal to that origin,
 * or "*") fails the case (EIO-CORS-2: only the configured origin is allowed). STRICT
 * (EIO-CORS-3, the preflight): any CORS header fails it, even one naming the configured
 * origin, which browsers would refuse but which tells every origin the policy. */
static int not_granted(ct_run *r, const ct_http_resp *resp, const char *what, int strict) {
  const char *acao = ct_http_header(resp, "Access-Control-Allow-Origin");
  if (acao && (strict || strcmp(acao, "*") == 0 || strcmp(acao, FOREIGN) == 0)) {
    ct_fail(r, "no Access-Control-Allow-Origin", acao,
            strict ? "%s from the foreign origin " FOREIGN " was answered with CORS headers"
                   : "%s from the foreign origin " FOREIGN " was granted",
            what);
    return 0;
  }
  if (acao)
    ct_log(r, ".. Access-Control-Allow-Origin names another origin than the request's: "
              "browsers refuse it, no grant (EIO-CORS-3 wants no CORS header at all)");
  return 1;
}

/* The handshake from O is granted. */
static void probe_allowed(ct_run *r) {
  char *t = handshake_target(r);
  ct_http_resp resp;
  int ok = request(r, "GET", t, r->cfg->cors_origin, NULL, NULL, &resp);
  free(t);
  if (!ok) return;
  if (resp.status != 200) {
    char got[32];
    snprintf(got, sizeof got, "HTTP %d", resp.status);
    ct_fail(r, "HTTP 200", got, "the handshake from the configured origin was refused");
  } else if (granted(r, &resp, "the handshake")) {
    ct_pass(r);
  }
  end_session(r, &resp);
  ct_http_resp_free(&resp);
}

static void probe_foreign(ct_run *r) {
  char *t = handshake_target(r);
  ct_http_resp resp;
  int ok = request(r, "GET", t, FOREIGN, NULL, NULL, &resp);
  free(t);
  if (!ok) return;
  /* served or refused: CORS headers only instruct browsers (EIO-CORS-5) */
  if (not_granted(r, &resp, "the handshake", 0)) ct_pass(r);
  end_session(r, &resp);
  ct_http_resp_free(&resp);
}

/* Does the comma-separated list L hold METHOD (case-sensitive, RFC 9110 9.1)? */
static int lists(const char *l, const char *method) {
  size_t n = strlen(method);
  for (const char *p = l; p && *p;) {
    while (*p == ' ' || *p == ',') p++;
    size_t k = strcspn(p, ", ");
    if (k == n && strncmp(p, method, n) == 0) return 1;
    p += k;
  }
  return 0;
}

static void probe_preflight(ct_run *r) {
  char *t = handshake_target(r);
  const char *acr = "Access-Control-Request-Method: POST\r\n"
                    "Access-Control-Request-Headers: content-type\r\n";
  ct_http_resp resp;
  if (!request(r, "OPTIONS", t, r->cfg->cors_origin, acr, NULL, &resp)) {
    free(t);
    return;
  }
  const char *acam = ct_http_header(&resp, "Access-Control-Allow-Methods");
  int held = 0;
  if (resp.status != 204) {
    char got[32];
    snprintf(got, sizeof got, "HTTP %d", resp.status);
    ct_fail(r, "HTTP 204", got, "the preflight from the configured origin");
  } else if (granted(r, &resp, "the preflight")) {
    if (!acam || !lists(acam, "GET") || !lists(acam, "POST"))
      ct_fail(r, "Access-Control-Allow-Methods: GET, POST", acam ? acam : "(none)",
              "the preflight does not allow the polling methods");
    else
      held = 1;
  }
  ct_http_resp_free(&resp);
  if (held && request(r, "OPTIONS", t, FOREIGN, acr, NULL, &resp)) {
    if (not_granted(r, &resp, "the preflight", 1)) ct_pass(r);
    ct_http_resp_free(&resp);
  }
  free(t);
}

/* A request with credentials (a cookie) from O: granted to O itself; a server that
 * allows credentials must never answer "*" (browsers refuse it, and it would grant every
 * site the user's session). */
static void probe_credentials(ct_run *r) {
  char *t = handshake_target(r);
  ct_http_resp resp;
  int ok = request(r, "GET", t, r->cfg->cors_origin, "Cookie: sioconform=1\r\n", NULL, &resp);
  free(t);
  if (!ok) return;
  const char *acac = ct_http_header(&resp, "Access-Control-Allow-Credentials");
  if (granted(r, &resp, "a request with a cookie")) {
    if (!acac || strcasecmp(acac, "true") != 0)
      ct_log(r, ".. no Access-Control-Allow-Credentials: true: browsers keep cookies out of "
                "cross-origin polling (allowed)");
    ct_pass(r);
  }
  end_session(r, &resp);
  ct_http_resp_free(&resp);
}

void ct_probes_cors_register(ct_cases *cs) {
  static const struct {
    const char *name, *title, *tags;
    ct_level level;
    ct_probe_fn fn;
  } k[] = {
      {"allowed-origin",
       "a handshake from the configured origin gets Access-Control-Allow-Origin: that origin "
       "and Vary: Origin",
       "EIO-CORS-2", CT_MUST, probe_allowed},
      {"foreign-origin",
       "a handshake from another origin is not granted (no Access-Control-Allow-Origin with "
       "that origin or \"*\")",
       "EIO-CORS-2", CT_MUST, probe_foreign},
      {"preflight",
       "a preflight from the configured origin is answered 204 with the origin and GET, POST; "
       "one from another origin gets no CORS headers",
       "EIO-CORS-3", CT_SHOULD, probe_preflight},
      {"credentials",
       "a request with a cookie from the configured origin is granted to that origin, never "
       "\"*\"",
       "EIO-CORS-2", CT_MUST, probe_credentials},
  };
  for (size_t i = 0; i < sizeof k / sizeof *k; i++)
    for (int sio = 0; sio < 2; sio++) {
      char id[96];
      snprintf(id, sizeof id, "%s.cors.configured.%s", sio ? "sio.engine" : "eio", k[i].name);
      ct_case *c =
          ct_cases_add(cs, id, k[i].title, k[i].tags, k[i].level, CT_TR_POLLING, sio, NULL);
      c->probe = k[i].fn;
      c->needs = CT_NEED_ENGINE;
      c->source = ct_xstrdup("conformance/src/probes_cors.c");
    }
}
