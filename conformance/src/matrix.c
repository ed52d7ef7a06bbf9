/* `sioconform matrix`: servers x case-runs from saved JSON reports (ct_matrix.h). The
 * page is the report page with one verdict column per report (report_page.js). */
#include "ct_matrix.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct_util.h"
#include "ct_report_html.h"

cJSON *ct_matrix_load(const char *file, const char *name, char *err, size_t errlen) {
  char *text = ct_read_file(file);
  if (!text) {
    snprintf(err, errlen, "cannot read %s", file);
    return NULL;
  }
  cJSON *j = cJSON_Parse(text);
  free(text);
  const cJSON *fmt = cJSON_GetObjectItem(j, "format");
  const cJSON *runs = cJSON_GetObjectItem(j, "runs");
  if (!j || !cJSON_IsNumber(fmt) || fmt->valueint != 1 || !cJSON_IsArray(runs)) {
    snprintf(err, errlen, "%s is not a sioconform --json report (format 1 with \"runs\")", file);
    cJSON_Delete(j);
    return NULL;
  }
  /* every run needs what the page reads: run id, case id, verdict */
  const cJSON *r;
  int i = 0;
  cJSON_ArrayForEach(r, runs) {
    if (!cJSON_GetStringValue(cJSON_GetObjectItem(r, "run")) ||
        !cJSON_GetStringValue(cJSON_GetObjectItem(r, "id")) ||
        !cJSON_GetStringValue(cJSON_GetObjectItem(r, "verdict")) ||
        !cJSON_IsArray(cJSON_GetObjectItem(r, "tags"))) {
      snprintf(err, errlen, "%s: run #%d lacks run, id, verdict or tags", file, i);
      cJSON_Delete(j);
      return NULL;
    }
    i++;
  }
  char *nm;
  if (name) {
    nm = ct_xstrdup(name);
  } else {
    const char *base = strrchr(file, '/');
    nm = ct_xstrdup(base ? base + 1 : file);
    size_t l = strlen(nm);
    if (l > 5 && strcmp(nm + l - 5, ".json") == 0) nm[l - 5] = '\0';
  }
  cJSON_DeleteItemFromObject(j, "name");
  cJSON_AddStringToObject(j, "name", nm);
  free(nm);
  return j;
}

static const char *verdict_of(const cJSON *report, const char *run) {
  const cJSON *r;
  cJSON_ArrayForEach(r, cJSON_GetObjectItem(report, "runs")) {
    if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "run")), run) == 0)
      return cJSON_GetStringValue(cJSON_GetObjectItem(r, "verdict"));
  }
  return "ABSENT";
}

size_t ct_matrix_diff(const cJSON *reports, FILE *f, size_t *total) {
  cJSON *seen = cJSON_CreateObject();
  size_t nd = 0, nt = 0;
  const cJSON *rep;
  cJSON_ArrayForEach(rep, reports) {
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(rep, "runs")) {
      const char *run = cJSON_GetStringValue(cJSON_GetObjectItem(r, "run"));
      if (cJSON_GetObjectItem(seen, run)) continue;
      cJSON_AddTrueToObject(seen, run);
      nt++;
      const char *first = NULL;
      int differs = 0;
      const cJSON *o;
      cJSON_ArrayForEach(o, reports) {
        const char *v = verdict_of(o, run);
        if (!first)
          first = v;
        else if (strcmp(first, v) != 0)
          differs = 1;
      }
      if (!differs) continue;
      nd++;
      if (!f) continue;
      fprintf(f, "  %s:", run);
      int k = 0;
      cJSON_ArrayForEach(o, reports) {
        fprintf(f, "%s %s %s", k++ ? "," : "", cJSON_GetStringValue(cJSON_GetObjectItem(o, "name")),
                verdict_of(o, run));
      }
      fputc('\n', f);
    }
  }
  cJSON_Delete(seen);
  if (total) *total = nt;
  return nd;
}

#define NUM(o, k)                                                                                  \
  (cJSON_IsNumber(cJSON_GetObjectItem(o, k)) ? cJSON_GetObjectItem(o, k)->valueint : 0)
#define STR(o, k) (cJSON_GetStringValue(cJSON_GetObjectItem(o, k)))

static const cJSON *run_of(const cJSON *report, const char *run) {
  const cJSON *r;
  cJSON_ArrayForEach(r, cJSON_GetObjectItem(report, "runs")) {
    if (strcmp(STR(r, "run"), run) == 0) return r;
  }
  return NULL;
}

/* "eio.heartbeat" of "eio.heartbeat.ping-pong" (the page's area) */
static void area_of(const char *id, char *out, size_t len) {
  const char *d1 = strchr(id, '.');
  const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
  size_t n = d2 ? (size_t)(d2 - id) : strlen(id);
  snprintf(out, len, "%.*s", (int)n, id);
}

/* A cell: the verdict, and the deviation that explains it ("FAIL (N-3)"). */
static void md_cell(FILE *f, const cJSON *r) {
  if (!r) {
    fputs(" - |", f);
    return;
  }
  fprintf(f, " %s", STR(r, "verdict"));
  if (STR(r, "deviation")) fprintf(f, " (%s)", STR(r, "deviation"));
  fputs(" |", f);
}

static void md_head(FILE *f, const cJSON *reports, const char *first) {
  const cJSON *rep;
  fputs(first, f);
  cJSON_ArrayForEach(rep, reports) fprintf(f, " %s |", STR(rep, "name"));
  fputs("\n|", f);
  for (const char *p = first; *p; p++)
    if (*p == '|' && p[1]) fputs("---|", f);
  cJSON_ArrayForEach(rep, reports) fputs("---|", f);
  fputc('\n', f);
}

/* The tables of RESULTS.md: servers, counts per area, the security pack's runs that did
 * not pass everywhere, and every case-run whose verdicts differ. */
static void markdown(FILE *f, const cJSON *reports) {
  static const char *const V[] = {"PASS", "FAIL", "BLOCKED", "NON-STRICT", "INFO", "SKIP"};
  const cJSON *rep;
  fputs("## Servers\n\n| server | PASS | FAIL | BLOCKED | NON-STRICT | INFO | SKIP | security "
        "pack: PASS / FAIL / INFO of runs | complete |\n|---|---|---|---|---|---|---|---|---|\n",
        f);
  cJSON_ArrayForEach(rep, reports) {
    const cJSON *s = cJSON_GetObjectItem(rep, "summary"), *x = cJSON_GetObjectItem(rep, "security");
    fprintf(f, "| %s |", STR(rep, "name"));
    for (int k = 0; k < 6; k++) fprintf(f, " %d |", NUM(s, V[k]));
    fprintf(f, " %d / %d / %d of %d | %s |\n", NUM(x, "PASS"), NUM(x, "FAIL"), NUM(x, "INFO"),
            NUM(x, "runs"), cJSON_IsFalse(cJSON_GetObjectItem(rep, "complete")) ? "no" : "yes");
  }
  /* areas in order of first appearance */
  cJSON *areas = cJSON_CreateArray(), *seen = cJSON_CreateObject();
  cJSON_ArrayForEach(rep, reports) {
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(rep, "runs")) {
      char a[128];
      area_of(STR(r, "id"), a, sizeof a);
      if (cJSON_GetObjectItem(seen, a)) continue;
      cJSON_AddTrueToObject(seen, a);
      cJSON_AddItemToArray(areas, cJSON_CreateString(a));
    }
  }
  fputs("\n## Counts per area\n\nPassed (PASS, NON-STRICT, INFO) / case-runs; failed (FAIL, "
        "BLOCKED) in bold.\n\n",
        f);
  md_head(f, reports, "| area |");
  const cJSON *a;
  cJSON_ArrayForEach(a, areas) {
    fprintf(f, "| `%s` |", a->valuestring);
    cJSON_ArrayForEach(rep, reports) {
      int ok = 0, bad = 0, n = 0;
      const cJSON *r;
      cJSON_ArrayForEach(r, cJSON_GetObjectItem(rep, "runs")) {
        char ar[128];
        area_of(STR(r, "id"), ar, sizeof ar);
        if (strcmp(ar, a->valuestring) != 0) continue;
        const char *v = STR(r, "verdict");
        n++;
        ok += strcmp(v, "PASS") == 0 || strcmp(v, "NON-STRICT") == 0 || strcmp(v, "INFO") == 0;
        bad += strcmp(v, "FAIL") == 0 || strcmp(v, "BLOCKED") == 0;
      }
      if (!n)
        fputs(" - |", f);
      else if (bad)
        fprintf(f, " %d / %d, **%d failed** |", ok, n, bad);
      else
        fprintf(f, " %d / %d |", ok, n);
    }
    fputc('\n', f);
  }
  cJSON_Delete(areas);
  cJSON_Delete(seen);
  /* the security pack's runs that did not pass everywhere; the case-runs that differ */
  for (int sec = 1; sec >= 0; sec--) {
    fputs(sec ? "\n## Security pack: runs that did not pass everywhere\n\n"
              : "\n## Case-runs whose verdicts differ\n\n",
          f);
    fputs("A verdict is followed by the known deviation that explains it "
          "(`conformance/known-deviations.md`); `-`: not in that report.\n\n",
          f);
    md_head(f, reports, sec ? "| case-run | level | severity |" : "| case-run | level |");
    cJSON *done = cJSON_CreateObject();
    int rows = 0;
    cJSON_ArrayForEach(rep, reports) {
      const cJSON *r;
      cJSON_ArrayForEach(r, cJSON_GetObjectItem(rep, "runs")) {
        const char *run = STR(r, "run");
        int is_sec = STR(r, "family") && strcmp(STR(r, "family"), "security") == 0;
        if (is_sec != sec || cJSON_GetObjectItem(done, run)) continue;
        cJSON_AddTrueToObject(done, run);
        const char *first = NULL;
        int differs = 0, notpass = 0;
        const cJSON *o;
        cJSON_ArrayForEach(o, reports) {
          const cJSON *x = run_of(o, run);
          const char *v = x ? STR(x, "verdict") : "ABSENT";
          if (!first) first = v;
          differs |= strcmp(first, v) != 0;
          notpass |= strcmp(v, "PASS") != 0;
        }
        if (sec ? !notpass : !differs) continue;
        rows++;
        fprintf(f, "| `%s` | %s |", run, STR(r, "level"));
        if (sec) fprintf(f, " %s |", STR(r, "severity") ? STR(r, "severity") : "?");
        cJSON_ArrayForEach(o, reports) md_cell(f, run_of(o, run));
        fputc('\n', f);
      }
    }
    if (!rows) fputs("\n(none)\n", f);
    cJSON_Delete(done);
  }
}

static int usage(FILE *f) {
  fputs("usage: sioconform matrix [--html OUT] [--markdown OUT] [--no-transcripts]\n"
        "                         [NAME=]REPORT.json ...\n"
        "One page of servers x case-runs from sioconform --json reports (one column per\n"
        "report, NAME or the file's base name), grouped like the HTML report, with counts\n"
        "per area and the rows whose verdicts differ highlighted. Prints each server's\n"
        "counts and the differing case-runs. --markdown writes the tables of RESULTS.md;\n"
        "--no-transcripts leaves the wire transcripts out of the page (a smaller file).\n",
        f);
  return 2;
}

int ct_matrix_main(int argc, char **argv, const char *vectors_dir, FILE *out) {
  const char *html = NULL, *md = NULL;
  int no_transcripts = 0;
  cJSON *reports = cJSON_CreateArray();
  int rc = 0;
  for (int i = 1; i < argc && rc == 0; i++) {
    if (strcmp(argv[i], "--html") == 0 && i + 1 < argc) {
      html = argv[++i];
    } else if (strcmp(argv[i], "--markdown") == 0 && i + 1 < argc) {
      md = argv[++i];
    } else if (strcmp(argv[i], "--no-transcripts") == 0) {
      no_transcripts = 1;
    } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(out);
      cJSON_Delete(reports);
      return 0;
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "sioconform matrix: unknown option %s\n", argv[i]);
      rc = usage(stderr);
    } else {
      /* NAME=FILE names the column; a path holding "=" before its last "/" is a path */
      const char *eq = strchr(argv[i], '=');
      const char *slash = strchr(argv[i], '/');
      char *name =
          eq && (!slash || eq < slash) ? ct_xstrndup(argv[i], (size_t)(eq - argv[i])) : NULL;
      char err[512];
      cJSON *j = ct_matrix_load(name ? eq + 1 : argv[i], name, err, sizeof err);
      free(name);
      if (!j) {
        fprintf(stderr, "sioconform matrix: %s\n", err);
        rc = 2;
      } else {
        cJSON_AddItemToArray(reports, j);
      }
    }
  }
  if (rc == 0 && cJSON_GetArraySize(reports) == 0) {
    fprintf(stderr, "sioconform matrix: no report given\n");
    rc = usage(stderr);
  }
  if (rc) {
    cJSON_Delete(reports);
    return rc;
  }
  reports = ct_report_split_protocols(reports);
  const cJSON *rep;
  cJSON_ArrayForEach(rep, reports) {
    const cJSON *s = cJSON_GetObjectItem(rep, "summary"), *x = cJSON_GetObjectItem(rep, "security");
    const cJSON *c = cJSON_GetObjectItem(rep, "complete");
    fprintf(out,
            "%-12s %d PASS, %d FAIL, %d BLOCKED, %d NON-STRICT, %d INFO, %d SKIP; security pack %d "
            "FAIL of %d%s\n",
            cJSON_GetStringValue(cJSON_GetObjectItem(rep, "name")), NUM(s, "PASS"), NUM(s, "FAIL"),
            NUM(s, "BLOCKED"), NUM(s, "NON-STRICT"), NUM(s, "INFO"), NUM(s, "SKIP"), NUM(x, "FAIL"),
            NUM(x, "runs"), cJSON_IsFalse(c) ? " (partial report)" : "");
  }
  size_t total = 0;
  size_t nd = ct_matrix_diff(reports, NULL, &total);
  fprintf(out, "%zu case-runs, %zu with differing verdicts%s\n", total, nd, nd ? ":" : "");
  ct_matrix_diff(reports, out, NULL);
  if (no_transcripts) {
    cJSON_ArrayForEach(rep, reports) {
      cJSON *r;
      cJSON_ArrayForEach(r, cJSON_GetObjectItem(rep, "runs"))
          cJSON_DeleteItemFromObject(r, "transcript");
    }
  }
  if (md) {
    FILE *f = fopen(md, "w");
    if (f) markdown(f, reports);
    if (!f || fclose(f) != 0) {
      fprintf(stderr, "sioconform matrix: cannot write %s\n", md);
      rc = 2;
    }
  }
  if (html) {
    char *tmp = ct_xasprintf("%s.tmp.%ld", html, (long)getpid());
    FILE *f = fopen(tmp, "w");
    char *root = ct_report_docs_root(vectors_dir);
    int w = f ? ct_report_page(f, reports, root) : -1;
    free(root);
    if (f && fclose(f) != 0) w = -1;
    if (w == 0 && rename(tmp, html) == 0) {
      fprintf(stderr, "matrix page: %s\n", html);
    } else {
      fprintf(stderr, "sioconform matrix: cannot write %s\n", html);
      remove(tmp);
      rc = 2;
    }
    free(tmp);
  }
  cJSON_Delete(reports);
  return rc;
}
