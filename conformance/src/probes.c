/* C probes: cases the step language cannot say because they need two requests in
 * flight at a chosen byte boundary. EIO-TR-7: a second concurrent POST is answered
 * 400 and closes the session. */
#include "ct_probes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct_client.h"

/* EIO-TR-7: the first POST announces a body and sends only part of it, so it is
 * certainly still open when the second POST arrives complete. */
static void probe_concurrent_post(ct_run *r) {
  ct_conn *a = ct_open(r, "a", CT_TR_POLLING, NULL, NULL);
  if (!a) return;
  a->bg = 0;
  const char *host = r->cfg->host;
  int port = r->cfg->port;
  char *target = ct_xasprintf("%s?EIO=4&transport=polling&sid=%s", a->path, a->sid);
  int fd = ct_tcp_connect(host, port, ct_ms(r, 2000));
  if (fd < 0) {
    ct_fail(r, NULL, "connect failed", "cannot open the first POST");
    free(target);
    return;
  }
  ct_buf head = {0};
  ct_buf_printf(&head,
                "POST %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n"
                "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 12\r\n\r\n4first",
                target, host, port);
  ct_log(r, "-> a POST #1 headers + 6 of 12 body bytes (held open)");
  ct_send_all(fd, head.data, head.len, ct_ms(r, 2000));
  ct_buf_free(&head);
  ct_sleep_ms(ct_ms(r, 50));
  ct_http_req req = {.method = "POST",
                     .target = target,
                     .headers = "Content-Type: text/plain;charset=UTF-8\r\n",
                     .body = (const unsigned char *)"4second",
                     .body_len = 7};
  ct_http_resp resp;
  ct_log(r, "-> a POST #2 \"4second\" while #1 is open");
  int rc = ct_http_do(host, port, &req, ct_ms(r, 3000), &resp);
  int status = rc == 1 ? resp.status : 0;
  if (rc == 1) ct_http_resp_free(&resp);
  ct_log(r, "<- a POST #2 status %d", status);
  /* finish the first POST so the server is not left waiting */
  ct_send_all(fd, "-rest", 6, ct_ms(r, 1000));
  ct_http_call first = {fd, {0}, 0};
  int frc = ct_http_wait(&first, &resp, ct_ms(r, 1000));
  if (frc == 1) {
    ct_log(r, "<- a POST #1 status %d", resp.status);
    ct_http_resp_free(&resp);
  }
  ct_http_cancel(&first);
  free(target);
  if (status != 400) {
    char got[32];
    snprintf(got, sizeof got, status ? "HTTP %d" : "no response", status);
    ct_fail(r, "HTTP 400 for the second POST", got, "concurrent POST was not refused");
    return;
  }
  if (!ct_poll_gone(a, ct_ms(r, 1000), 0)) {
    ct_fail(r, "the session closed", "still open", "session survived a concurrent POST");
    return;
  }
  ct_pass(r);
}

void ct_probes_register(ct_cases *cs) {
  ct_case *c = ct_cases_add(cs, "eio.polling.concurrent-post",
                            "a second POST while one is open is refused with 400 and closes "
                            "the session",
                            "EIO-TR-7", CT_MUST, CT_TR_POLLING, 0, NULL);
  c->probe = probe_concurrent_post;
  c->source = ct_xstrdup("conformance/src/probes.c");
}
