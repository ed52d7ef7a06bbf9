/* Loader for scenario files (the .json files of vectors/scenarios/): validates every case and
 * every step against the step language documented in vectors/scenarios/README.md,
 * so a typo is a load error (exit 2), never a silently passing case. */
#include "ct_scenario.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_client.h"
#include "ct_ops.h"

int ct_step_op_known(const char *op) { return ct_op_find(op) != NULL; }

/* The keys op DEF cannot run without (ct_ops.h): a step lacking one is a load error. 0, or
 * -1 with WHY filled. */
static int check_required(const ct_op *def, const cJSON *s, char *why, size_t whylen) {
  for (int k = 0; def->required[k]; k++)
    if (!cJSON_GetObjectItem(s, def->required[k])) {
      snprintf(why, whylen, "op %s needs \"%s\"", def->name, def->required[k]);
      return -1;
    }
  return 0;
}

/* A "repeat" step: COUNT (1..CT_REPEAT_MAX) times its STEPS, which are ordinary steps
 * (no nested repeat). It stands for its body written out, so the fields that change
 * how one step runs (only, needs, root, preamble) go on the steps inside. 0, or -1
 * with WHY filled. */
static int check_repeat(const cJSON *s, char *why, size_t whylen) {
  static const char *const inner[] = {"only", "needs", "root", "preamble", "protocol", "refuses"};
  for (size_t k = 0; k < sizeof inner / sizeof *inner; k++)
    if (cJSON_GetObjectItem(s, inner[k])) {
      snprintf(why, whylen, "repeat takes no \"%s\" (put it on the steps inside)", inner[k]);
      return -1;
    }
  const cJSON *n = cJSON_GetObjectItem(s, "count");
  if (!cJSON_IsNumber(n) || n->valuedouble != (double)n->valueint || n->valueint < 1 ||
      n->valueint > CT_REPEAT_MAX) {
    snprintf(why, whylen, "repeat needs an integer count from 1 to %d", CT_REPEAT_MAX);
    return -1;
  }
  const cJSON *body = cJSON_GetObjectItem(s, "steps");
  if (!cJSON_IsArray(body) || cJSON_GetArraySize(body) == 0) {
    snprintf(why, whylen, "repeat needs a non-empty steps array");
    return -1;
  }
  const cJSON *b;
  cJSON_ArrayForEach(b, body) {
    const char *op = cJSON_GetStringValue(cJSON_GetObjectItem(b, "op"));
    ct_need need;
    const cJSON *nd = cJSON_GetObjectItem(b, "needs");
    const ct_op *def = ct_op_find(op);
    if (!def || strcmp(op, "repeat") == 0) {
      snprintf(why, whylen, "repeat: unknown or nested op %s", op ? op : "(none)");
      return -1;
    }
    char inner_why[120];
    if (check_required(def, b, inner_why, sizeof inner_why) != 0) {
      snprintf(why, whylen, "repeat: %s", inner_why);
      return -1;
    }
    if (nd && ct_need_parse(cJSON_GetStringValue(nd), &need) != 0) {
      snprintf(why, whylen, "repeat: needs must be engine, echo, socketio or app");
      return -1;
    }
  }
  return 0;
}

static int parse_transports(const cJSON *t, unsigned *out) {
  if (!t) {
    *out = CT_TR_ALL;
    return 0;
  }
  if (cJSON_IsString(t)) {
    if (strcmp(t->valuestring, "polling") == 0)
      *out = CT_TR_POLLING;
    else if (strcmp(t->valuestring, "websocket") == 0)
      *out = CT_TR_WEBSOCKET;
    else if (strcmp(t->valuestring, "all") == 0)
      *out = CT_TR_ALL;
    else
      return -1;
    return 0;
  }
  if (!cJSON_IsArray(t)) return -1;
  *out = 0;
  const cJSON *e;
  cJSON_ArrayForEach(e, t) {
    unsigned one;
    if (!cJSON_IsString(e) || parse_transports(e, &one) != 0) return -1;
    *out |= one;
  }
  return *out ? 0 : -1;
}

/* "protocols": absent (keep *OUT), or a non-empty list of distinct known names. */
static int parse_protocols(const cJSON *v, unsigned *out) {
  if (!v) return 0;
  if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0) return -1;
  unsigned m = 0;
  const cJSON *e;
  cJSON_ArrayForEach(e, v) {
    unsigned p = ct_proto_parse(cJSON_GetStringValue(e));
    if (!p || (m & p)) return -1;
    m |= p;
  }
  *out = m;
  return 0;
}

int ct_scenarios_parse(ct_cases *cs, const char *text, const char *source, char *err,
                       size_t errlen) {
  cJSON *root = cJSON_Parse(text);
  if (!cJSON_IsObject(root)) {
    snprintf(err, errlen, "%s: not a JSON object", source);
    cJSON_Delete(root);
    return -1;
  }
  const cJSON *fmt = cJSON_GetObjectItem(root, "format");
  const cJSON *cases = cJSON_GetObjectItem(root, "cases");
  if (!cJSON_IsNumber(fmt) || fmt->valueint != 1 || !cJSON_IsArray(cases)) {
    snprintf(err, errlen, "%s: needs \"format\": 1 and a \"cases\" array", source);
    cJSON_Delete(root);
    return -1;
  }
  /* the protocols every case of the file applies to, unless a case says otherwise
   * (issue 14): a list of "eio4", "eio3", "msgpack"; default eio4 */
  unsigned file_protos = CT_P_EIO4;
  if (parse_protocols(cJSON_GetObjectItem(root, "protocols"), &file_protos) != 0) {
    snprintf(err, errlen, "%s: protocols must be a non-empty list of eio4, eio3, msgpack", source);
    cJSON_Delete(root);
    return -1;
  }
  int added = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cases) {
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(c, "id"));
    const char *lv = cJSON_GetStringValue(cJSON_GetObjectItem(c, "level"));
    const cJSON *steps = cJSON_GetObjectItem(c, "steps");
    const cJSON *tags = cJSON_GetObjectItem(c, "tags");
    const char *ep = cJSON_GetStringValue(cJSON_GetObjectItem(c, "endpoint"));
    ct_level level;
    unsigned tr;
    if (!id || !*id) {
      snprintf(err, errlen, "%s: case #%d has no id", source, added);
      goto bad;
    }
    for (size_t i = 0; i < cs->n; i++)
      if (strcmp(cs->v[i].id, id) == 0) {
        snprintf(err, errlen, "%s: duplicate case id %s", source, id);
        goto bad;
      }
    if (ct_level_parse(lv, &level) != 0) {
      snprintf(err, errlen, "%s: %s: level must be MUST, SHOULD or MAY", source, id);
      goto bad;
    }
    if (parse_transports(cJSON_GetObjectItem(c, "transports"), &tr) != 0) {
      snprintf(err, errlen, "%s: %s: bad transports", source, id);
      goto bad;
    }
    if (ep && strcmp(ep, "eio") != 0 && strcmp(ep, "sio") != 0) {
      snprintf(err, errlen, "%s: %s: endpoint must be eio or sio", source, id);
      goto bad;
    }
    if (!cJSON_IsArray(steps) || cJSON_GetArraySize(steps) == 0) {
      snprintf(err, errlen, "%s: %s: needs a non-empty steps array", source, id);
      goto bad;
    }
    /* the security pack grades every case by the advisory's severity (issue 6) */
    const char *sev = cJSON_GetStringValue(cJSON_GetObjectItem(c, "severity"));
    if ((sev || strncmp(id, "sec.", 4) == 0) && !ct_severity_valid(sev)) {
      snprintf(err, errlen, "%s: %s: severity must be low, medium, high or critical", source, id);
      goto bad;
    }
    /* the release that fixed the advisory a security case re-creates (issue 16): a
     * non-empty string, and only on sec.* cases */
    const cJSON *fx = cJSON_GetObjectItem(c, "fixed");
    if (fx && (!cJSON_IsString(fx) || !*fx->valuestring || strncmp(id, "sec.", 4) != 0)) {
      snprintf(err, errlen, "%s: %s: fixed must be a non-empty string, on a sec.* case", source,
               id);
      goto bad;
    }
    /* what the case needs from the server (conformance/README.md, "Needs") */
    ct_need need = ep && strcmp(ep, "sio") == 0 ? CT_NEED_APP : CT_NEED_ECHO;
    const cJSON *nd = cJSON_GetObjectItem(c, "needs");
    if (nd && ct_need_parse(cJSON_GetStringValue(nd), &need) != 0) {
      snprintf(err, errlen, "%s: %s: needs must be engine, echo, socketio or app", source, id);
      goto bad;
    }
    unsigned protos = file_protos;
    if (parse_protocols(cJSON_GetObjectItem(c, "protocols"), &protos) != 0) {
      snprintf(err, errlen, "%s: %s: protocols must be a non-empty list of eio4, eio3, msgpack",
               source, id);
      goto bad;
    }
    unsigned offers = 0;
    if (parse_protocols(cJSON_GetObjectItem(c, "offers"), &offers) != 0) {
      snprintf(err, errlen, "%s: %s: offers must be a non-empty list of eio4, eio3, msgpack",
               source, id);
      goto bad;
    }
    unsigned refuses = 0;
    if (parse_protocols(cJSON_GetObjectItem(c, "refuses"), &refuses) != 0) {
      snprintf(err, errlen, "%s: %s: refuses must be a non-empty list of eio4, eio3, msgpack",
               source, id);
      goto bad;
    }
    /* the msgpack parser is a Socket.IO codec: an echo-path case has nothing to run it on */
    if ((protos & CT_P_MSGPACK) && !(ep && strcmp(ep, "sio") == 0)) {
      snprintf(err, errlen, "%s: %s: protocol msgpack needs endpoint sio", source, id);
      goto bad;
    }
    const cJSON *ex = cJSON_GetObjectItem(c, "exclusive");
    if (ex && !cJSON_IsBool(ex)) {
      snprintf(err, errlen, "%s: %s: exclusive must be true or false", source, id);
      goto bad;
    }
    const cJSON *s;
    int si = 0;
    cJSON_ArrayForEach(s, steps) {
      const char *op = cJSON_GetStringValue(cJSON_GetObjectItem(s, "op"));
      const ct_op *def = ct_op_find(op);
      if (!def) {
        snprintf(err, errlen, "%s: %s: step %d: unknown op %s", source, id, si + 1,
                 op ? op : "(none)");
        goto bad;
      }
      const cJSON *sp = cJSON_GetObjectItem(s, "protocol");
      if (sp && !ct_proto_parse(cJSON_GetStringValue(sp))) {
        snprintf(err, errlen, "%s: %s: step %d: protocol must be eio4, eio3 or msgpack", source, id,
                 si + 1);
        goto bad;
      }
      const cJSON *sr = cJSON_GetObjectItem(s, "refuses");
      if (sr && !ct_proto_parse(cJSON_GetStringValue(sr))) {
        snprintf(err, errlen, "%s: %s: step %d: refuses must be eio4, eio3 or msgpack", source, id,
                 si + 1);
        goto bad;
      }
      const cJSON *sn = cJSON_GetObjectItem(s, "needs");
      ct_need sneed;
      if (sn && ct_need_parse(cJSON_GetStringValue(sn), &sneed) != 0) {
        snprintf(err, errlen, "%s: %s: step %d: needs must be engine, echo, socketio or app",
                 source, id, si + 1);
        goto bad;
      }
      char why[160];
      if ((strcmp(op, "repeat") == 0 ? check_repeat(s, why, sizeof why)
                                     : check_required(def, s, why, sizeof why)) != 0) {
        snprintf(err, errlen, "%s: %s: step %d: %s", source, id, si + 1, why);
        goto bad;
      }
      si++;
    }
    ct_buf tb = {0};
    if (cJSON_IsArray(tags)) {
      const cJSON *t;
      cJSON_ArrayForEach(t, tags) {
        if (!cJSON_IsString(t)) continue;
        if (tb.len) ct_buf_adds(&tb, ",");
        ct_buf_adds(&tb, t->valuestring);
      }
    }
    if (!tb.len) {
      snprintf(err, errlen, "%s: %s: needs at least one spec tag", source, id);
      ct_buf_free(&tb);
      goto bad;
    }
    ct_case *k = ct_cases_add(cs, id, cJSON_GetStringValue(cJSON_GetObjectItem(c, "title")),
                              (char *)tb.data, level, tr, ep && strcmp(ep, "sio") == 0,
                              cJSON_GetStringValue(cJSON_GetObjectItem(c, "requires")));
    ct_buf_free(&tb);
    k->steps = cJSON_Duplicate(steps, 1);
    k->source = ct_xstrdup(source);
    k->severity = sev ? ct_xstrdup(sev) : NULL;
    k->fixed = fx ? ct_xstrdup(fx->valuestring) : NULL;
    k->needs = need;
    k->exclusive = cJSON_IsTrue(ex);
    k->protocols = protos;
    k->offers = offers;
    k->refuses = refuses;
    added++;
  }
  cJSON_Delete(root);
  return added;
bad:
  cJSON_Delete(root);
  return -1;
}

int ct_scenarios_load_file(ct_cases *cs, const char *file, char *err, size_t errlen) {
  ct_buf b = {0};
  if (ct_buf_read_file(&b, file) != 0) {
    ct_buf_free(&b);
    snprintf(err, errlen, "%s: cannot open", file);
    return -1;
  }
  const char *base = strrchr(file, '/');
  int rc =
      ct_scenarios_parse(cs, b.data ? (char *)b.data : "", base ? base + 1 : file, err, errlen);
  ct_buf_free(&b);
  return rc;
}

static int cmpstr(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int ct_scenarios_load_dir(ct_cases *cs, const char *dir, char *err, size_t errlen) {
  DIR *d = opendir(dir);
  if (!d) {
    snprintf(err, errlen, "%s: cannot open scenario directory", dir);
    return -1;
  }
  char *names[256];
  int nn = 0;
  struct dirent *e;
  while ((e = readdir(d)) && nn < 256) {
    size_t l = strlen(e->d_name);
    if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) names[nn++] = ct_xstrdup(e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)nn, sizeof *names, cmpstr);
  int total = 0, rc = 0;
  for (int i = 0; i < nn; i++) {
    char *p = ct_xasprintf("%s/%s", dir, names[i]);
    if (rc >= 0) {
      rc = ct_scenarios_load_file(cs, p, err, errlen);
      if (rc > 0) total += rc;
    }
    free(p);
    free(names[i]);
  }
  return rc < 0 ? -1 : total;
}
