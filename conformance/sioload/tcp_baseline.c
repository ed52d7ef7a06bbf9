/* sioload-tcp-baseline: the machine's ceiling for small request/response round trips on
 * loopback (a forked epoll echo server and an epoll client, 32-byte messages), measured
 * in the same ci/bench run as the Socket.IO servers so their acks/s can be read against
 * what the kernel and the CPUs allow at that moment. No Socket.IO, no spec tags.
 * Usage: sioload-tcp-baseline [--inflight LIST] [--seconds S] [--json FILE] */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG_BYTES 32
#define MAX_CONNS 1000

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The echo server: every byte read is written back (child process, killed by parent). */
static void echo_server(int lfd) {
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, evs[256];
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  char buf[65536];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, 1000);
    if (getppid() == 1) _exit(0); /* the parent is gone: never outlive it */
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == lfd) {
        int c = accept(lfd, NULL, NULL);
        if (c < 0) continue;
        int one = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        continue;
      }
      ssize_t r = read(fd, buf, sizeof buf);
      if (r <= 0) {
        close(fd);
        continue;
      }
      for (ssize_t off = 0; off < r;) { /* blocking socket: small writes complete */
        ssize_t w = write(fd, buf + off, (size_t)(r - off));
        if (w <= 0) break;
        off += w;
      }
    }
  }
}

/* K connections with one message each in flight for SECS; returns round trips/s. */
static double ping_pong(const struct sockaddr_in *sa, int k, double secs) {
  int ep = epoll_create1(0);
  int fds[MAX_CONNS];
  char msg[MSG_BYTES], buf[4096];
  size_t got[MAX_CONNS];
  memset(msg, 'x', sizeof msg);
  for (int i = 0; i < k; i++) {
    fds[i] = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fds[i], (const struct sockaddr *)sa, sizeof *sa) < 0) return -1;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    got[i] = 0;
    if (write(fds[i], msg, sizeof msg) != (ssize_t)sizeof msg) return -1;
  }
  unsigned long long trips = 0;
  double t0 = now_s(), start = t0 + 0.3, end = start + secs;
  bool counting = false;
  struct epoll_event evs[256];
  for (;;) {
    double t = now_s();
    if (!counting && t >= start) {
      counting = true;
      trips = 0;
    }
    if (t >= end) break;
    int n = epoll_wait(ep, evs, 256, 100);
    for (int e = 0; e < n; e++) {
      int i = (int)evs[e].data.u32;
      ssize_t r = read(fds[i], buf, sizeof buf);
      if (r <= 0) return -1;
      got[i] += (size_t)r;
      while (got[i] >= MSG_BYTES) { /* a whole echo came back: send the next one */
        got[i] -= MSG_BYTES;
        trips++;
        if (write(fds[i], msg, sizeof msg) != (ssize_t)sizeof msg) return -1;
      }
    }
  }
  double rate = (double)trips / (now_s() - start);
  for (int i = 0; i < k; i++) close(fds[i]);
  close(ep);
  return rate;
}

int main(int argc, char **argv) {
  int ks[8] = {1, 100}, nk = 2;
  double secs = 2;
  const char *json = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--inflight") == 0 && i + 1 < argc) {
      nk = 0;
      for (char *s = argv[++i]; *s && nk < 8;) {
        ks[nk++] = (int)strtol(s, &s, 10);
        if (*s == ',') s++;
      }
    } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      secs = atof(argv[++i]);
    } else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      json = argv[++i];
    } else {
      fprintf(stderr, "usage: sioload-tcp-baseline [--inflight 1,100] [--seconds S] [--json F]\n");
      return 2;
    }
  }
  for (int i = 0; i < nk; i++)
    if (ks[i] < 1 || ks[i] > MAX_CONNS) return 2;
  if (secs <= 0 || secs > 60) return 2;
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t sl = sizeof sa;
  if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 1024) < 0 ||
      getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
    perror("sioload-tcp-baseline");
    return 2;
  }
  pid_t child = fork();
  if (child < 0) return 2;
  if (child == 0) echo_server(lfd);
  close(lfd);
  FILE *out = json ? fopen(json, "w") : NULL;
  if (out)
    fprintf(out, "{\"tool\":\"sioload-tcp-baseline\",\"msg_bytes\":%d,\"results\":[", MSG_BYTES);
  int rc = 0;
  for (int i = 0; i < nk; i++) {
    double r = ping_pong(&sa, ks[i], secs);
    if (r < 0) rc = 1;
    printf("loopback TCP ping-pong, %d in flight: %.0f round trips/s\n", ks[i], r);
    if (out) fprintf(out, "%s{\"inflight\":%d,\"rate\":%.1f}", i ? "," : "", ks[i], r);
  }
  if (out) {
    fprintf(out, "]}\n");
    fclose(out);
  }
  kill(child, SIGTERM);
  waitpid(child, NULL, 0);
  return rc;
}
