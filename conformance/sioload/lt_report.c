/* The table and the JSON (see lt_report.h). */
#include "lt_report.h"

#include <string.h>

#include "lt_run.h"

static void fmt_us(char *out, size_t cap, uint64_t us, bool have) {
  if (!have)
    snprintf(out, cap, "-");
  else if (us < 10000)
    snprintf(out, cap, "%.3f ms", (double)us / 1000.0);
  else
    snprintf(out, cap, "%.1f ms", (double)us / 1000.0);
}

static void fmt_pct(char *out, size_t cap, double v) {
  if (v < 0)
    snprintf(out, cap, "-");
  else
    snprintf(out, cap, "%.0f%%", v);
}

static void fmt_us_op(char *out, size_t cap, double v) {
  if (v < 0)
    snprintf(out, cap, "-");
  else if (v < 100)
    snprintf(out, cap, "%.2f", v);
  else
    snprintf(out, cap, "%.0f", v);
}

/* One table line: the fixed columns, then CPU shares and CPU per operation. */
static void table_line(FILE *f, const lt_result *r, const char *val, const char *a, const char *b,
                       const char *c) {
  char sc[16], vc[16], oc[16], so[24], vo[24];
  fmt_pct(sc, sizeof sc, r->self_cpu);
  fmt_pct(oc, sizeof oc, r->other_cpu);
  fmt_pct(vc, sizeof vc, r->server_cpu);
  fmt_us_op(vo, sizeof vo, r->op ? r->srv_us_per_op : -1);
  fmt_us_op(so, sizeof so, r->op ? r->self_us_per_op : -1);
  fprintf(f, "%-30s %7u %22s %10s %10s %10s %8s %8s %8s %10s %10s\n", r->title, r->clients, val, a,
          b, c, sc, vc, oc, vo, so);
}

void lt_report_table(FILE *f) {
  fprintf(f, "\nsioload %s over %s, %u clients%s\n", sl.o.url,
          sl.o.transport == LT_POLLING ? "polling" : "websocket", sl.o.clients,
          sl.aborted ? " (ABORTED by --duration or signal)" : "");
  fprintf(f, "%-30s %7s %22s %10s %10s %10s %8s %8s %8s %10s %10s\n", "phase", "clients", "result",
          "p50", "p99", "p99.9", "sioload", "server", "others", "srv us/op", "load us/op");
  for (size_t i = 0; i < sl.n_res; i++) {
    const lt_result *r = &sl.res[i];
    char val[64], a[24], b[24], c[24];
    if (strcmp(r->phase, "idle") == 0) {
      if (r->srv_rss_after >= 0)
        snprintf(val, sizeof val, "%.1f KiB/client", r->srv_kib_per_client);
      else
        snprintf(val, sizeof val, "(no --server-pid)");
      table_line(f, r, val, "-", "-", "-");
      if (r->srv_rss_after >= 0)
        fprintf(f, "    server RSS %.1f -> %.1f MiB", r->srv_rss_before / 1024.0,
                r->srv_rss_after / 1024.0);
      fprintf(f, "%s sioload %.1f KiB/client (RSS %.1f MiB)\n", r->srv_rss_after >= 0 ? ";" : "   ",
              r->self_kib_per_client, r->self_rss_after / 1024.0);
      continue;
    }
    snprintf(val, sizeof val, "%.0f %s", r->rate, r->unit ? r->unit : "");
    if (strcmp(r->phase, "broadcast") == 0) {
      fmt_us(a, sizeof a, r->first_p50, r->rounds > 0);
      fmt_us(b, sizeof b, r->last_p50, r->rounds > 0);
      fmt_us(c, sizeof c, r->last_p99, r->rounds > 0);
      table_line(f, r, "first/last p50", a, b, c);
      fprintf(f,
              "    %u rounds, %u incomplete, %llu clients dropped; columns: first delivery p50, "
              "last delivery p50, last p99 (over rounds)\n",
              r->rounds, r->incomplete, (unsigned long long)r->failed);
      continue;
    }
    fmt_us(a, sizeof a, r->p50, r->has_lat);
    fmt_us(b, sizeof b, r->p99, r->has_lat);
    fmt_us(c, sizeof c, r->p999, r->has_lat);
    table_line(f, r, val, a, b, c);
    if (r->failed || r->lost)
      fprintf(f, "    %s %llu, lost %llu\n",
              strcmp(r->phase, "echo") == 0 ? "clients dropped" : "failed",
              (unsigned long long)r->failed, (unsigned long long)r->lost);
  }
  fprintf(f, "CPU columns: percent of one core over the measured window (sioload: getrusage; "
             "server: /proc/PID/stat utime+stime; others: every other process, /proc/stat).\n"
             "us/op: CPU microseconds per operation in the window (echo: per ack; fan-out: per "
             "delivery; ramp, churn: per connect), server and sioload apart.\n");
  for (size_t i = 0; i < 8 && sl.err_name[i]; i++)
    fprintf(f, "client errors: %llu x %s\n", (unsigned long long)sl.err_count[i], sl.err_name[i]);
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    if ((unsigned char)*s >= 0x20) fputc(*s, f);
  }
  fputc('"', f);
}

int lt_report_json(const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fprintf(f, "{\"tool\":\"sioload\",\"format\":1,\"label\":");
  json_str(f, sl.o.label);
  fprintf(f, ",\"url\":");
  json_str(f, sl.o.url);
  fprintf(f, ",\"transport\":\"%s\",\"clients\":%u,\"aborted\":%s,\"last_error\":",
          sl.o.transport == LT_POLLING ? "polling" : "websocket", sl.o.clients,
          sl.aborted ? "true" : "false");
  if (sl.last_error)
    json_str(f, sl.last_error);
  else
    fprintf(f, "null");
  fprintf(f, ",\"errors\":{");
  for (size_t i = 0; i < 8 && sl.err_name[i]; i++) {
    fprintf(f, "%s", i ? "," : "");
    json_str(f, sl.err_name[i]);
    fprintf(f, ":%llu", (unsigned long long)sl.err_count[i]);
  }
  fprintf(f, "},\"phases\":[");
  for (size_t i = 0; i < sl.n_res; i++) {
    const lt_result *r = &sl.res[i];
    fprintf(f, "%s\n {\"phase\":\"%s\",\"title\":", i ? "," : "", r->phase);
    json_str(f, r->title);
    fprintf(f, ",\"clients\":%u,\"param\":%u,\"seconds\":%.3f,\"count\":%llu,\"rate\":%.1f",
            r->clients, r->param, r->seconds, (unsigned long long)r->count, r->rate);
    fprintf(f, ",\"failed\":%llu,\"lost\":%llu", (unsigned long long)r->failed,
            (unsigned long long)r->lost);
    if (r->has_lat)
      fprintf(f, ",\"latency_us\":{\"p50\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu}",
              (unsigned long long)r->p50, (unsigned long long)r->p99, (unsigned long long)r->p999,
              (unsigned long long)r->max);
    if (strcmp(r->phase, "broadcast") == 0)
      fprintf(f,
              ",\"rounds\":%u,\"incomplete\":%u,\"first_p50_us\":%llu,\"last_p50_us\":%llu,"
              "\"last_p99_us\":%llu,\"last_max_us\":%llu",
              r->rounds, r->incomplete, (unsigned long long)r->first_p50,
              (unsigned long long)r->last_p50, (unsigned long long)r->last_p99,
              (unsigned long long)r->last_max);
    if (strcmp(r->phase, "idle") == 0) {
      fprintf(f, ",\"server_rss_kib\":[%ld,%ld],\"sioload_rss_kib\":[%ld,%ld]", r->srv_rss_before,
              r->srv_rss_after, r->self_rss_before, r->self_rss_after);
      if (r->srv_rss_after >= 0)
        fprintf(f, ",\"server_kib_per_client\":%.2f", r->srv_kib_per_client);
      fprintf(f, ",\"sioload_kib_per_client\":%.2f", r->self_kib_per_client);
    }
    if (r->op) {
      /* Raw CPU window and CPU per operation; the server's from its utime + stime only. */
      fprintf(f, ",\"cpu_us\":{\"wall\":%llu,\"sioload\":%llu,\"server\":",
              (unsigned long long)r->cpu_wall_us, (unsigned long long)r->self_cpu_us);
      if (r->srv_cpu_ok)
        fprintf(f, "%llu", (unsigned long long)r->srv_cpu_us);
      else
        fprintf(f, "null");
      /* The server's figure moves in clock ticks: short windows are coarse. */
      fprintf(f, ",\"server_tick\":%llu}", (unsigned long long)lt_cpu_tick_us());
      fprintf(f, ",\"cpu_us_per_op\":{\"op\":\"%s\",\"server\":", r->op);
      if (r->srv_us_per_op >= 0)
        fprintf(f, "%.3f", r->srv_us_per_op);
      else
        fprintf(f, "null");
      if (r->self_us_per_op >= 0)
        fprintf(f, ",\"sioload\":%.3f}", r->self_us_per_op);
      else
        fprintf(f, ",\"sioload\":null}");
    }
    fprintf(f, ",\"cpu_pct\":{\"sioload\":%.1f,\"server\":", r->self_cpu);
    if (r->server_cpu >= 0)
      fprintf(f, "%.1f", r->server_cpu);
    else
      fprintf(f, "null");
    if (r->other_cpu >= 0)
      fprintf(f, ",\"others\":%.1f}}", r->other_cpu);
    else
      fprintf(f, ",\"others\":null}}");
  }
  fprintf(f, "\n]}\n");
  return fclose(f);
}
