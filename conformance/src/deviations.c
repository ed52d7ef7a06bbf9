/* Known deviations matched by cause (issue 11): a non-PASS run is linked to the
 * known-deviations.json entry whose cause -- spec tags, verdict, failing step kind and
 * regular expressions over the run's reason / expected / actual, optionally narrowed by
 * run-id patterns -- explains it, never by its id alone. The grammar is documented in
 * conformance/known-deviations.md ("Cause grammar"); check-deviations.py applies the
 * same rule to a JSON report. */
#include "ct_deviations.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

static void seterr(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t len, const char *fmt, ...) {
  if (!err || !len) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, len, fmt, ap);
  va_end(ap);
}

/* ---- the portable subset of regular expressions ----
 * Patterns are POSIX EREs (regcomp REG_EXTENDED) that Python's re reads the same way:
 * printable ASCII; "\" only before one of .[](){}*+?|^$\ ; brackets without "\", "[" or
 * doubled "-&~|"; quantifiers only after an atom and never doubled (no lazy forms);
 * "{m}", "{m,}", "{m,n}" only; no "(?", no empty group or alternative. */
static const char RE_SPECIAL[] = ".[](){}*+?|^$\\";

int ct_deviations_re_portable(const char *p, char *err, size_t errlen) {
  int depth = 0;
  int atom = 0; /* 1 when the previous item can take a quantifier */
  if (!*p) {
    seterr(err, errlen, "empty pattern");
    return 0;
  }
  for (size_t i = 0; p[i]; i++) {
    unsigned char ch = (unsigned char)p[i];
    if (ch < 0x20 || ch > 0x7e) {
      seterr(err, errlen, "byte 0x%02x at %zu is not printable ASCII", ch, i);
      return 0;
    }
    switch (ch) {
    case '\\':
      if (!p[i + 1] || !strchr(RE_SPECIAL, p[i + 1])) {
        seterr(err, errlen, "\"\\\" at %zu escapes no special character", i);
        return 0;
      }
      i++;
      atom = 1;
      break;
    case '[': {
      size_t j = i + 1;
      if (p[j] == '^') j++;
      if (p[j] == ']' || !p[j]) {
        seterr(err, errlen, "empty or unclosed bracket at %zu", i);
        return 0;
      }
      for (; p[j] && p[j] != ']'; j++) {
        if (p[j] == '\\' || p[j] == '[') {
          seterr(err, errlen, "\"%c\" inside a bracket at %zu", p[j], j);
          return 0;
        }
        if (strchr("-&~|", p[j]) && p[j + 1] == p[j]) {
          seterr(err, errlen, "doubled \"%c\" inside a bracket at %zu", p[j], j);
          return 0;
        }
        if ((unsigned char)p[j] < 0x20 || (unsigned char)p[j] > 0x7e) {
          seterr(err, errlen, "byte at %zu is not printable ASCII", j);
          return 0;
        }
      }
      if (!p[j]) {
        seterr(err, errlen, "unclosed bracket at %zu", i);
        return 0;
      }
      i = j;
      atom = 1;
      break;
    }
    case '(':
      if (p[i + 1] == '?' || p[i + 1] == ')' || p[i + 1] == '|') {
        seterr(err, errlen, "\"(%c\" at %zu", p[i + 1], i);
        return 0;
      }
      depth++;
      atom = 0;
      break;
    case ')':
      if (depth == 0) {
        seterr(err, errlen, "unbalanced \")\" at %zu", i);
        return 0;
      }
      depth--;
      atom = 1;
      break;
    case '|':
      if (i == 0 || p[i + 1] == '|' || p[i + 1] == ')' || !p[i + 1]) {
        seterr(err, errlen, "empty alternative at %zu", i);
        return 0;
      }
      atom = 0;
      break;
    case '*':
    case '+':
    case '?':
    case '{':
      if (!atom) {
        seterr(err, errlen, "quantifier \"%c\" at %zu follows no atom", ch, i);
        return 0;
      }
      if (ch == '{') {
        size_t j = i + 1;
        long m = 0, n = -1;
        if (!isdigit((unsigned char)p[j])) {
          seterr(err, errlen, "\"{\" at %zu is not {m}, {m,} or {m,n} (write \\{)", i);
          return 0;
        }
        m = strtol(p + j, NULL, 10);
        while (isdigit((unsigned char)p[j])) j++;
        if (p[j] == ',') {
          j++;
          if (isdigit((unsigned char)p[j])) {
            n = strtol(p + j, NULL, 10);
            while (isdigit((unsigned char)p[j])) j++;
          }
        } else {
          n = m;
        }
        if (p[j] != '}' || m > 255 || n > 255 || (n >= 0 && n < m)) {
          seterr(err, errlen, "bad bound at %zu", i);
          return 0;
        }
        i = j;
      }
      if (p[i + 1] && strchr("*+?{", p[i + 1])) {
        seterr(err, errlen, "doubled quantifier at %zu", i + 1);
        return 0;
      }
      atom = 0;
      break;
    case '}':
    case ']':
      seterr(err, errlen, "unescaped \"%c\" at %zu (write \\%c)", ch, i, ch);
      return 0;
    case '^':
    case '$':
      atom = 0;
      break;
    default:
      atom = 1;
      break;
    }
  }
  if (depth) {
    seterr(err, errlen, "unclosed \"(\"");
    return 0;
  }
  return 1;
}

/* ---- loading ---- */

static void strv_free(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

static void cause_free(ct_cause *c) {
  strv_free(c->tags, c->ntags);
  strv_free(c->steps, c->nsteps);
  strv_free(c->cases, c->ncases);
  for (int i = 0; i < 3; i++)
    if (c->has_re[i]) regfree(&c->re[i]);
}

void ct_deviations_free(ct_known *k) {
  for (size_t i = 0; i < k->n; i++) {
    ct_deviation *d = &k->v[i];
    for (size_t j = 0; j < d->ncauses; j++) cause_free(&d->causes[j]);
    free(d->causes);
    free(d->ref);
    free(d->title);
  }
  free(k->v);
  strv_free(k->upstream_ids, k->nupstream);
  memset(k, 0, sizeof *k);
}

/* A non-empty array of strings into *OUT; -1 when A is not one. */
static int strv_load(const cJSON *a, char ***out, size_t *n, int allow_empty_string) {
  if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) == 0) return -1;
  *n = 0;
  *out = ct_xmalloc(sizeof(char *) * (size_t)cJSON_GetArraySize(a));
  const cJSON *it;
  cJSON_ArrayForEach(it, a) {
    const char *s = cJSON_GetStringValue(it);
    if (!s || (!*s && !allow_empty_string) || strchr(s, '\\')) return -1;
    (*out)[(*n)++] = ct_xstrdup(s);
  }
  return 0;
}

static int verdict_bit(const char *s, unsigned *bits) {
  static const ct_verdict vs[] = {CT_V_FAIL, CT_V_NONSTRICT, CT_V_INFO, CT_V_SKIP, CT_V_BLOCKED};
  for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
    if (!strcmp(s, ct_verdict_name(vs[i]))) {
      *bits |= 1u << vs[i];
      return 0;
    }
  return -1;
}

static const char *const RE_KEYS[3] = {"reason", "expected", "actual"};

static int cause_load(ct_cause *c, const cJSON *o, char *err, size_t errlen) {
  memset(c, 0, sizeof *c);
  if (!cJSON_IsObject(o)) {
    seterr(err, errlen, "a cause is not an object");
    return -1;
  }
  const cJSON *it;
  cJSON_ArrayForEach(it, o) {
    const char *k = it->string;
    if (strcmp(k, "tags") && strcmp(k, "verdicts") && strcmp(k, "step") && strcmp(k, "reason") &&
        strcmp(k, "expected") && strcmp(k, "actual") && strcmp(k, "cases") &&
        strcmp(k, "upstream-vectors") && strcmp(k, "note")) {
      seterr(err, errlen, "unknown key \"%s\" in a cause", k);
      return -1;
    }
  }
  if (strv_load(cJSON_GetObjectItem(o, "tags"), &c->tags, &c->ntags, 0) < 0) {
    seterr(err, errlen, "a cause needs \"tags\": a non-empty array of spec tags");
    return -1;
  }
  const cJSON *v = cJSON_GetObjectItem(o, "verdicts");
  if (v) {
    if (!cJSON_IsArray(v) || !cJSON_GetArraySize(v)) {
      seterr(err, errlen, "\"verdicts\" is not a non-empty array");
      return -1;
    }
    cJSON_ArrayForEach(it, v) {
      if (!cJSON_IsString(it) || verdict_bit(it->valuestring, &c->verdicts) < 0) {
        seterr(err, errlen, "bad verdict in \"verdicts\"");
        return -1;
      }
    }
  }
  if (cJSON_GetObjectItem(o, "step") &&
      strv_load(cJSON_GetObjectItem(o, "step"), &c->steps, &c->nsteps, 1) < 0) {
    seterr(err, errlen, "\"step\" is not a non-empty array of step kinds");
    return -1;
  }
  if (cJSON_GetObjectItem(o, "cases") &&
      strv_load(cJSON_GetObjectItem(o, "cases"), &c->cases, &c->ncases, 0) < 0) {
    seterr(err, errlen, "\"cases\" is not a non-empty array of patterns without \"\\\"");
    return -1;
  }
  const cJSON *up = cJSON_GetObjectItem(o, "upstream-vectors");
  if (up) {
    if (!cJSON_IsTrue(up)) {
      seterr(err, errlen, "\"upstream-vectors\" can only be true");
      return -1;
    }
    c->upstream = 1;
  }
  int nre = 0;
  for (int i = 0; i < 3; i++) {
    const cJSON *r = cJSON_GetObjectItem(o, RE_KEYS[i]);
    if (!r) continue;
    char why[160];
    if (!cJSON_IsString(r) || !ct_deviations_re_portable(r->valuestring, why, sizeof why)) {
      seterr(err, errlen, "\"%s\" is not a portable pattern: %s", RE_KEYS[i],
             cJSON_IsString(r) ? why : "not a string");
      return -1;
    }
    if (regcomp(&c->re[i], r->valuestring, REG_EXTENDED | REG_NOSUB) != 0) {
      seterr(err, errlen, "\"%s\" does not compile", RE_KEYS[i]);
      return -1;
    }
    c->has_re[i] = 1;
    nre++;
  }
  if (!nre) {
    seterr(err, errlen, "a cause needs at least one of \"reason\", \"expected\", \"actual\"");
    return -1;
  }
  return 0;
}

static int server_listed(const cJSON *servers, const char *server) {
  if (!server) return 1;
  const cJSON *it;
  cJSON_ArrayForEach(it, servers) {
    if (cJSON_IsString(it) && !strcmp(it->valuestring, server)) return 1;
  }
  return 0;
}

static int entry_load(ct_deviation *d, const cJSON *o, char *err, size_t errlen) {
  const cJSON *it;
  cJSON_ArrayForEach(it, o) {
    const char *k = it->string;
    if (strcmp(k, "ref") && strcmp(k, "title") && strcmp(k, "servers") && strcmp(k, "flaky") &&
        strcmp(k, "causes")) {
      seterr(err, errlen, "unknown key \"%s\"", k);
      return -1;
    }
  }
  const char *title = cJSON_GetStringValue(cJSON_GetObjectItem(o, "title"));
  if (!title || !*title) {
    seterr(err, errlen, "no \"title\"");
    return -1;
  }
  d->title = ct_xstrdup(title);
  d->flaky = cJSON_IsTrue(cJSON_GetObjectItem(o, "flaky"));
  const cJSON *cs = cJSON_GetObjectItem(o, "causes");
  if (!cJSON_IsArray(cs) || !cJSON_GetArraySize(cs)) {
    seterr(err, errlen, "no \"causes\" (a non-empty array)");
    return -1;
  }
  d->causes = ct_xmalloc(sizeof(ct_cause) * (size_t)cJSON_GetArraySize(cs));
  cJSON_ArrayForEach(it, cs) {
    if (cause_load(&d->causes[d->ncauses], it, err, errlen) < 0) {
      cause_free(&d->causes[d->ncauses]);
      return -1;
    }
    d->ncauses++;
  }
  return 0;
}

static void upstream_load(ct_known *k, const char *vectors_dir) {
  /* the v3 families too (issue 14): eio3.invalid.*, sio4.invalid.* */
  static const char *const protos[] = {"eio", "sio", "eio3", "sio4", "msgpack"};
  for (int p = 0; p < 5; p++) {
    char *path = ct_xasprintf("%s/%s/invalid.json", vectors_dir, protos[p]);
    vec_file f;
    if (vec_file_load(path, &f, NULL, 0) == 0) {
      k->upstream_ids =
          ct_xrealloc(k->upstream_ids, sizeof(char *) * (k->nupstream + (size_t)f.count));
      for (int i = 0; i < f.count; i++)
        if (f.entries[i].upstream)
          k->upstream_ids[k->nupstream++] =
              ct_xasprintf("%s.invalid.%s", protos[p], f.entries[i].id);
      vec_file_free(&f);
    }
    free(path);
  }
}

int ct_deviations_load(ct_known *k, const char *file, const char *vectors_dir, const char *server,
                       char *err, size_t errlen) {
  memset(k, 0, sizeof *k);
  char *text = ct_read_file(file);
  if (!text) {
    seterr(err, errlen, "%s: cannot read", file);
    return -1;
  }
  cJSON *root = cJSON_Parse(text);
  free(text);
  const cJSON *entries = cJSON_GetObjectItem(root, "entries");
  const cJSON *fmt = cJSON_GetObjectItem(root, "format");
  if (!root || !cJSON_IsNumber(fmt) || fmt->valuedouble != 2 || !cJSON_IsArray(entries)) {
    seterr(err, errlen, "%s: not a known-deviations file of format 2", file);
    cJSON_Delete(root);
    return -1;
  }
  k->v = ct_xmalloc(sizeof(ct_deviation) * ((size_t)cJSON_GetArraySize(entries) + 1));
  const cJSON *e;
  int idx = 0;
  cJSON_ArrayForEach(e, entries) {
    const char *ref = cJSON_GetStringValue(cJSON_GetObjectItem(e, "ref"));
    const cJSON *servers = cJSON_GetObjectItem(e, "servers");
    char why[200] = "";
    ct_deviation d = {0};
    int bad = !ref || !*ref || !cJSON_IsArray(servers);
    if (bad) snprintf(why, sizeof why, "no \"ref\" or \"servers\"");
    if (!bad) {
      d.ref = ct_xstrdup(ref);
      bad = entry_load(&d, e, why, sizeof why) < 0;
    }
    if (bad) {
      seterr(err, errlen, "%s: entry %d (%s): %s", file, idx, ref ? ref : "?", why);
      for (size_t j = 0; j < d.ncauses; j++) cause_free(&d.causes[j]);
      free(d.causes);
      free(d.ref);
      free(d.title);
      cJSON_Delete(root);
      ct_deviations_free(k);
      return -1;
    }
    /* Validated whatever the server, so a broken entry is found on every run. */
    if (server_listed(servers, server)) {
      k->v[k->n++] = d;
    } else {
      for (size_t j = 0; j < d.ncauses; j++) cause_free(&d.causes[j]);
      free(d.causes);
      free(d.ref);
      free(d.title);
    }
    idx++;
  }
  cJSON_Delete(root);
  if (vectors_dir) upstream_load(k, vectors_dir);
  return 0;
}

/* ---- matching ---- */

void ct_deviations_step_kind(const char *reason, char *out, size_t len) {
  if (!len) return;
  out[0] = 0;
  if (!reason || strncmp(reason, "step ", 5)) return;
  const char *p = reason + 5;
  if (!isdigit((unsigned char)*p)) return;
  while (isdigit((unsigned char)*p)) p++;
  if (strncmp(p, " (", 2)) return;
  p += 2;
  const char *end = strstr(p, "): ");
  if (!end) return;
  size_t n = (size_t)(end - p);
  if (n >= len) n = len - 1;
  memcpy(out, p, n);
  out[n] = 0;
}

/* Does the comma-separated tag list TAGS contain TAG? */
static int has_tag(const char *tags, const char *tag) {
  size_t tl = strlen(tag);
  for (const char *p = tags; p && *p;) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (n == tl && !strncmp(p, tag, n)) return 1;
    p = comma ? comma + 1 : NULL;
  }
  return 0;
}

static int re_holds(const ct_cause *c, int which, const char *s) {
  if (!c->has_re[which]) return 1;
  if (!s) return 0; /* a null field never matches a pattern */
  return regexec(&c->re[which], s, 0, NULL, 0) == 0;
}

static int cause_matches(const ct_known *k, const ct_cause *c, const ct_run *r) {
  if (c->verdicts ? !(c->verdicts & (1u << r->verdict)) : r->verdict == CT_V_PASS) return 0;
  int any = 0;
  for (size_t i = 0; i < c->ntags && !any; i++) any = has_tag(r->c->tags, c->tags[i]);
  if (!any) return 0;
  if (c->nsteps) {
    char kind[64];
    ct_deviations_step_kind(r->reason, kind, sizeof kind);
    any = 0;
    for (size_t i = 0; i < c->nsteps && !any; i++) any = !strcmp(kind, c->steps[i]);
    if (!any) return 0;
  }
  if (!re_holds(c, CT_CAUSE_REASON, r->reason ? r->reason : "") ||
      !re_holds(c, CT_CAUSE_EXPECTED, r->expected) || !re_holds(c, CT_CAUSE_ACTUAL, r->actual))
    return 0;
  if (c->ncases) {
    any = 0;
    for (size_t i = 0; i < c->ncases && !any; i++) any = !fnmatch(c->cases[i], r->run_id, 0);
    if (!any) return 0;
  }
  if (c->upstream) {
    any = 0;
    for (size_t i = 0; i < k->nupstream && !any; i++) any = !strcmp(k->upstream_ids[i], r->c->id);
    if (!any) return 0;
  }
  return 1;
}

const ct_deviation *ct_deviations_match(const ct_known *k, const ct_run *r) {
  if (!k || !r->c || r->verdict == CT_V_NONE || r->verdict == CT_V_PASS) return NULL;
  for (size_t i = 0; i < k->n; i++)
    for (size_t j = 0; j < k->v[i].ncauses; j++)
      if (cause_matches(k, &k->v[i].causes[j], r)) return &k->v[i];
  return NULL;
}

/* The set the report writers read titles from (see ct_deviations_title). */
static const ct_known *g_annotated;

size_t ct_deviations_annotate(const ct_known *k, ct_run *r, size_t n) {
  size_t linked = 0;
  g_annotated = k;
  for (size_t i = 0; i < n; i++) {
    free(r[i].deviation);
    r[i].deviation = NULL;
    const ct_deviation *d = ct_deviations_match(k, &r[i]);
    if (d) {
      r[i].deviation = ct_xstrdup(d->ref);
      linked++;
    }
  }
  return linked;
}

const char *ct_deviations_title(const char *ref) {
  if (!g_annotated || !ref) return NULL;
  for (size_t i = 0; i < g_annotated->n; i++)
    if (!strcmp(g_annotated->v[i].ref, ref)) return g_annotated->v[i].title;
  return NULL;
}
