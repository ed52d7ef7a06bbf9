/* vectors/errors.json must be the err.h table exactly: same codes, names, sentences,
 * in the same order; and the lookup functions must agree with the table. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sioref/err.h"
#include "vec.h"

static cJSON *load_errors(void) {
  FILE *fp = fopen(SIO_VECTORS_DIR "/errors.json", "rb");
  cr_assert_not_null(fp, "cannot open vectors/errors.json");
  static uint8_t buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf, fp);
  fclose(fp);
  cr_assert_lt(n, sizeof buf, "errors.json is unexpectedly large");
  cJSON *j = vec_parse_json(buf, n);
  cr_assert_not_null(j, "errors.json is not JSON");
  return j;
}

Test(errors, json_equals_table) {
  cJSON *root = load_errors();
  const cJSON *list = cJSON_IsArray(root) ? root : cJSON_GetObjectItemCaseSensitive(root, "errors");
  cr_assert(cJSON_IsArray(list), "errors.json: expected an array of {code, name, text}");
  cr_assert_eq(cJSON_GetArraySize(list), ref_err_count(), "errors.json has %d entries, err.h %d",
               cJSON_GetArraySize(list), ref_err_count());
  int i = 0;
  for (const cJSON *e = list->child; e; e = e->next, i++) {
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(e, "text");
    cr_assert(cJSON_IsNumber(code) && cJSON_IsString(name) && cJSON_IsString(text), "entry %d", i);
    cr_assert_eq(cJSON_GetArraySize(e), 3, "entry %d has extra members", i);
    int c = ref_err_at(i);
    cr_assert_eq((int)code->valuedouble, c, "entry %d: code %g, err.h %d", i, code->valuedouble, c);
    cr_assert_str_eq(name->valuestring, ref_err_name(c), "entry %d", i);
    cr_assert_str_eq(text->valuestring, ref_err_text(c), "entry %d", i);
  }
  cJSON_Delete(root);
}

Test(errors, table_is_consistent) {
  int n = ref_err_count();
  cr_assert_gt(n, 0);
  for (int i = 0; i < n; i++) {
    int c = ref_err_at(i);
    cr_assert_lt(c, 0);
    /* layered ranges: local misuse, Engine.IO peer, Socket.IO peer, fatal */
    cr_assert((c >= -99) || (c <= -100 && c >= -199) || (c <= -200 && c >= -299) || c <= -900, "%d",
              c);
    const char *name = ref_err_name(c);
    cr_assert_not_null(name);
    cr_assert_not_null(ref_err_text(c));
    cr_assert_eq(ref_err_from_name(name), c, "%s", name);
    for (const char *p = name; *p; p++)
      cr_assert((*p >= 'a' && *p <= 'z') || *p == '-' || (*p >= '0' && *p <= '9'));
    for (int k = 0; k < i; k++) {
      cr_assert_neq(ref_err_at(k), c, "code %d twice", c);
      cr_assert_str_neq(ref_err_name(ref_err_at(k)), name, "name %s twice", name);
    }
  }
  cr_assert_str_eq(ref_err_name(0), "ok");
  cr_assert_not_null(ref_err_text(0));
  cr_assert_null(ref_err_name(-12345));
  cr_assert_null(ref_err_text(7));
  cr_assert_eq(ref_err_from_name("no-such-error"), 1);
  cr_assert_eq(ref_err_from_name(NULL), 1);
  cr_assert_eq(ref_err_at(-1), 1);
  cr_assert_eq(ref_err_at(n), 1);
}
