/* The case model (ct_case.h): the case registry and the names of levels, needs and
 * severities. */
#include "ct_case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_util.h"

ct_case *ct_cases_add(ct_cases *cs, const char *id, const char *title, const char *tags,
                      ct_level level, unsigned transports, int sio, const char *requires) {
  if (cs->n == cs->cap) {
    cs->cap = cs->cap ? cs->cap * 2 : 64;
    cs->v = ct_xrealloc(cs->v, cs->cap * sizeof *cs->v);
  }
  ct_case *c = &cs->v[cs->n++];
  memset(c, 0, sizeof *c);
  c->id = ct_xstrdup(id);
  c->title = ct_xstrdup(title ? title : "");
  c->tags = ct_xstrdup(tags ? tags : "");
  c->level = level;
  c->transports = transports;
  c->sio = sio;
  c->requires = requires ? ct_xstrdup(requires) : NULL;
  c->protocols = CT_P_EIO4;
  return c;
}

void ct_cases_add_probes(ct_cases *cs, const ct_probe_def *defs, size_t n, const char *source,
                         ct_need needs, int exclusive, ct_probe_fn wrap) {
  for (size_t i = 0; i < n; i++) {
    const ct_probe_def *d = &defs[i];
    ct_case *c = ct_cases_add(cs, d->id, d->title, d->tags, d->level, d->tr, 1, NULL);
    c->probe = wrap ? wrap : d->fn;
    c->source = ct_xstrdup(source);
    c->needs = needs;
    c->exclusive = exclusive;
  }
}

const ct_probe_def *ct_probe_def_find(const ct_probe_def *defs, size_t n, const char *id) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(defs[i].id, id) == 0) return &defs[i];
  return NULL;
}

int ct_case_is_sec(const ct_case *c) { return c && c->id && strncmp(c->id, "sec.", 4) == 0; }

int ct_severity_valid(const char *s) {
  static const char *const ok[] = {"low", "medium", "high", "critical"};
  for (size_t i = 0; s && i < sizeof ok / sizeof *ok; i++)
    if (strcmp(s, ok[i]) == 0) return 1;
  return 0;
}

void ct_cases_free(ct_cases *cs) {
  for (size_t i = 0; i < cs->n; i++) {
    ct_case *c = &cs->v[i];
    free(c->id);
    free(c->title);
    free(c->tags);
    free(c->requires);
    free(c->source);
    free(c->severity);
    free(c->fixed);
    cJSON_Delete(c->steps);
  }
  free(cs->v);
  memset(cs, 0, sizeof *cs);
}

const char *ct_level_name(ct_level l) {
  return l == CT_MUST ? "MUST" : l == CT_SHOULD ? "SHOULD" : "MAY";
}

int ct_level_parse(const char *s, ct_level *out) {
  if (!s) return -1;
  if (strcmp(s, "MUST") == 0)
    *out = CT_MUST;
  else if (strcmp(s, "SHOULD") == 0)
    *out = CT_SHOULD;
  else if (strcmp(s, "MAY") == 0)
    *out = CT_MAY;
  else
    return -1;
  return 0;
}

static const char *const need_names[] = {"engine", "echo", "socketio", "app"};

const char *ct_need_name(ct_need n) {
  return (unsigned)n < sizeof need_names / sizeof *need_names ? need_names[n] : "?";
}

int ct_need_parse(const char *s, ct_need *out) {
  for (unsigned i = 0; s && i < sizeof need_names / sizeof *need_names; i++)
    if (strcmp(s, need_names[i]) == 0) {
      *out = (ct_need)i;
      return 0;
    }
  return -1;
}

static const char *const proto_names[] = {"eio4", "eio3", "msgpack"};

const char *ct_proto_name(unsigned p) {
  for (unsigned i = 0; i < 3; i++)
    if (p == 1u << i) return proto_names[i];
  return "?";
}

unsigned ct_proto_parse(const char *s) {
  for (unsigned i = 0; s && i < 3; i++)
    if (strcmp(s, proto_names[i]) == 0) return 1u << i;
  return 0;
}

const char *ct_proto_suffix(unsigned p) {
  return p == CT_P_EIO3 ? "/eio3" : p == CT_P_MSGPACK ? "/msgpack" : "";
}

void ct_protos_list(unsigned m, const char *prefix, char *out, size_t n) {
  size_t k = (size_t)snprintf(out, n, "%s", prefix);
  for (unsigned b = CT_P_EIO4; b <= CT_P_MSGPACK && k < n; b <<= 1)
    if (m & b)
      k +=
          (size_t)snprintf(out + k, n - k, "%s%s", k > strlen(prefix) ? "," : "", ct_proto_name(b));
}
