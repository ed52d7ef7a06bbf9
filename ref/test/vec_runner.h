/* What the Engine.IO and Socket.IO vector suites share: the per-run tally, failure
 * reporting, and the driver that runs every file of a vectors/ folder. */
#ifndef SIOREF_TEST_VEC_RUNNER_H
#define SIOREF_TEST_VEC_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct runner {
  const char *file; /* for messages */
  const char *id;
  int run, failed;
  bool entry_failed;
  bool quiet; /* self-tests of the runner: failures are expected, do not print them */
} runner;

/* Mark the current entry failed and, unless R is quiet, print why (printf format). */
void fail(runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs one file into R; returns 0, or -1 when the file is malformed. */
typedef int (*runner_file_fn)(runner *r, const char *path);

struct vec_entry;
/* Checks one entry into R. */
typedef void (*runner_entry_fn)(runner *r, const struct vec_entry *e);

/* The plain form of a runner_file_fn: load PATH and check each entry with ENTRY in order;
 * 0, or -1 (printed as MALFORMED) when the file does not load. */
int runner_run_file(runner *r, const char *path, runner_entry_fn entry);

/* The runner's self-tests: TEXT written to a fresh temporary file named NAME (some suites
 * read the file name, e.g. invalid.json), run into R with RUN_FILE, and removed; returns
 * RUN_FILE's result. */
int runner_run_text(runner *r, const char *name, const char *text, runner_file_fn run_file);

/* Criterion body of an "every file" test: checks that each of the N EXPECTED file names
 * exists in DIR, runs RUN_FILE over every .json file there, prints per-file and total
 * counts (LABEL names the protocol), and asserts no malformed file, at least one vector,
 * and no failure. */
void runner_every_file(const char *dir, const char *const *expected, size_t n,
                       runner_file_fn run_file, const char *label);

#endif
