/* Unit tests for the live fuzzer's mutator and corpus: the same seed gives the same
 * bytes, different seeds differ, every operation stays in bounds (exact-size heap
 * copies so ASan catches any stray read) and under CT_FZ_MAX, and the vector corpus
 * loads with both Engine.IO and Socket.IO seeds. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ct_fuzz_live.h"

/* A heap copy of exactly N bytes (no slack), so an over-read is an ASan error. */
static unsigned char *exact(const char *s, size_t n) {
  unsigned char *p = malloc(n ? n : 1);
  if (n) memcpy(p, s, n);
  return p;
}

Test(fuzz_live, deterministic_for_a_seed) {
  const char *in = "42[\"message\",\"hello\",{\"a\":1}]";
  const char *other = "451-[\"b\",{\"_placeholder\":true,\"num\":0}]";
  for (uint64_t seed = 0; seed < 200; seed++) {
    uint64_t s1 = seed, s2 = seed;
    ct_buf a = {0}, b = {0};
    for (int k = 0; k < 5; k++) {
      unsigned o1 = ct_fz_mutate(&s1, (const unsigned char *)in, strlen(in),
                                 (const unsigned char *)other, strlen(other), &a);
      unsigned o2 = ct_fz_mutate(&s2, (const unsigned char *)in, strlen(in),
                                 (const unsigned char *)other, strlen(other), &b);
      cr_assert_eq(o1, o2);
      cr_assert_eq(a.len, b.len, "seed %llu", (unsigned long long)seed);
      cr_assert(a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
    }
    cr_assert_eq(s1, s2);
    ct_buf_free(&a);
    ct_buf_free(&b);
  }
}

Test(fuzz_live, seeds_differ_and_every_op_is_used) {
  const char *in = "0{\"sid\":\"abc\",\"pingInterval\":300}";
  unsigned all = 0;
  int differ = 0;
  ct_buf a = {0}, b = {0};
  for (uint64_t seed = 1; seed < 500; seed++) {
    uint64_t s1 = seed, s2 = seed + 1000;
    all |= ct_fz_mutate(&s1, (const unsigned char *)in, strlen(in), NULL, 0, &a);
    ct_fz_mutate(&s2, (const unsigned char *)in, strlen(in), NULL, 0, &b);
    differ += a.len != b.len || memcmp(a.data, b.data, a.len) != 0;
  }
  cr_assert_eq(all, 0x3fu, "operations used: %#x", all);
  cr_assert_gt(differ, 400);
  ct_buf_free(&a);
  ct_buf_free(&b);
}

Test(fuzz_live, in_bounds_for_tiny_and_empty_inputs) {
  const char *samples[] = {"", "4", "2probe", "\x1e", "bAQIDBA==", "99999999999999999999"};
  ct_buf out = {0};
  for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
    for (size_t j = 0; j < sizeof samples / sizeof *samples; j++) {
      size_t li = strlen(samples[i]), lj = strlen(samples[j]);
      unsigned char *a = exact(samples[i], li), *b = exact(samples[j], lj);
      for (uint64_t seed = 0; seed < 300; seed++) {
        uint64_t s = seed * 7919 + i * 31 + j;
        ct_fz_mutate(&s, li ? a : NULL, li, lj ? b : NULL, lj, &out);
        cr_assert_leq(out.len, (size_t)CT_FZ_MAX);
        cr_assert(out.len == 0 || out.data[out.len] == 0, "buffer stays NUL-terminated");
      }
      free(a);
      free(b);
    }
  }
  ct_buf_free(&out);
}

Test(fuzz_live, output_is_capped) {
  /* repeated duplication and digit growth on a large input never pass the cap */
  size_t n = CT_FZ_MAX - 10;
  unsigned char *big = malloc(n);
  memset(big, '7', n);
  ct_buf out = {0};
  for (uint64_t seed = 0; seed < 100; seed++) {
    uint64_t s = seed;
    ct_fz_mutate(&s, big, n, big, n, &out);
    cr_assert_leq(out.len, (size_t)CT_FZ_MAX);
  }
  ct_buf_free(&out);
  free(big);
}

Test(fuzz_live, corpus_loads_both_protocols) {
  ct_fz_corpus c = {0};
  char err[256];
  cr_assert_eq(ct_fz_corpus_load(&c, SIO_VECTORS_DIR, err, sizeof err), 0, "%s", err);
  size_t eio = 0, sio = 0, bin = 0;
  for (size_t i = 0; i < c.n; i++) {
    if (c.v[i].sio) {
      sio++;
      /* Socket.IO text seeds ride in an Engine.IO message */
      if (!c.v[i].binary) cr_assert_eq(c.v[i].data.data[0], '4');
    } else {
      eio++;
    }
    bin += c.v[i].binary;
  }
  cr_assert_gt(eio, 100);
  cr_assert_gt(sio, 200);
  cr_assert_gt(bin, 10);
  ct_fz_corpus_free(&c);
  ct_fz_corpus d = {0};
  cr_assert_eq(ct_fz_corpus_load(&d, "/nonexistent-dir", err, sizeof err), -1);
  ct_fz_corpus_free(&d);
}
