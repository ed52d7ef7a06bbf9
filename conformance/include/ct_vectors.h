/* Cases generated from the codec vectors (vectors.c): every invalid wire form of
 * vectors/eio/invalid.json and vectors/sio/invalid.json becomes a case at load time. */
#ifndef CT_VECTORS_H
#define CT_VECTORS_H

#include <stddef.h>

#include "ct_case.h"

/* Append the vector families under VECTORS_DIR to CS; -1 with ERR filled. */
int ct_vectors_load(ct_cases *cs, const char *vectors_dir, char *err, size_t errlen);

#endif
