/* The socket loop of the client checker (cs_drive.h): poll() over the listening socket,
 * the client's connections and the client's stdout/stderr pipes; bytes go to the core,
 * the core's bytes go back out, and the core's events join the process's own (lines,
 * exit) in one ordered list. Every wait is bounded by the caller's deadline. */
#define _GNU_SOURCE
#include "cs_drive.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void add_event(cs_drive *d, const cs_event *e) {
  if (d->nev == d->cap) {
    d->cap = d->cap ? 2 * d->cap : 32;
    d->ev = ct_xrealloc(d->ev, d->cap * sizeof *d->ev);
    d->used = ct_xrealloc(d->used, d->cap);
  }
  d->ev[d->nev] = *e;
  d->used[d->nev++] = 0;
}

static void add_simple(cs_drive *d, int kind, const char *text) {
  cs_event e;
  memset(&e, 0, sizeof e);
  e.kind = (cs_ev_kind)kind;
  e.conn = -1;
  e.len = strlen(text);
  e.data = ct_xstrdup(text);
  e.at = ct_now_ms();
  add_event(d, &e);
}

int cs_drive_listen(cs_drive *d, const cs_opts *o) {
  memset(d, 0, sizeof *d);
  d->pid = -1;
  d->out_fd = d->err_fd = -1;
  for (int i = 0; i < CS_MAX_CONNS; i++) d->fd[i] = -1;
  d->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (d->lfd < 0) return -1;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t al = sizeof a;
  if (bind(d->lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(d->lfd, 16) < 0 ||
      getsockname(d->lfd, (struct sockaddr *)&a, &al) < 0) {
    close(d->lfd);
    d->lfd = -1;
    return -1;
  }
  d->port = ntohs(a.sin_port);
  d->core = cs_core_new(o);
  return 0;
}

/* ARG with every "{url}" replaced by URL (caller frees). */
static char *subst(const char *arg, const char *url) {
  ct_buf b = {0};
  const char *p = arg, *q;
  while ((q = strstr(p, "{url}"))) {
    ct_buf_add(&b, p, (size_t)(q - p));
    ct_buf_adds(&b, url);
    p = q + 5;
  }
  ct_buf_adds(&b, p);
  return ct_buf_steal(&b);
}

int cs_drive_spawn(cs_drive *d, char *const *argv, const char *url, char *const *env) {
  size_t na = 0, ne = 0, nenv = 0;
  while (argv[na]) na++;
  while (env && env[ne]) ne++;
  while (environ[nenv]) nenv++;
  /* everything the child needs is built before fork: after it, only exec */
  char **av = ct_xmalloc((na + 1) * sizeof *av);
  for (size_t i = 0; i < na; i++) av[i] = subst(argv[i], url);
  av[na] = NULL;
  char **ev = ct_xmalloc((nenv + ne + 1) * sizeof *ev);
  size_t k = 0;
  for (size_t i = 0; i < nenv; i++) {
    int over = 0;
    for (size_t j = 0; j < ne; j++) {
      const char *eq = strchr(env[j], '=');
      size_t l = eq ? (size_t)(eq - env[j]) + 1 : strlen(env[j]);
      if (strncmp(environ[i], env[j], l) == 0) over = 1;
    }
    if (!over) ev[k++] = environ[i];
  }
  for (size_t j = 0; j < ne; j++) ev[k++] = env[j];
  ev[k] = NULL;
  int po[2], pe[2];
  if (pipe2(po, O_CLOEXEC) < 0) goto fail;
  if (pipe2(pe, O_CLOEXEC) < 0) {
    close(po[0]);
    close(po[1]);
    goto fail;
  }
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0); /* its own group: the whole client (a wrapper shell included) ends by
                    * this PID */
    /* the harness's job threads block SIGINT/SIGTERM and it ignores SIGPIPE: a child
     * inherits both across exec, and a client that does not reset them itself (python)
     * would outlive the harness's SIGTERM by the full second before SIGKILL */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(po[1], 1);
    dup2(pe[1], 2);
    execve(av[0], av, ev);
    if (!strchr(av[0], '/')) execvpe(av[0], av, ev);
    _exit(127);
  }
  if (devnull >= 0) close(devnull);
  close(po[1]);
  close(pe[1]);
  if (pid < 0) {
    close(po[0]);
    close(pe[0]);
    goto fail;
  }
  setpgid(pid, pid); /* also here: no race with an early kill */
  d->pid = pid;
  d->out_fd = po[0];
  d->err_fd = pe[0];
  fcntl(d->out_fd, F_SETFL, O_NONBLOCK);
  fcntl(d->err_fd, F_SETFL, O_NONBLOCK);
  for (size_t i = 0; i < na; i++) free(av[i]);
  free(av);
  free(ev);
  return 0;
fail:
  for (size_t i = 0; i < na; i++) free(av[i]);
  free(av);
  free(ev);
  return -1;
}

/* Complete stdout lines become CS_EV_LINE events. */
static void split_lines(cs_drive *d, int at_eof) {
  for (;;) {
    /* nothing read yet: no buffer at all (memchr must not see NULL) */
    unsigned char *nl = d->out.len ? memchr(d->out.data, '\n', d->out.len) : NULL;
    if (!nl && !(at_eof && d->out.len)) return;
    size_t l = nl ? (size_t)(nl - d->out.data) : d->out.len;
    size_t cut = l;
    if (cut && d->out.data[cut - 1] == '\r') cut--;
    char *line = ct_xstrndup((const char *)d->out.data, cut);
    add_simple(d, CS_EV_LINE, line);
    free(line);
    ct_buf_consume(&d->out, nl ? l + 1 : l);
  }
}

static void read_pipe(cs_drive *d, int *fd, ct_buf *b, int is_out) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n > 0) {
      /* a client that floods its output is cut, not allowed to eat memory */
      if (b->len < 1024 * 1024) ct_buf_add(b, buf, (size_t)n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    close(*fd);
    *fd = -1;
    break;
  }
  if (is_out) split_lines(d, *fd < 0);
}

static void reap(cs_drive *d) {
  if (d->pid <= 0 || d->exited) return;
  int st;
  if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
    d->exited = 1;
    char t[64];
    if (WIFEXITED(st))
      snprintf(t, sizeof t, "status %d", WEXITSTATUS(st));
    else
      snprintf(t, sizeof t, "signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    add_simple(d, CS_EV_EXIT, t);
  }
}

static void close_conn(cs_drive *d, int c) {
  if (d->fd[c] >= 0) close(d->fd[c]);
  d->fd[c] = -1;
  cs_core_closed(d->core, c);
}

/* Write what the core has for every connection, and close the ones it is done with. */
static void flush_out(cs_drive *d) {
  for (int c = 0; c < CS_MAX_CONNS; c++) {
    if (d->fd[c] < 0) continue;
    const unsigned char *p;
    size_t n;
    while ((n = cs_core_output(d->core, c, &p)) > 0) {
      ssize_t w = send(d->fd[c], p, n, MSG_NOSIGNAL);
      if (w <= 0) break;
      cs_core_written(d->core, c, (size_t)w);
    }
    if (cs_core_should_close(d->core, c) || !cs_core_conn_open(d->core, c)) close_conn(d, c);
  }
}

static size_t drain_core(cs_drive *d) {
  size_t n = 0;
  cs_event e;
  while (cs_core_next_event(d->core, &e)) {
    add_event(d, &e);
    n++;
  }
  return n;
}

int cs_drive_pump(cs_drive *d, int64_t deadline) {
  size_t start = d->nev;
  for (;;) {
    flush_out(d);
    drain_core(d);
    reap(d);
    if (d->nev > start) return (int)(d->nev - start);
    int64_t now = ct_now_ms();
    if (now >= deadline) return 0;
    struct pollfd pf[CS_MAX_CONNS + 3];
    int map[CS_MAX_CONNS + 3];
    int n = 0;
    if (d->lfd >= 0) {
      pf[n] = (struct pollfd){d->lfd, POLLIN, 0};
      map[n++] = -1;
    }
    if (d->out_fd >= 0) {
      pf[n] = (struct pollfd){d->out_fd, POLLIN, 0};
      map[n++] = -2;
    }
    if (d->err_fd >= 0) {
      pf[n] = (struct pollfd){d->err_fd, POLLIN, 0};
      map[n++] = -3;
    }
    for (int c = 0; c < CS_MAX_CONNS; c++)
      if (d->fd[c] >= 0) {
        const unsigned char *p;
        short evs = POLLIN;
        if (cs_core_output(d->core, c, &p) > 0) evs |= POLLOUT;
        pf[n] = (struct pollfd){d->fd[c], evs, 0};
        map[n++] = c;
      }
    /* the process's exit is polled (no SIGCHLD handler in a threaded harness): wake at
     * least every 50 ms */
    int64_t wait = deadline - now;
    if (wait > 50) wait = 50;
    int rc = poll(pf, (nfds_t)n, (int)wait);
    if (rc < 0 && errno != EINTR) return 0;
    if (rc <= 0) continue;
    int64_t t = ct_now_ms();
    for (int i = 0; i < n; i++) {
      if (!pf[i].revents) continue;
      if (map[i] == -1) {
        int fd = accept4(d->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
          int c = cs_core_accept(d->core);
          if (c < 0)
            close(fd);
          else
            d->fd[c] = fd;
        }
      } else if (map[i] == -2) {
        read_pipe(d, &d->out_fd, &d->out, 1);
      } else if (map[i] == -3) {
        read_pipe(d, &d->err_fd, &d->err, 0);
      } else {
        int c = map[i];
        if (d->fd[c] < 0) continue;
        if (pf[i].revents & (POLLIN | POLLHUP | POLLERR)) {
          unsigned char buf[16384];
          ssize_t r = recv(d->fd[c], buf, sizeof buf, 0);
          if (r > 0) {
            cs_core_input(d->core, c, buf, (size_t)r, t);
          } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
            cs_core_eof(d->core, c, t);
            close(d->fd[c]);
            d->fd[c] = -1;
          }
        }
      }
    }
  }
}

void cs_drive_vanish(cs_drive *d) {
  cs_core_drop(d->core);
  for (int c = 0; c < CS_MAX_CONNS; c++)
    if (d->fd[c] >= 0) close_conn(d, c);
  if (d->lfd >= 0) close(d->lfd);
  d->lfd = -1;
}

void cs_drive_stop(cs_drive *d) {
  if (d->pid > 0 && !d->exited) {
    kill(-d->pid, SIGTERM);
    int64_t end = ct_now_ms() + 1000;
    while (!d->exited && ct_now_ms() < end) {
      int st;
      if (waitpid(d->pid, &st, WNOHANG) == d->pid)
        d->exited = 1;
      else
        ct_sleep_ms(10);
    }
    if (!d->exited) {
      kill(-d->pid, SIGKILL);
      waitpid(d->pid, NULL, 0);
      d->exited = 1;
    }
  }
  /* the group may outlive its leader (a wrapper's children): end it as well */
  if (d->pid > 0) kill(-d->pid, SIGKILL);
  if (d->out_fd >= 0) close(d->out_fd);
  if (d->err_fd >= 0) close(d->err_fd);
  for (int c = 0; c < CS_MAX_CONNS; c++)
    if (d->fd[c] >= 0) close(d->fd[c]);
  if (d->lfd >= 0) close(d->lfd);
  for (size_t i = 0; i < d->nev; i++) free(d->ev[i].data);
  free(d->ev);
  free(d->used);
  ct_buf_free(&d->out);
  ct_buf_free(&d->err);
  cs_core_free(d->core);
  memset(d, 0, sizeof *d);
  d->pid = -1;
  d->lfd = d->out_fd = d->err_fd = -1;
}
