/* The built-in target: sioref started as a child process when no URL is given. */
#include "ct_sioref_child.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ct_url.h"

#ifndef CT_DEFAULT_SIOREF
#define CT_DEFAULT_SIOREF ""
#endif

/* Start sioref on a free loopback port and read its "listening on" line. */
pid_t ct_sioref_start(const char *bin, ct_config *cfg) {
  int pfd[2];
  if (pipe(pfd) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(pfd[1], 1);
    close(pfd[0]);
    close(pfd[1]);
    /* the contract timings (build/CONTRACT.txt); under --eio 3/all and --parser msgpack the
     * reference serves those protocols too (issue 14: sioref --allow-eio3, --parser) */
    const char *argv[20] = {bin,         "--host",
                            "127.0.0.1", "--port",
                            "0",         "--ping-interval",
                            "300",       "--ping-timeout",
                            "200",       "--connect-timeout",
                            "1000"};
    int n = 11;
    if (cfg->protocols & CT_P_EIO3) argv[n++] = "--allow-eio3";
    /* one sioref speaks one parser: msgpack when it is the only one asked for (under
     * --parser all the msgpack runs are then SKIP, the parser not offered) */
    if (cfg->protocols == CT_P_MSGPACK) {
      argv[n++] = "--parser";
      argv[n++] = "msgpack";
    }
    /* compression (spec/engine.io-v4.md section 13): sioref's permessage-deflate is off
     * by default, as the official server's; on here so the eio.compress.ws.* cases check
     * it (polling bodies are coded by default, above 1024 bytes) */
    argv[n++] = "--ws-compression";
    argv[n++] = "on";
    argv[n] = NULL;
    execv(bin, (char *const *)argv);
    _exit(127);
  }
  close(pfd[1]);
  FILE *f = fdopen(pfd[0], "r");
  char line[256];
  int ok = 0;
  if (f && fgets(line, sizeof line, f)) {
    char *u = strstr(line, "http://");
    if (strncmp(line, "listening on ", 13) == 0 && u) {
      u[strcspn(u, "\r\n")] = 0;
      ct_url pu;
      char perr[300];
      ok = ct_url_parse(u, &pu, perr, sizeof perr) == 0;
      if (ok) {
        memcpy(cfg->host, pu.host, sizeof cfg->host);
        cfg->port = pu.port;
      }
    }
  }
  if (f) fclose(f);
  if (!ok) {
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return -1;
  }
  return pid;
}

const char *ct_sioref_find(const char *opt) {
  if (opt) return opt;
  const char *e = getenv("SIOCONFORM_SIOREF");
  if (e && *e) return e;
  static char path[4096];
  /* next to our own build directory: build/<dir>/conformance/sioconform ->
   * build/<dir>/ref/sioref */
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
  if (n > 0) {
    path[n] = 0;
    char *s = strrchr(path, '/');
    if (s) {
      *s = 0;
      s = strrchr(path, '/');
      if (s) {
        strcpy(s, "/ref/sioref");
        if (access(path, X_OK) == 0) return path;
      }
    }
  }
  if (*CT_DEFAULT_SIOREF && access(CT_DEFAULT_SIOREF, X_OK) == 0) return CT_DEFAULT_SIOREF;
  return NULL;
}

void ct_sioref_stop(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
}
