/* The error table's lookup functions: code <-> vector name <-> sentence. */
#include "sioref/err.h"

#include <string.h>

typedef struct err_entry {
  int code;
  const char *name;
  const char *text;
} err_entry;

static const err_entry err_table[] = {
#define REF_ERR_ROW_(sym, code, name, text) {(code), (name), (text)},
    REF_ERR_TABLE(REF_ERR_ROW_)
#undef REF_ERR_ROW_
};

#define ERR_TABLE_LEN ((int)(sizeof err_table / sizeof err_table[0]))

static const err_entry *err_find(int code) {
  for (int i = 0; i < ERR_TABLE_LEN; i++)
    if (err_table[i].code == code) return &err_table[i];
  return NULL;
}

const char *ref_err_name(int code) {
  if (code == REF_OK) return "ok";
  const err_entry *e = err_find(code);
  return e ? e->name : NULL;
}

const char *ref_err_text(int code) {
  if (code == REF_OK) return "success";
  const err_entry *e = err_find(code);
  return e ? e->text : NULL;
}

int ref_err_from_name(const char *name) {
  if (!name) return 1;
  for (int i = 0; i < ERR_TABLE_LEN; i++)
    if (strcmp(err_table[i].name, name) == 0) return err_table[i].code;
  return 1;
}

int ref_err_count(void) { return ERR_TABLE_LEN; }

int ref_err_at(int i) { return (i >= 0 && i < ERR_TABLE_LEN) ? err_table[i].code : 1; }
