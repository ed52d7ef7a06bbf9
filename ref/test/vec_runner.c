/* The vector suites' shared tally and folder driver (see vec_runner.h). */
#include "vec_runner.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "vec.h"

void fail(runner *r, const char *fmt, ...) {
  r->entry_failed = true;
  if (r->quiet) return;
  va_list ap;
  va_start(ap, fmt);
  printf("  FAIL %s %s: ", r->file, r->id);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
}

int runner_run_file(runner *r, const char *path, runner_entry_fn entry) {
  vec_file f;
  char err[512];
  if (vec_file_load(path, &f, err, sizeof err) != 0) {
    printf("  MALFORMED %s\n", err);
    return -1;
  }
  r->file = path;
  for (int i = 0; i < f.count; i++) entry(r, &f.entries[i]);
  vec_file_free(&f);
  return 0;
}

int runner_run_text(runner *r, const char *name, const char *text, runner_file_fn run_file) {
  char dir[] = "/tmp/sioconform-vec-XXXXXX";
  cr_assert_not_null(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *fp = fopen(path, "w");
  cr_assert_not_null(fp);
  fputs(text, fp);
  fclose(fp);
  int rc = run_file(r, path);
  unlink(path);
  rmdir(dir);
  return rc;
}

void runner_every_file(const char *dir, const char *const *expected, size_t n,
                       runner_file_fn run_file, const char *label) {
  for (size_t i = 0; i < n; i++) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, expected[i]);
    cr_expect_eq(access(p, R_OK), 0, "missing vector file %s", p);
  }
  char **paths;
  int files = vec_list_dir(dir, &paths);
  cr_assert_geq(files, 0, "cannot read %s", dir);
  runner r = {0};
  int malformed = 0;
  for (int i = 0; i < files; i++) {
    int before = r.run, bf = r.failed;
    if (run_file(&r, paths[i]) != 0)
      malformed++;
    else
      printf("  %s: %d run, %d failed\n", paths[i], r.run - before, r.failed - bf);
  }
  vec_paths_free(paths, files);
  printf("vectors: %d run, %d failed (%s, %d files, %d malformed)\n", r.run, r.failed, label, files,
         malformed);
  fflush(stdout);
  cr_assert_eq(malformed, 0);
  cr_assert_gt(r.run, 0, "no vectors ran");
  cr_assert_eq(r.failed, 0);
}
