/* File reports: JUnit XML (one testcase per case-run, classname = case id,
 * name = transport), a JSON index (expected vs actual and the wire transcript per
 * run) and one self-contained HTML page (inline CSS and script, no external
 * resources) with a summary, a verdict filter and per-case details. BLOCKED runs (a
 * failed preamble) are failures that name their root, grouped under it. */
#include <stdlib.h>
#include <string.h>

#include "ct_discover.h"
#include "ct_report.h"
#include "ct_deviations.h"

static void xml_escape(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '&':
      fputs("&amp;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    case '\'':
      fputs("&#39;", f);
      break;
    default:
      /* XML 1.0 forbids most control characters even escaped */
      if (*p < 0x20 && *p != '\n' && *p != '\t')
        fprintf(f, "\\x%02x", *p);
      else
        fputc(*p, f);
    }
  }
}

static const char *transport_of(const ct_run *r) {
  return r->transport == CT_TR_POLLING ? "polling" : "websocket";
}

static void junit_cases(FILE *f, const ct_run *r, size_t n, int strict, int sec);

int ct_report_junit(FILE *f, const ct_run *r, size_t n, const char *target, int strict,
                    int complete) {
  ct_tally t = ct_tally_runs(r, n);
  int fl = 0, s = 0;
  for (size_t i = 0; i < n; i++) {
    fl += ct_run_failed(&r[i], strict);
    s += r[i].verdict == CT_V_SKIP;
  }
  double total = 0;
  for (size_t i = 0; i < n; i++) total += r[i].ms;
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f,
          "<testsuites name=\"sioconform\" tests=\"%zu\" failures=\"%d\" skipped=\"%d\" "
          "time=\"%.3f\">\n",
          n, fl, s, total / 1000);
  /* two suites: the conformance cases, then the security pack (issue 6) */
  for (int sec = 0; sec <= 1; sec++) {
    ct_tally ts = sec ? ct_tally_sec(r, n) : t;
    int sp, sf, ss;
    ct_tally_line(&ts, strict, &sp, &sf, &ss);
    int nt = ts.pass + ts.fail + ts.nonstrict + ts.info + ts.skip + ts.blocked;
    if (sec && nt == 0) break;
    double tt = 0;
    for (size_t i = 0; i < n; i++)
      if (ct_case_is_sec(r[i].c) == sec) tt += r[i].ms;
    fprintf(f, "  <testsuite name=\"sioconform %s", sec ? "security pack " : "");
    xml_escape(f, target);
    fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\">\n", nt,
            sf, ss, tt / 1000);
    /* what discovery found on the target (issue 11) */
    char *disc = n && r[0].cfg ? ct_discovery_line(r[0].cfg) : NULL;
    /* one <properties> per suite (JUnit schema); complete=false: cut short by a signal,
     * only the runs finished so far (issue 16) */
    if (disc || !complete) {
      fprintf(f, "    <properties>");
      if (disc) {
        fprintf(f, "<property name=\"discovery\" value=\"");
        xml_escape(f, disc);
        fprintf(f, "\"/>");
      }
      if (!complete) fprintf(f, "<property name=\"complete\" value=\"false\"/>");
      fprintf(f, "</properties>\n");
      free(disc);
    }
    junit_cases(f, r, n, strict, sec);
    fprintf(f, "  </testsuite>\n");
  }
  fprintf(f, "</testsuites>\n");
  return ferror(f) ? -1 : 0;
}

static void junit_cases(FILE *f, const ct_run *r, size_t n, int strict, int sec) {
  for (size_t i = 0; i < n; i++) {
    const ct_run *x = &r[i];
    if (ct_case_is_sec(x->c) != sec) continue;
    fprintf(f, "    <testcase classname=\"");
    xml_escape(f, x->c->id);
    fprintf(f, "\" name=\"%s\" time=\"%.3f\">\n", transport_of(x), x->ms / 1000);
    fprintf(f,
            "      <properties><property name=\"verdict\" value=\"%s\"/>"
            "<property name=\"level\" value=\"%s\"/><property name=\"tags\" value=\"",
            ct_verdict_name(x->verdict), ct_level_name(x->c->level));
    xml_escape(f, x->c->tags);
    fprintf(f, "\"/>");
    if (x->c->severity) fprintf(f, "<property name=\"severity\" value=\"%s\"/>", x->c->severity);
    fprintf(f, "</properties>\n");
    if (x->verdict == CT_V_BLOCKED) {
      /* a failure whose message names the root case that failed */
      fprintf(f, "      <failure type=\"BLOCKED\" message=\"blocked by ");
      xml_escape(f, x->blocked_by ? x->blocked_by : "?");
      fprintf(f, ": ");
      xml_escape(f, x->reason);
      fprintf(f, "\">the preamble failed; its root case ");
      xml_escape(f, x->blocked_by ? x->blocked_by : "?");
      fprintf(f, " grades it</failure>\n");
    } else if (ct_run_failed(x, strict)) {
      fprintf(f, "      <failure type=\"%s\" message=\"", ct_verdict_name(x->verdict));
      xml_escape(f, x->reason);
      fprintf(f, "\">expected: ");
      xml_escape(f, x->expected ? x->expected : "-");
      fprintf(f, "\nactual: ");
      xml_escape(f, x->actual ? x->actual : "-");
      fprintf(f, "</failure>\n");
    } else if (x->verdict == CT_V_SKIP) {
      fprintf(f, "      <skipped message=\"");
      xml_escape(f, x->reason);
      fprintf(f, "\"/>\n");
    }
    fprintf(f, "      <system-out>");
    xml_escape(f, (const char *)x->log.data);
    fprintf(f, "</system-out>\n    </testcase>\n");
  }
}

static cJSON *run_json(const ct_run *x) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "run", x->run_id);
  cJSON_AddStringToObject(o, "id", x->c->id);
  cJSON_AddStringToObject(o, "transport", transport_of(x));
  cJSON_AddStringToObject(o, "title", x->c->title);
  cJSON_AddStringToObject(o, "level", ct_level_name(x->c->level));
  cJSON *tags = cJSON_AddArrayToObject(o, "tags");
  char *t = ct_xstrdup(x->c->tags);
  for (char *save = NULL, *tok = strtok_r(t, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
    cJSON_AddItemToArray(tags, cJSON_CreateString(tok));
  free(t);
  cJSON_AddStringToObject(o, "verdict", ct_verdict_name(x->verdict));
  if (x->blocked_by) cJSON_AddStringToObject(o, "blocked_by", x->blocked_by);
  cJSON_AddStringToObject(o, "family", ct_case_is_sec(x->c) ? "security" : "conformance");
  if (x->c->severity) cJSON_AddStringToObject(o, "severity", x->c->severity);
  cJSON_AddStringToObject(o, "reason", x->reason ? x->reason : "");
  if (x->expected)
    cJSON_AddStringToObject(o, "expected", x->expected);
  else
    cJSON_AddNullToObject(o, "expected");
  if (x->actual)
    cJSON_AddStringToObject(o, "actual", x->actual);
  else
    cJSON_AddNullToObject(o, "actual");
  /* the step that failed and the rule it checks (issue 16) */
  int step = ct_run_failed_step(x);
  if (step) cJSON_AddNumberToObject(o, "step", step);
  char st[512];
  if (*ct_run_step_tags(x, st, sizeof st)) {
    cJSON *a = cJSON_AddArrayToObject(o, "step_tags");
    for (char *save = NULL, *tok = strtok_r(st, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
      cJSON_AddItemToArray(a, cJSON_CreateString(tok));
  }
  if (x->deviation) { /* the known-deviations.md entry whose cause matches this run */
    cJSON_AddStringToObject(o, "deviation", x->deviation);
    const char *title = ct_deviations_title(x->deviation);
    if (title) cJSON_AddStringToObject(o, "deviation-title", title);
  }
  cJSON_AddNumberToObject(o, "ms", x->ms);
  if (x->c->requires) cJSON_AddStringToObject(o, "requires", x->c->requires);
  cJSON_AddStringToObject(o, "source", x->c->source ? x->c->source : "probe");
  /* cJSON stops strings at NUL: the transcript is escaped text, never raw bytes */
  cJSON_AddStringToObject(o, "transcript", x->log.data ? (const char *)x->log.data : "");
  return o;
}

static cJSON *index_json(const ct_run *r, size_t n, const char *target, int strict, int complete) {
  ct_tally t = ct_tally_runs(r, n);
  int p, fl, s;
  ct_tally_line(&t, strict, &p, &fl, &s);
  cJSON *root = cJSON_CreateObject();
  cJSON_AddNumberToObject(root, "format", 1);
  cJSON_AddStringToObject(root, "tool", "sioconform");
  /* what discovery found on the target (issue 11) */
  cJSON *disc = n && r[0].cfg ? ct_discovery_json(r[0].cfg) : NULL;
  if (disc) {
    char *line = ct_discovery_line(r[0].cfg);
    cJSON_AddStringToObject(disc, "summary", line);
    free(line);
    cJSON_AddItemToObject(root, "discovery", disc);
  }
  cJSON_AddStringToObject(root, "target", target);
  cJSON_AddBoolToObject(root, "strict", strict);
  /* false: cut short by a signal, only the runs finished so far (issue 16) */
  cJSON_AddBoolToObject(root, "complete", complete);
  cJSON *sum = cJSON_AddObjectToObject(root, "summary");
  cJSON_AddNumberToObject(sum, "runs", t.pass + t.fail + t.nonstrict + t.info + t.skip + t.blocked);
  cJSON_AddNumberToObject(sum, "passed", p);
  cJSON_AddNumberToObject(sum, "failed", fl);
  cJSON_AddNumberToObject(sum, "skipped", s);
  cJSON_AddNumberToObject(sum, "PASS", t.pass);
  cJSON_AddNumberToObject(sum, "FAIL", t.fail);
  cJSON_AddNumberToObject(sum, "BLOCKED", t.blocked);
  cJSON_AddNumberToObject(sum, "NON-STRICT", t.nonstrict);
  cJSON_AddNumberToObject(sum, "INFO", t.info);
  cJSON_AddNumberToObject(sum, "SKIP", t.skip);
  /* the security pack is summarised apart and never counted above (issue 6) */
  ct_tally ts = ct_tally_sec(r, n);
  cJSON *sec = cJSON_AddObjectToObject(root, "security");
  cJSON_AddNumberToObject(sec, "runs",
                          ts.pass + ts.fail + ts.nonstrict + ts.info + ts.skip + ts.blocked);
  cJSON_AddNumberToObject(sec, "PASS", ts.pass);
  cJSON_AddNumberToObject(sec, "FAIL", ts.fail);
  cJSON_AddNumberToObject(sec, "BLOCKED", ts.blocked);
  cJSON_AddNumberToObject(sec, "NON-STRICT", ts.nonstrict);
  cJSON_AddNumberToObject(sec, "INFO", ts.info);
  cJSON_AddNumberToObject(sec, "SKIP", ts.skip);
  cJSON *sf = cJSON_AddArrayToObject(sec, "failing");
  for (size_t i = 0; i < n; i++)
    if (ct_case_is_sec(r[i].c) && ct_run_failed(&r[i], strict))
      cJSON_AddItemToArray(sf, cJSON_CreateString(r[i].run_id));
  /* one fault, one failure: every root that blocks runs, with its own verdict */
  size_t ng = ct_root_groups(r, n, NULL, 0);
  ct_root_group *g = ct_xmalloc((ng ? ng : 1) * sizeof *g);
  ct_root_groups(r, n, g, ng);
  cJSON *roots = cJSON_AddArrayToObject(root, "roots");
  for (size_t i = 0; i < ng; i++) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "root", g[i].root);
    cJSON_AddStringToObject(o, "verdict",
                            g[i].root_index < 0 ? "NOT RUN"
                                                : ct_verdict_name(r[g[i].root_index].verdict));
    cJSON_AddNumberToObject(o, "blocked", g[i].blocked);
    cJSON_AddItemToArray(roots, o);
  }
  free(g);
  cJSON_AddNumberToObject(sum, "roots", (double)ng);
  cJSON *runs = cJSON_AddArrayToObject(root, "runs");
  for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(runs, run_json(&r[i]));
  return root;
}

int ct_report_json(FILE *f, const ct_run *r, size_t n, const char *target, int strict,
                   int complete) {
  cJSON *root = index_json(r, n, target, strict, complete);
  char *s = cJSON_Print(root);
  cJSON_Delete(root);
  if (!s) return -1;
  fputs(s, f);
  fputc('\n', f);
  free(s);
  return ferror(f) ? -1 : 0;
}

/* The page embeds the JSON index; "</" is written as "<\/" so no string in it can
 * end the script element. */
static void script_safe(FILE *f, const char *s) {
  for (; *s; s++) {
    if (s[0] == '<' && s[1] == '/') {
      fputs("<\\/", f);
      s++;
    } else {
      fputc(*s, f);
    }
  }
}

int ct_report_html(FILE *f, const ct_run *r, size_t n, const char *target, int strict,
                   int complete) {
  cJSON *root = index_json(r, n, target, strict, complete);
  char *s = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  if (!s) return -1;
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<title>sioconform report</title>\n<style>\n"
        "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}\n"
        "h1{font-size:1.4em}.sum span{display:inline-block;margin-right:1em;padding:.2em .6em;"
        "border-radius:4px}\n"
        ".PASS{background:#d8f5d8}.FAIL{background:#f8d0d0}.NON-STRICT{background:#fbe6c2}"
        ".INFO{background:#d6e6fa}.SKIP{background:#e6e6e6}.BLOCKED{background:#eadcf5}\n"
        "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;"
        "padding:.25em .5em;text-align:left;vertical-align:top}\n"
        "tr.row{cursor:pointer}tr.det td{background:#fafafa}pre{white-space:pre-wrap;"
        "font-size:12px;margin:.3em 0}\n"
        "label{margin-right:1em}</style></head><body>\n"
        "<h1>sioconform report</h1>\n<p>Target: <code id=\"target\"></code></p>\n"
        "<div class=\"sum\" id=\"sum\"></div>\n<div id=\"roots\"></div>\n"
        "<p id=\"filters\">Show: </p>\n"
        "<table><thead><tr><th>verdict</th><th>case</th><th>transport</th><th>level</th>"
        "<th>tags</th><th>ms</th><th>reason</th></tr></thead><tbody id=\"rows\"></tbody>"
        "</table>\n<script>\nconst DATA=",
        f);
  script_safe(f, s);
  free(s);
  fputs(";\n"
        "const V=['PASS','FAIL','BLOCKED','NON-STRICT','INFO','SKIP'];const shown=new Set(V);\n"
        "function el(t,a,x){const e=document.createElement(t);if(a)for(const k in a)"
        "e.setAttribute(k,a[k]);if(x!==undefined)e.textContent=x;return e;}\n"
        "document.getElementById('target').textContent=DATA.target;\n"
        "if(DATA.discovery)document.getElementById('target').parentNode.after("
        "el('p',{},'Discovery: '+DATA.discovery.summary));\n"
        "const sum=document.getElementById('sum');const S=DATA.summary;\n"
        "sum.appendChild(el('span',{},S.passed+' passed, '+S.failed+' failed, '+S.skipped+"
        "' skipped'));\n"
        "for(const v of V)sum.appendChild(el('span',{class:v},v+': '+S[v]));\n"
        "const X=DATA.security;if(X&&X.runs){sum.appendChild(el('br'));"
        "sum.appendChild(el('span',{},'Security pack ('+X.runs+' runs, not in the score):'));"
        "for(const v of V)sum.appendChild(el('span',{class:v},v+': '+X[v]));}\n"
        /* blocked runs grouped under the root that failed */
        "const rt=document.getElementById('roots');if(DATA.roots&&DATA.roots.length){\n"
        "let nb=0;for(const g of DATA.roots)nb+=g.blocked;rt.appendChild(el('h2',{},"
        "DATA.roots.length+' root failure'+(DATA.roots.length==1?'':'s')+', '+nb+' blocked'));\n"
        "for(const g of DATA.roots){const d=el('details',{class:'root'});"
        "const sm=el('summary');sm.appendChild(el('span',{class:g.verdict},g.verdict));"
        "sm.appendChild(document.createTextNode(' '+g.root+' blocks '+g.blocked+' run(s)'));"
        "d.appendChild(sm);const ul=el('ul');\n"
        "for(const r of DATA.runs)if(r.blocked_by===g.root)ul.appendChild(el('li',{},"
        "r.run+': '+r.reason));d.appendChild(ul);rt.appendChild(d);}}\n"
        "const fl=document.getElementById('filters');\n"
        "for(const v of V){const l=el('label');const c=el('input',{type:'checkbox'});"
        "c.checked=true;c.onchange=()=>{c.checked?shown.add(v):shown.delete(v);draw();};"
        "l.appendChild(c);l.appendChild(document.createTextNode(' '+v));fl.appendChild(l);}\n"
        "function draw(){const tb=document.getElementById('rows');tb.textContent='';\n"
        "for(const r of DATA.runs){if(!shown.has(r.verdict))continue;\n"
        "const tr=el('tr',{class:'row'});tr.appendChild(el('td',{class:r.verdict},r.verdict));\n"
        "for(const k of ['id','transport','level'])tr.appendChild(el('td',{},r[k]));\n"
        "tr.appendChild(el('td',{},r.tags.join(' ')));tr.appendChild(el('td',{},"
        "Math.round(r.ms)));\n"
        "tr.appendChild(el('td',{},(r.severity?'['+r.severity+'] ':'')+r.reason+(r.deviation?"
        "' [known deviation '+r.deviation+(r['deviation-title']?': '+r['deviation-title']:'')+']'"
        ":'')));const "
        "d=el('tr',{class:'det'});"
        "d.style.display='none';\n"
        "const td=el('td',{colspan:7});td.appendChild(el('div',{},r.title));\n"
        "if(r.expected!==null)td.appendChild(el('pre',{},'expected: '+r.expected));\n"
        "if(r.actual!==null)td.appendChild(el('pre',{},'actual:   '+r.actual));\n"
        "td.appendChild(el('pre',{},r.transcript));d.appendChild(td);\n"
        "tr.onclick=()=>{d.style.display=d.style.display==='none'?'':'none';};\n"
        "tb.appendChild(tr);tb.appendChild(d);}}\ndraw();\n</script></body></html>\n",
        f);
  return ferror(f) ? -1 : 0;
}
