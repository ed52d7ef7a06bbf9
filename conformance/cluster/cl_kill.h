/* Stopping a node for the failover case (cl_kill.c): SIGKILL to the PID given with
 * --kill, or the command given with --kill-cmd, then a bounded wait until the node no
 * longer accepts connections. Only the PID the user named is signalled; the command runs
 * in a process of its own, which is the only one killed when it overruns. */
#ifndef CL_KILL_H
#define CL_KILL_H

#include <stddef.h>
#include <sys/types.h>

/* Stop the node at HOST:PORT: SIGKILL to PID when PID > 0, else run /bin/sh -c CMD (10 s
 * at most, exit status 0 required). Then wait up to WAIT_MS for HOST:PORT to refuse
 * connections. 0, or -1 with the reason in WHY. A log of what was done goes to LOG. */
int cl_kill_node(pid_t pid, const char *cmd, const char *host, int port, int wait_ms, char *why,
                 size_t whylen, char *log, size_t loglen);

/* Is PID a running process (not a zombie)? 1 yes, 0 no. */
int cl_pid_running(pid_t pid);

#endif
