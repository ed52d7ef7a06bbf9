/* The cluster run's context (cl_ctx.h). */
#include "cl_ctx.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ct_discover.h"

cl_ctx *cl_ctx_of(const ct_run *r) {
  /* cfg is the context's first member (C11 6.7.2.1: a pointer to a struct, suitably
   * converted, points to its first member, and back) */
  return (cl_ctx *)(void *)r->cfg;
}

void cl_ctx_init(cl_ctx *x, const cl_opts *o, const char *vectors_dir) {
  memset(x, 0, sizeof *x);
  x->n = o->n;
  for (int i = 0; i < o->n; i++) {
    cl_node *nd = &x->nodes[i];
    snprintf(nd->url, sizeof nd->url, "%s", o->urls[i]);
    snprintf(nd->host, sizeof nd->host, "%s", o->nodes[i].host);
    nd->port = o->nodes[i].port;
    ct_config *c = &nd->cfg;
    snprintf(c->host, sizeof c->host, "%s", nd->host);
    c->port = nd->port;
    c->sio_path = o->sio_path;
    c->eio_path = "/engine.io/";
    c->tscale = o->tscale;
    c->vectors_dir = vectors_dir;
    c->jobs = 1;
  }
  x->cfg = x->n ? x->nodes[0].cfg : (ct_config){0};
  x->cfg.sio_path = o->sio_path;
  x->cfg.eio_path = "/engine.io/";
  x->cfg.tscale = o->tscale;
  x->cfg.strict = o->strict;
  x->cfg.verbose = o->verbose;
  x->cfg.vectors_dir = vectors_dir;
  /* one run at a time: a broadcast reaches every client of the cluster, and the failover
   * case, last in the plan, stops a node for good */
  x->cfg.jobs = 1;
  if (o->has_via) {
    x->has_via = 1;
    snprintf(x->via_host, sizeof x->via_host, "%s", o->via.host);
    x->via_port = o->via.port;
    snprintf(x->via_url, sizeof x->via_url, "%s", o->via_url);
  }
  x->kill_node = o->kill_node;
  x->kill_pid = o->kill_pid;
  x->kill_cmd = o->kill_cmd;
  x->idle_ms = o->idle_ms;
}

int cl_ctx_discover(cl_ctx *x) {
  for (int i = 0; i < x->n; i++) {
    char why[600];
    if (ct_discover(&x->nodes[i].cfg, why, sizeof why) != 0) {
      fprintf(stderr, "sioconform cluster: node %d (%s): %s\n", i + 1, x->nodes[i].url, why);
      return -1;
    }
  }
  return 0;
}

void cl_ctx_free(cl_ctx *x) {
  for (int i = 0; i < x->n; i++) {
    cJSON_Delete(x->nodes[i].cfg.extensions);
    x->nodes[i].cfg.extensions = NULL;
  }
}

int cl_node_has(const cl_ctx *x, int i, const char *name) {
  const cJSON *e;
  cJSON_ArrayForEach(e, x->nodes[i].cfg.extensions) {
    if (cJSON_IsString(e) && strcmp(e->valuestring, name) == 0) return 1;
  }
  return 0;
}

int cl_first_with(const cl_ctx *x, const char *name) {
  for (int i = 0; i < x->n; i++)
    if (!x->nodes[i].down && cl_node_has(x, i, name)) return i;
  return -1;
}
