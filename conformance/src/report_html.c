/* The HTML report and the matrix page (issue 16): one self-contained file with inline
 * style (report_page.css) and script (report_page.js, both embedded at build time), the
 * JSON index of each report, and a rendered copy of the spec and of the known
 * deviations, so every spec tag links to its sentence and every known deviation to its
 * entry without any network. */
#include "ct_report_html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ct_markdown.h"
#include "ct_report_files.h"

extern const char ct_report_page_css[];
extern const char ct_report_page_js[];

/* The documents rendered into every page: file under the docs root, id prefix, title. */
static const char *const k_docs[][3] = {
    {"spec/engine.io-v4.md", "eio-", "Engine.IO v4 (spec/engine.io-v4.md)"},
    {"spec/socket.io-v5.md", "sio-", "Socket.IO v5 (spec/socket.io-v5.md)"},
    {"spec/contract.md", "ct-", "The test-app contract (spec/contract.md)"},
    {"conformance/known-deviations.md", "kd-",
     "Known deviations (conformance/known-deviations.md)"},
};
#define NDOCS (sizeof k_docs / sizeof *k_docs)

/* Rendered once per docs root: the writers run again as runs finish (report_live.c). */
static struct {
  char *root;
  char *html;      /* the <details> of every document found */
  char *tags_json; /* tag -> {doc, section, sid, level} */
} g_docs;

static void render_docs(const char *root) {
  if (g_docs.html && root && g_docs.root && strcmp(root, g_docs.root) == 0) return;
  free(g_docs.root);
  free(g_docs.html);
  free(g_docs.tags_json);
  memset(&g_docs, 0, sizeof g_docs);
  g_docs.root = ct_xstrdup(root ? root : "");
  ct_md m = {0};
  char *text[NDOCS] = {0};
  for (size_t i = 0; i < NDOCS && root; i++) {
    char *path = ct_xasprintf("%s/%s", root, k_docs[i][0]);
    text[i] = ct_read_file(path);
    free(path);
    /* the spec defines the tags; the deviations only mention them */
    if (text[i] && strncmp(k_docs[i][0], "spec/", 5) == 0)
      ct_md_scan(&m, k_docs[i][0], k_docs[i][1], text[i]);
  }
  ct_buf b = {0};
  int found = 0;
  for (size_t i = 0; i < NDOCS; i++) {
    if (!text[i]) continue;
    found++;
    ct_buf_printf(&b, "<details id=\"doc-%.*s\"><summary>%s</summary><div class=\"doc\">\n",
                  (int)strlen(k_docs[i][1]) - 1, k_docs[i][1], k_docs[i][2]);
    ct_md_render(&m, k_docs[i][1], text[i], &b);
    ct_buf_adds(&b, "</div></details>\n");
    free(text[i]);
  }
  if (!found)
    ct_buf_printf(&b,
                  "<p class=\"empty\">spec/ was not found under %s: spec tags are not linked "
                  "(conformance/README.md, \"Reports\").</p>\n",
                  root ? root : "(no docs root)");
  g_docs.html = ct_buf_steal(&b);
  g_docs.tags_json = m.tags ? cJSON_PrintUnformatted(m.tags) : ct_xstrdup("{}");
  ct_md_free(&m);
}

char *ct_report_docs_root(const char *vectors_dir) {
  const char *env = getenv("SIOCONFORM_DOCS");
  if (env && *env) return ct_xstrdup(env);
  if (!vectors_dir) return NULL;
  char *d = ct_xstrdup(vectors_dir);
  size_t l = strlen(d);
  while (l > 1 && d[l - 1] == '/') d[--l] = '\0';
  char *slash = strrchr(d, '/');
  if (!slash) {
    free(d);
    return ct_xstrdup(".");
  }
  if (slash == d)
    slash[1] = '\0';
  else
    *slash = '\0';
  return d;
}

/* JSON inside <script type="application/json">: every "<" (only ever inside a string) is
 * written \u003c, so no text of a run can end the element or open a comment in it. */
static void json_in_script(FILE *f, const char *s) {
  for (; *s; s++)
    if (*s == '<')
      fputs("\\u003c", f);
    else
      fputc(*s, f);
}

static void html_text(FILE *f, const char *s) {
  for (; *s; s++) switch (*s) {
    case '<':
      fputs("&lt;", f);
      break;
    case '&':
      fputs("&amp;", f);
      break;
    default:
      fputc(*s, f);
    }
}

int ct_report_page(FILE *f, const cJSON *reports, const char *docs_root) {
  render_docs(docs_root);
  int n = cJSON_GetArraySize(reports);
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width\">\n<title>",
        f);
  if (n == 1) {
    fputs("sioconform report: ", f);
    const char *t =
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(reports, 0), "target"));
    html_text(f, t ? t : "");
  } else {
    fprintf(f, "sioconform matrix: %d servers", n);
  }
  fputs("</title>\n<style>\n", f);
  fputs(ct_report_page_css, f);
  fputs("</style></head><body>\n<div id=\"peek\" hidden></div>\n<main><div id=\"head\"></div><div "
        "id=\"sum\"></div></main>\n"
        "<div id=\"bar\"></div>\n<main><section id=\"failures\"></section>\n"
        "<section id=\"security\"></section>\n<section id=\"areas\"></section>\n"
        "<section id=\"runs\"></section>\n<section id=\"docs\"><h2>Specification and known "
        "deviations</h2>\n<p class=\"meta\">Rendered from the repository's spec/ and "
        "conformance/known-deviations.md when this page was written; each spec tag links to "
        "its sentence, each known deviation to its entry.</p>\n",
        f);
  fputs(g_docs.html, f);
  fputs("</section></main>\n<script id=\"data\" type=\"application/json\">{\"reports\":", f);
  char *s = cJSON_PrintUnformatted(reports);
  if (!s) return -1;
  json_in_script(f, s);
  free(s);
  fputs(",\"tags\":", f);
  json_in_script(f, g_docs.tags_json);
  fputs("}</script>\n<script>\n", f);
  fputs(ct_report_page_js, f);
  fputs("</script></body></html>\n", f);
  return ferror(f) ? -1 : 0;
}

#define STR(o, k) (cJSON_GetStringValue(cJSON_GetObjectItem(o, k)))

/* The protocol suffix of a run id ("/eio3" of "x@polling/eio3"), or "" (issue 14). */
static const char *proto_suffix_of(const char *run) {
  const char *at = strrchr(run, '@');
  const char *sl = at ? strchr(at, '/') : NULL;
  return sl ? sl : "";
}

/* Set O's member K to V (taken), replacing or adding it: cJSON_ReplaceItemInObject does
 * nothing with V when K is absent, and V would leak. */
static void put(cJSON *o, const char *k, cJSON *v) {
  if (cJSON_GetObjectItem(o, k))
    cJSON_ReplaceItemInObject(o, k, v);
  else
    cJSON_AddItemToObject(o, k, v);
}

/* Recount a split column's summary and security objects from its runs. */
static void recount(cJSON *rep) {
  static const char *const vs[] = {"PASS", "FAIL", "BLOCKED", "NON-STRICT", "INFO", "SKIP"};
  int c[2][6] = {{0}}, tot[2] = {0, 0};
  const cJSON *r;
  cJSON_ArrayForEach(r, cJSON_GetObjectItem(rep, "runs")) {
    const char *fam = STR(r, "family");
    int sec = fam && strcmp(fam, "security") == 0;
    tot[sec]++;
    for (int v = 0; v < 6; v++)
      if (strcmp(STR(r, "verdict"), vs[v]) == 0) c[sec][v]++;
  }
  static const char *const objs[] = {"summary", "security"};
  for (int s = 0; s < 2; s++) {
    cJSON *o = cJSON_GetObjectItem(rep, objs[s]);
    if (!cJSON_IsObject(o)) continue;
    put(o, "runs", cJSON_CreateNumber(tot[s]));
    for (int v = 0; v < 6; v++) put(o, vs[v], cJSON_CreateNumber(c[s][v]));
  }
}

/* Issue 14: a report with runs of several protocols (--eio all, --parser all) becomes one
 * column per protocol -- NAME for the default runs, NAME/eio3, NAME/msgpack -- with the
 * suffix taken off each run id, so a case-run's row lines up across protocols and
 * servers. Reports without suffixed runs stay as they are. Takes REPORTS. */
cJSON *ct_report_split_protocols(cJSON *reports) {
  static const char *const sfx[] = {"", "/eio3", "/msgpack"};
  int any = 0;
  const cJSON *rep, *r;
  cJSON_ArrayForEach(rep, reports) {
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(rep, "runs")) any |= *proto_suffix_of(STR(r, "run"));
  }
  if (!any) return reports;
  cJSON *out = cJSON_CreateArray();
  cJSON_ArrayForEach(rep, reports) {
    for (int k = 0; k < 3; k++) {
      cJSON *col = NULL;
      cJSON_ArrayForEach(r, cJSON_GetObjectItem(rep, "runs")) {
        const char *run = STR(r, "run");
        if (strcmp(proto_suffix_of(run), sfx[k]) != 0) continue;
        if (!col) {
          col = cJSON_Duplicate(rep, 1);
          put(col, "runs", cJSON_CreateArray());
          char *nm = ct_xasprintf("%s%s", STR(rep, "name"), sfx[k]);
          put(col, "name", cJSON_CreateString(nm));
          free(nm);
        }
        cJSON *x = cJSON_Duplicate(r, 1);
        char *id = ct_xstrndup(run, strlen(run) - strlen(sfx[k]));
        put(x, "run", cJSON_CreateString(id));
        free(id);
        cJSON_AddItemToArray(cJSON_GetObjectItem(col, "runs"), x);
      }
      if (col) {
        recount(col);
        cJSON_AddItemToArray(out, col);
      }
    }
  }
  cJSON_Delete(reports);
  return out;
}

int ct_report_html(FILE *f, const ct_run *r, size_t n, const char *target, int strict,
                   int complete) {
  cJSON *idx = ct_report_index(r, n, target, strict, complete);
  cJSON_AddStringToObject(idx, "name", target ? target : "");
  cJSON *all = cJSON_CreateArray();
  cJSON_AddItemToArray(all, idx);
  all = ct_report_split_protocols(all); /* --eio all: one column per protocol */
  char *root = ct_report_docs_root(n && r[0].cfg ? r[0].cfg->vectors_dir : NULL);
  int rc = ct_report_page(f, all, root);
  free(root);
  cJSON_Delete(all);
  return rc;
}
