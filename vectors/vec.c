/* The vector file loader: reads a vectors/ JSON file with cJSON, checks it against the
 * format of vectors/README.md and decodes every wire message to bytes. */
#include "vec.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || !errlen) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

char *vec_read_file(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    size_t got = fread(buf + n, 1, cap - n, fp);
    n += got;
    if (n < cap) break;
    char *bigger = realloc(buf, cap * 2 + 1);
    if (!bigger) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  if (buf && ferror(fp)) {
    free(buf);
    buf = NULL;
  }
  fclose(fp);
  if (buf) {
    buf[n] = '\0';
    *len = n;
  }
  return buf;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int vec_hex_decode(const char *hex, uint8_t **out, size_t *len) {
  size_t n = strlen(hex);
  if (n % 2) return -1;
  uint8_t *b = malloc(n / 2 + 1);
  if (!b) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      free(b);
      return -1;
    }
    b[i] = (uint8_t)(hi << 4 | lo);
  }
  b[n / 2] = 0;
  *out = b;
  *len = n / 2;
  return 0;
}

void vec_hex_encode(const uint8_t *in, size_t len, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * len] = '\0';
}

/* cJSON ends a string at U+0000, so "a\u0000b" would load as "a". Before parsing,
 * every \u0000 escape in the text becomes the escape of VEC_NUL_MARK (U+F0000, private
 * use); vec_str_bytes() and vec_print_json() map it back. */
static const char nul_escape_mark[] = "\\udb80\\udc00";

static bool is_nul_escape(const char *p, const char *end) {
  return end - p >= 6 && p[0] == '\\' && p[1] == 'u' && p[2] == '0' && p[3] == '0' && p[4] == '0' &&
         p[5] == '0';
}

static bool holds_mark(const char *p, size_t len) {
  for (size_t i = 0; i + 4 <= len; i++)
    if (memcmp(p + i, VEC_NUL_MARK, 4) == 0) return true;
  for (size_t i = 0; i + 12 <= len; i++)
    if (strncasecmp(p + i, nul_escape_mark, 12) == 0 && (i == 0 || p[i - 1] != '\\')) return true;
  return false;
}

/* A NUL-terminated copy of TEXT/LEN with \u0000 escapes replaced (see above). */
static char *mark_nuls(const char *text, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len;) {
    if (is_nul_escape(text + i, text + len))
      n++, i += 6;
    else
      i += (text[i] == '\\' && i + 1 < len) ? 2 : 1;
  }
  char *out = malloc(len + n * 6 + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    if (is_nul_escape(text + i, text + len)) {
      memcpy(out + o, nul_escape_mark, 12);
      o += 12;
      i += 6;
    } else if (text[i] == '\\' && i + 1 < len) {
      out[o++] = text[i++];
      out[o++] = text[i++];
    } else {
      out[o++] = text[i++];
    }
  }
  out[o] = '\0';
  return out;
}

int vec_str_bytes(const char *s, uint8_t **out, size_t *len) {
  size_t n = strlen(s), o = 0;
  uint8_t *b = malloc(n + 1);
  if (!b) return -1;
  for (size_t i = 0; i < n;) {
    if (n - i >= 4 && memcmp(s + i, VEC_NUL_MARK, 4) == 0) {
      b[o++] = 0;
      i += 4;
    } else {
      b[o++] = (uint8_t)s[i++];
    }
  }
  b[o] = 0;
  *out = b;
  *len = o;
  return 0;
}

char *vec_print_json(const cJSON *j) {
  char *p = cJSON_PrintUnformatted(j);
  if (!p) return NULL;
  size_t n = strlen(p), marks = 0;
  for (size_t i = 0; i + 4 <= n; i++)
    if (memcmp(p + i, VEC_NUL_MARK, 4) == 0) marks++;
  if (!marks) return p;
  char *out = malloc(n + marks * 2 + 1);
  size_t o = 0;
  for (size_t i = 0; out && i < n;) {
    if (n - i >= 4 && memcmp(p + i, VEC_NUL_MARK, 4) == 0) {
      memcpy(out + o, "\\u0000", 6); /* as JSON.stringify writes U+0000 */
      o += 6;
      i += 4;
    } else {
      out[o++] = p[i++];
    }
  }
  if (out) out[o] = '\0';
  cJSON_free(p);
  return out;
}

cJSON *vec_parse_json(const uint8_t *buf, size_t len) {
  if (holds_mark((const char *)buf, len)) return NULL;
  char *scratch = mark_nuls((const char *)buf, len); /* also the NUL-terminated copy */
  if (!scratch) return NULL;
  cJSON *j = cJSON_ParseWithOpts(scratch, NULL, 1);
  free(scratch);
  return j;
}

/* One wire message object: exactly one of "text" (string) and "hex" (hex string). */
static int load_msg(const cJSON *m, vec_msg *out, char *why, size_t whylen) {
  if (!cJSON_IsObject(m) || cJSON_GetArraySize(m) != 1) {
    snprintf(why, whylen, "a wire message must be an object with one member, text or hex");
    return -1;
  }
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "text");
  const cJSON *h = cJSON_GetObjectItemCaseSensitive(m, "hex");
  if (cJSON_IsString(t)) {
    out->hex = false;
    return vec_str_bytes(t->valuestring, &out->bytes, &out->len);
  }
  if (cJSON_IsString(h)) {
    if (vec_hex_decode(h->valuestring, &out->bytes, &out->len) != 0) {
      snprintf(why, whylen, "bad hex \"%s\"", h->valuestring);
      return -1;
    }
    out->hex = true;
    return 0;
  }
  snprintf(why, whylen, "a wire message needs a string \"text\" or \"hex\"");
  return -1;
}

static const char *const known_keys[] = {"id",        "reqs",   "note",    "dir",   "wire",
                                         "transport", "packet", "packets", "error", "opts",
                                         "upstream",  "binary", "content"};
static const char *const known_opts[] = {"maxPayload", "maxPackets", "maxAttachments",
                                         "maxJsonDepth"};

static bool in_list(const char *s, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(s, list[i]) == 0) return true;
  return false;
}

/* [a-z0-9]+(-[a-z0-9]+)* */
static bool is_kebab(const char *s) {
  bool prev_dash = true; /* no leading dash */
  for (const char *p = s; *p; p++) {
    bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
    if (!alnum && (*p != '-' || prev_dash)) return false;
    prev_dash = *p == '-';
  }
  return *s && !prev_dash;
}

/* Check and load entry J into E; WHY gets the reason on failure. */
static int load_entry(const cJSON *j, vec_entry *e, char *why, size_t whylen) {
  if (!cJSON_IsObject(j)) return snprintf(why, whylen, "entry is not an object"), -1;
  for (const cJSON *k = j->child; k; k = k->next)
    if (!in_list(k->string, known_keys, sizeof known_keys / sizeof known_keys[0]))
      return snprintf(why, whylen, "unknown member \"%s\"", k->string), -1;
  e->json = j;
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
  if (!cJSON_IsString(id) || !is_kebab(id->valuestring))
    return snprintf(why, whylen, "missing or non-kebab-case id"), -1;
  e->id = id->valuestring;
  const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(j, "reqs");
  if (!cJSON_IsArray(reqs) || cJSON_GetArraySize(reqs) == 0)
    return snprintf(why, whylen, "reqs must be a non-empty array"), -1;
  for (const cJSON *r = reqs->child; r; r = r->next)
    if (!cJSON_IsString(r)) return snprintf(why, whylen, "reqs must hold strings"), -1;
  e->reqs = reqs;
  const cJSON *note = cJSON_GetObjectItemCaseSensitive(j, "note");
  if (!cJSON_IsString(note) || !note->valuestring[0])
    return snprintf(why, whylen, "note must be a non-empty string"), -1;
  e->note = note->valuestring;
  const cJSON *dir = cJSON_GetObjectItemCaseSensitive(j, "dir");
  if (!cJSON_IsString(dir)) return snprintf(why, whylen, "dir must be a string"), -1;
  if (strcmp(dir->valuestring, "both") == 0)
    e->dir = VEC_DIR_BOTH;
  else if (strcmp(dir->valuestring, "decode") == 0)
    e->dir = VEC_DIR_DECODE;
  else if (strcmp(dir->valuestring, "encode") == 0)
    e->dir = VEC_DIR_ENCODE;
  else
    return snprintf(why, whylen, "unknown dir \"%s\"", dir->valuestring), -1;
  const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "transport");
  if (tr) {
    if (!cJSON_IsString(tr) ||
        (strcmp(tr->valuestring, "websocket") != 0 && strcmp(tr->valuestring, "polling") != 0))
      return snprintf(why, whylen, "transport must be \"websocket\" or \"polling\""), -1;
    e->transport = tr->valuestring;
  }
  const cJSON *ct = cJSON_GetObjectItemCaseSensitive(j, "content");
  if (ct) {
    if (!cJSON_IsString(ct) ||
        (strcmp(ct->valuestring, "text") != 0 && strcmp(ct->valuestring, "binary") != 0))
      return snprintf(why, whylen, "content must be \"text\" or \"binary\""), -1;
    e->content = ct->valuestring;
  }
  e->packet = cJSON_GetObjectItemCaseSensitive(j, "packet");
  e->packets = cJSON_GetObjectItemCaseSensitive(j, "packets");
  const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
  int outcomes = !!e->packet + !!e->packets + !!err;
  if (outcomes != 1)
    return snprintf(why, whylen, "needs exactly one of packet, packets, error"), -1;
  if (e->packet && !cJSON_IsObject(e->packet))
    return snprintf(why, whylen, "packet must be an object"), -1;
  if (e->packets && !cJSON_IsArray(e->packets))
    return snprintf(why, whylen, "packets must be an array"), -1;
  if (err) {
    if (!cJSON_IsString(err) || !is_kebab(err->valuestring))
      return snprintf(why, whylen, "error must be a kebab-case name"), -1;
    if (e->dir != VEC_DIR_DECODE)
      return snprintf(why, whylen, "an error entry must have dir decode"), -1;
    e->error = err->valuestring;
  }
  e->binary = cJSON_GetObjectItemCaseSensitive(j, "binary");
  if (e->binary) {
    if (!cJSON_IsArray(e->binary)) return snprintf(why, whylen, "binary must be an array"), -1;
    for (const cJSON *b = e->binary->child; b; b = b->next) {
      uint8_t *tmp;
      size_t n;
      if (!cJSON_IsString(b) || vec_hex_decode(b->valuestring, &tmp, &n) != 0)
        return snprintf(why, whylen, "binary must hold hex strings"), -1;
      free(tmp);
    }
  }
  e->opts = cJSON_GetObjectItemCaseSensitive(j, "opts");
  if (e->opts) {
    if (!cJSON_IsObject(e->opts)) return snprintf(why, whylen, "opts must be an object"), -1;
    for (const cJSON *o = e->opts->child; o; o = o->next) {
      if (!in_list(o->string, known_opts, sizeof known_opts / sizeof known_opts[0]))
        return snprintf(why, whylen, "unknown option \"%s\"", o->string), -1;
      if (!cJSON_IsNumber(o) || o->valuedouble < 0 ||
          o->valuedouble != (double)(long long)o->valuedouble)
        return snprintf(why, whylen, "option \"%s\" must be a non-negative integer", o->string), -1;
    }
  }
  e->upstream = cJSON_GetObjectItemCaseSensitive(j, "upstream");
  if (e->upstream) {
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(e->upstream, "result");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(e->upstream, "why");
    if (!cJSON_IsObject(e->upstream) || !res || !cJSON_IsString(w))
      return snprintf(why, whylen, "upstream must be {\"result\":..., \"why\": \"...\"}"), -1;
  }
  const cJSON *wire = cJSON_GetObjectItemCaseSensitive(j, "wire");
  if (!wire) return snprintf(why, whylen, "missing wire"), -1;
  e->wire_is_list = cJSON_IsArray(wire);
  size_t n = e->wire_is_list ? (size_t)cJSON_GetArraySize(wire) : 1;
  if (n == 0) return snprintf(why, whylen, "empty wire list"), -1;
  e->wire = calloc(n, sizeof *e->wire);
  if (!e->wire) return snprintf(why, whylen, "out of memory"), -1;
  e->nwire = n;
  const cJSON *m = e->wire_is_list ? wire->child : wire;
  for (size_t i = 0; i < n; i++, m = m->next)
    if (load_msg(m, &e->wire[i], why, whylen) != 0) return -1;
  return 0;
}

static void free_entries(vec_file *f) {
  for (int i = 0; i < f->count; i++) {
    for (size_t k = 0; k < f->entries[i].nwire; k++) free(f->entries[i].wire[k].bytes);
    free(f->entries[i].wire);
  }
  free(f->entries);
}

void vec_file_free(vec_file *f) {
  if (!f) return;
  if (f->entries) free_entries(f);
  cJSON_Delete(f->root);
  free(f->text);
  free(f->path);
  memset(f, 0, sizeof *f);
}

int vec_file_load(const char *path, vec_file *f, char *err, size_t errlen) {
  memset(f, 0, sizeof *f);
  size_t len = 0;
  f->path = strdup(path);
  f->text = vec_read_file(path, &len);
  if (!f->path || !f->text) {
    set_err(err, errlen, "%s: cannot read", path);
    vec_file_free(f);
    return -1;
  }
  if (strlen(f->text) != len) {
    set_err(err, errlen, "%s: holds a NUL byte", path);
    vec_file_free(f);
    return -1;
  }
  if (holds_mark(f->text, len)) {
    set_err(err, errlen, "%s: holds U+F0000, which the loader reserves", path);
    vec_file_free(f);
    return -1;
  }
  char *marked = mark_nuls(f->text, len);
  f->root = marked ? cJSON_ParseWithOpts(marked, NULL, 1) : NULL;
  free(marked);
  const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(f->root, "format");
  const cJSON *about = cJSON_GetObjectItemCaseSensitive(f->root, "about");
  const cJSON *vecs = cJSON_GetObjectItemCaseSensitive(f->root, "vectors");
  if (!cJSON_IsObject(f->root) || !cJSON_IsNumber(fmt) || fmt->valuedouble != 1 ||
      !cJSON_IsString(about) || !cJSON_IsArray(vecs)) {
    set_err(err, errlen,
            "%s: not a format-1 vector file (JSON object with format 1, about, vectors)", path);
    vec_file_free(f);
    return -1;
  }
  f->about = about->valuestring;
  int n = cJSON_GetArraySize(vecs);
  f->entries = calloc(n ? (size_t)n : 1, sizeof *f->entries);
  if (!f->entries) {
    set_err(err, errlen, "%s: out of memory", path);
    vec_file_free(f);
    return -1;
  }
  const cJSON *j = vecs->child;
  for (int i = 0; i < n; i++, j = j->next) {
    char why[256] = "";
    f->count = i + 1; /* so a partly loaded entry is freed */
    f->entries[i].index = i;
    if (load_entry(j, &f->entries[i], why, sizeof why) != 0) {
      const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
      set_err(err, errlen, "%s: entry %d (%s): %s", path, i,
              cJSON_IsString(id) ? id->valuestring : "no id", why);
      vec_file_free(f);
      return -1;
    }
    for (int k = 0; k < i; k++)
      if (strcmp(f->entries[k].id, f->entries[i].id) == 0) {
        set_err(err, errlen, "%s: duplicate id \"%s\"", path, f->entries[i].id);
        vec_file_free(f);
        return -1;
      }
  }
  f->count = n;
  return 0;
}

long long vec_opt(const vec_entry *e, const char *name, long long dflt) {
  const cJSON *o = e->opts ? cJSON_GetObjectItemCaseSensitive(e->opts, name) : NULL;
  return cJSON_IsNumber(o) ? (long long)o->valuedouble : dflt;
}

bool vec_decodes(const vec_entry *e) { return e->dir != VEC_DIR_ENCODE; }
bool vec_encodes(const vec_entry *e) { return e->dir != VEC_DIR_DECODE; }

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int vec_list_dir(const char *dir, char ***paths) {
  *paths = NULL;
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0, cap = 0;
  char **list = NULL;
  for (struct dirent *de; (de = readdir(d));) {
    size_t l = strlen(de->d_name);
    if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0 || de->d_name[0] == '.') continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 8;
      char **bigger = realloc(list, (size_t)cap * sizeof *list);
      if (!bigger) break;
      list = bigger;
    }
    size_t pl = strlen(dir) + l + 2;
    list[n] = malloc(pl);
    if (!list[n]) break;
    snprintf(list[n], pl, "%s/%s", dir, de->d_name);
    n++;
  }
  closedir(d);
  if (n) qsort(list, (size_t)n, sizeof *list, cmp_str);
  *paths = list;
  return n;
}

void vec_paths_free(char **paths, int n) {
  for (int i = 0; i < n; i++) free(paths[i]);
  free(paths);
}
