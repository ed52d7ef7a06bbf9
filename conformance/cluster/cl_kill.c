/* Stopping a node for the failover case (cl_kill.h). */
#include "cl_kill.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ct_http.h"
#include "ct_util.h"

int cl_pid_running(pid_t pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  /* "PID (comm) S ...": the state follows the last ')' */
  const char *p = strrchr(buf, ')');
  return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* Run /bin/sh -c CMD, at most 10 s; its exit status, or -1 (could not run, or overran:
 * then that shell, our child, is killed). */
static int run_cmd(const char *cmd) {
  pid_t c = fork();
  if (c < 0) return -1;
  if (c == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < 1000; i++) {
    int st;
    pid_t w = waitpid(c, &st, WNOHANG);
    if (w == c) return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (w < 0 && errno != EINTR) return -1;
    ct_sleep_ms(10);
  }
  kill(-c, SIGKILL); /* its own process group, made above */
  waitpid(c, NULL, 0);
  return -1;
}

int cl_kill_node(pid_t pid, const char *cmd, const char *host, int port, int wait_ms, char *why,
                 size_t whylen, char *log, size_t loglen) {
  if (pid > 0) {
    if (!cl_pid_running(pid)) {
      snprintf(why, whylen, "pid %d (--kill) is not running", (int)pid);
      return -1;
    }
    if (kill(pid, SIGKILL) != 0) {
      snprintf(why, whylen, "kill -KILL %d: %s", (int)pid, strerror(errno));
      return -1;
    }
    snprintf(log, loglen, "sent SIGKILL to pid %d", (int)pid);
  } else {
    int st = run_cmd(cmd);
    if (st != 0) {
      snprintf(why, whylen, "--kill-cmd \"%s\" %s", cmd,
               st < 0 ? "did not run or overran 10 s" : "exited with a non-zero status");
      return -1;
    }
    snprintf(log, loglen, "ran \"%s\" (exit 0)", cmd);
  }
  int64_t deadline = ct_now_ms() + wait_ms;
  for (;;) {
    int fd = ct_tcp_connect(host, port, 200);
    if (fd < 0) return 0;
    ct_tcp_close(fd);
    if (ct_now_ms() >= deadline) break;
    ct_sleep_ms(50);
  }
  snprintf(why, whylen, "the node %s:%d still accepts connections %d ms after it was stopped", host,
           port, wait_ms);
  return -1;
}
