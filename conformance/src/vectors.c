/* Families of live cases generated from the codec vectors. */
#include "ct.h"

int ct_vectors_load(ct_cases *cs, const char *vectors_dir, char *err, size_t errlen) {
  (void)cs; (void)vectors_dir; (void)err; (void)errlen;
  return 0;
}
