/* TLS targets (https://, wss://; issue 16, item 3 "Reach"): the one seam between the
 * harness's sockets and OpenSSL. The harness keeps speaking in plain file descriptors
 * (ct_tcp_connect, ct_send_all, ct_recv_some, ct_tcp_close in ct_http.h); when a TLS
 * target is configured, every connection ct_tcp_connect opens is wrapped in a TLS
 * session kept here under its fd, and http.c reads and writes through it. Without a TLS
 * target nothing here is consulted, so plain runs go through the socket calls as before.
 * Thread-safe: runs on several threads (--jobs) each use their own fds. */
#ifndef CT_TLS_H
#define CT_TLS_H

#include <stddef.h>

/* Configure TLS for every later connection: verify the server's chain against the
 * system's trust store plus CA_FILE (NULL: none) and its name against the host
 * connected to (a DNS name, or an IP address against the certificate's IP SANs);
 * INSECURE accepts any certificate (no chain, no name check). Returns 0, or -1 with one
 * line in ERR (CA_FILE unreadable, no PEM certificate in it). */
int ct_tls_setup(int insecure, const char *ca_file, char *err, size_t errlen);

/* Is a TLS target configured (ct_tls_setup succeeded)? */
int ct_tls_on(void);

/* Free the configuration and every session left (the end of the process). */
void ct_tls_cleanup(void);

/* Run the TLS handshake on connected non-blocking socket FD to HOST within TIMEOUT_MS
 * and keep the session under FD. Returns 0, or -1 (the reason in ct_tls_error(); FD is
 * left to the caller to close). */
int ct_tls_client(int fd, const char *host, int timeout_ms);

/* Why this thread's last ct_tls_client failed ("" when it did not), one line with the
 * way out, e.g. "certificate verification failed: self-signed certificate (trust its
 * CA with --ca FILE, or accept any certificate with --insecure)". */
const char *ct_tls_error(void);

/* Is FD a TLS session of ours? */
int ct_tls_has(int fd);

/* Like send(2) / recv(2) on FD's session, for http.c. Returns bytes (> 0); 0 (recv
 * only) at the end of the stream (close_notify, or the peer's FIN); -1 when it would
 * block, *EVENTS then says what to poll for (POLLIN or POLLOUT: a TLS write may need a
 * read first, and the reverse); -2 on an error (reset, a broken record). */
long ct_tls_send(int fd, const void *p, size_t len, short *events);
long ct_tls_recv(int fd, void *buf, size_t cap, short *events);

/* End the sending side: a close_notify alert, then shutdown(SHUT_WR) (TLS 1.3 allows
 * reading after one's own close_notify, RFC 8446 6.1). Returns 0 or -1. */
int ct_tls_shutdown_wr(int fd);

/* Forget FD's session (freed; no close_notify is sent: the harness closes connections
 * abruptly on purpose as often as politely, and a plain close(2) follows). */
void ct_tls_forget(int fd);

#endif
