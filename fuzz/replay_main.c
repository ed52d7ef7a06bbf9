/* Replay driver: a main() for fuzz targets built without libFuzzer, so every normal
 * build (gcc or clang) re-runs the generated seeds and the committed reproducers.
 *
 * Usage: <target> [-flag ...] PATH...
 * Each PATH is a file (one input) or a directory (every regular file in it, in name
 * order, recursing into subdirectories). Arguments starting with '-' are ignored so
 * the same command line works for a libFuzzer build (e.g. "-runs=0").
 * Every input is copied into a buffer of exactly its size, so AddressSanitizer sees
 * any read past the end. Exit status: 0 when at least one input ran and none failed
 * (a failing oracle aborts), 2 on a usage or I/O error or when no input was found. */
#include "fuzz_check.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

static size_t replayed;

/* Read PATH whole into a malloc'd buffer of exactly its size (NULL-safe for an empty
 * file: returns a 1-byte allocation and *len = 0). Caller frees. NULL on error. */
static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *buf = NULL;
  size_t cap = 0, n = 0;
  for (;;) {
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 4096;
      uint8_t *nb = realloc(buf, ncap);
      if (!nb) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    free(buf);
    return NULL;
  }
  /* Exact-size copy: the fuzz target must not read beyond SIZE. */
  uint8_t *exact = malloc(n ? n : 1);
  if (exact && n) memcpy(exact, buf, n);
  free(buf);
  *len = n;
  return exact;
}

static int run_file(const char *path) {
  size_t len = 0;
  uint8_t *buf = read_file(path, &len);
  if (!buf) {
    fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
    return -1;
  }
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  replayed++;
  return 0;
}

static int name_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path);

static int run_dir(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue; /* ".", ".." and hidden files such as .gitkeep */
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **nn = realloc(names, cap * sizeof *names);
      if (!nn) {
        rc = -1;
        break;
      }
      names = nn;
    }
    size_t sz = strlen(path) + strlen(e->d_name) + 2;
    names[n] = malloc(sz);
    if (!names[n]) {
      rc = -1;
      break;
    }
    snprintf(names[n], sz, "%s/%s", path, e->d_name);
    n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, name_cmp);
  for (size_t i = 0; i < n; i++) {
    if (rc == 0 && run_path(names[i]) != 0) rc = -1;
    free(names[i]);
  }
  free(names);
  return rc;
}

static int run_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "replay: cannot stat %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (S_ISDIR(st.st_mode)) return run_dir(path);
  if (S_ISREG(st.st_mode)) return run_file(path);
  return 0; /* sockets, fifos: not inputs */
}

int main(int argc, char **argv) {
  int paths = 0;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-') continue; /* libFuzzer flags: meaningless here */
    paths++;
    if (run_path(argv[i]) != 0) return 2;
  }
  if (paths == 0) {
    fprintf(stderr, "usage: %s [-flag ...] FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  printf("replay: %zu inputs ran without a finding\n", replayed);
  if (replayed == 0) {
    fprintf(stderr, "replay: no inputs found (were the seeds generated?)\n");
    return 2;
  }
  return 0;
}
