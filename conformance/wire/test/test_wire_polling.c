/* wire_polling: records split on 0x1e, empty records kept, the 'b' binary marker. */
#include <criterion/criterion.h>

#include "wire_polling.h"
#include "wire_test_util.h"

typedef struct {
  char raw[64];
  char data[64];
  int binary;
} rec_t;

static size_t split(const char *s, size_t n, rec_t *out, size_t cap) {
  unsigned char *b = n ? exact(s, n) : NULL;
  wire_polling_iter it;
  wire_polling_begin(&it, b, n);
  wire_polling_rec r;
  size_t k = 0;
  while (wire_polling_next(&it, &r)) {
    cr_assert_lt(k, cap);
    snprintf(out[k].raw, sizeof out[k].raw, "%.*s", (int)r.raw.len, (const char *)r.raw.p);
    snprintf(out[k].data, sizeof out[k].data, "%.*s", (int)r.data.len, (const char *)r.data.p);
    out[k].binary = r.binary;
    k++;
  }
  cr_assert_eq(wire_polling_next(&it, &r), 0); /* stays at the end */
  free(b);
  return k;
}

Test(wire_polling, split_records) {
  rec_t r[8];
  const char s[] = "4hello\x1e"
                   "bAQID\x1e"
                   "2";
  cr_assert_eq(split(s, sizeof s - 1, r, 8), 3);
  cr_assert_str_eq(r[0].raw, "4hello");
  cr_assert(!r[0].binary);
  cr_assert_str_eq(r[1].raw, "bAQID");
  cr_assert_str_eq(r[1].data, "AQID");
  cr_assert(r[1].binary);
  cr_assert_str_eq(r[2].data, "2");
}

Test(wire_polling, empty_records_are_kept) {
  rec_t r[8];
  cr_assert_eq(split("", 0, r, 8), 1);
  cr_assert_str_eq(r[0].raw, "");
  cr_assert_eq(split("\x1e", 1, r, 8), 2);
  cr_assert_eq(split("4a\x1e\x1e", 4, r, 8), 3);
  cr_assert_str_eq(r[0].raw, "4a");
  cr_assert_str_eq(r[1].raw, "");
  cr_assert_str_eq(r[2].raw, "");
}

Test(wire_polling, lone_b_is_binary_and_empty) {
  rec_t r[8];
  cr_assert_eq(split("b", 1, r, 8), 1);
  cr_assert(r[0].binary);
  cr_assert_str_eq(r[0].data, "");
  cr_assert_eq(split("4b", 2, r, 8), 1); /* 'b' only counts in first place */
  cr_assert(!r[0].binary);
}
