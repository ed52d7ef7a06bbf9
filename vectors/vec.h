/* The one C loader for the JSON vector files (vectors/README.md): load a file, check
 * that it follows the format, and hand out its entries with the wire messages already
 * decoded to bytes. Used by ref/ tests, conformance/ and fuzz/. It allocates (it is a
 * test tool, not part of the codec); everything is freed by vec_file_free(). */
#ifndef SIOCONFORM_VEC_H
#define SIOCONFORM_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* One wire message. */
typedef struct vec_msg {
  bool hex;       /* written as {"hex":...}: a binary message (or bytes that are not
                     UTF-8 text, in an Engine.IO payload) */
  uint8_t *bytes; /* owned by the file; NUL-terminated (the NUL is not counted) */
  size_t len;
} vec_msg;

typedef enum vec_dir { VEC_DIR_BOTH = 0, VEC_DIR_DECODE = 1, VEC_DIR_ENCODE = 2 } vec_dir;

/* One entry. Strings and cJSON pointers are borrowed from the file's tree. */
typedef struct vec_entry {
  int index;             /* position in the file's "vectors" array */
  const char *id;        /* stable kebab-case id */
  const char *note;      /* one line, never empty */
  vec_dir dir;           /* from "dir" */
  const char *transport; /* "websocket", "polling" or NULL (both) */
  const char *content;   /* eio3: "text" or "binary" for a polling body, else NULL */
  const char *error;     /* error name for invalid entries, else NULL */
  const cJSON *reqs;     /* array of tag strings (possibly empty) */
  const cJSON *packet;   /* decoded packet or NULL */
  const cJSON *packets;  /* decoded packet list (payloads) or NULL */
  const cJSON *binary;   /* Socket.IO binary.json: attachments as hex strings, or NULL */
  const cJSON *opts;     /* object or NULL */
  const cJSON *upstream; /* object or NULL */
  const cJSON *json;     /* the whole entry */
  bool wire_is_list;     /* "wire" was a list */
  vec_msg *wire;         /* nwire messages in order (owned by the file) */
  size_t nwire;
} vec_entry;

typedef struct vec_file {
  char *path;         /* copy of the path given */
  char *text;         /* file contents */
  cJSON *root;        /* parsed file */
  const char *about;  /* "about" sentence */
  vec_entry *entries; /* count entries */
  int count;
} vec_file;

/* Load and validate the vector file PATH into F (zeroed first). On any problem
 * (unreadable, not JSON, format != 1, missing or mistyped fields, an id that is not
 * kebab-case or repeats, empty reqs or note, bad hex, unknown members, dir, transport
 * or opts keys, both or neither of packet/packets/error, or an error entry whose dir is
 * not decode) returns -1, writes a message naming the file
 * and the entry into ERR (ERRLEN bytes, may be NULL) and leaves F empty. Returns 0 on
 * success; free F with vec_file_free(). */
int vec_file_load(const char *path, vec_file *f, char *err, size_t errlen);

/* The whole file PATH, NUL-terminated (malloc'd; the caller frees it), its length in
 * *LEN; NULL when it cannot be read or memory ran out. */
char *vec_read_file(const char *path, size_t *len);

/* Free everything F holds; F is left zeroed. Safe on a zeroed or freed F. */
void vec_file_free(vec_file *f);

/* The integer option NAME of E ("maxPayload", "maxPackets", "maxAttachments",
 * "maxJsonDepth"), or DFLT when absent. */
long long vec_opt(const vec_entry *e, const char *name, long long dflt);

/* True when E is to be decoded / encoded by a codec suite. */
bool vec_decodes(const vec_entry *e);
bool vec_encodes(const vec_entry *e);

/* Every "*.json" file directly in DIR, sorted, as malloc'ed paths in *PATHS (free with
 * vec_paths_free). Returns the count, or -1 when DIR cannot be read. */
int vec_list_dir(const char *dir, char ***paths);
void vec_paths_free(char **paths, int n);

/* Hex text (even length, 0-9 a-f A-F) to malloc'ed bytes (NUL-terminated, NUL not
 * counted). Returns 0, or -1 on bad hex or allocation failure. */
int vec_hex_decode(const char *hex, uint8_t **out, size_t *len);

/* Bytes to lower-case hex into OUT (2*LEN+1 bytes). */
void vec_hex_encode(const uint8_t *in, size_t len, char *out);

/* U+0000 inside strings. cJSON ends a string at U+0000, so the loader (and
 * vec_parse_json) turn every \u0000 escape into VEC_NUL_MARK, the UTF-8 of U+F0000
 * (private use), before parsing. Strings in the trees therefore never hold NUL: get
 * their real bytes with vec_str_bytes(), print trees with vec_print_json(). A file or
 * text that itself holds U+F0000 is refused. */
#define VEC_NUL_MARK "\xf3\xb0\x80\x80"

/* The real bytes of a string taken from a loaded tree (VEC_NUL_MARK -> NUL), malloc'ed,
 * NUL-terminated (not counted). Returns 0 or -1 (allocation). */
int vec_str_bytes(const char *s, uint8_t **out, size_t *len);

/* cJSON_PrintUnformatted, with VEC_NUL_MARK written back as \u0000 (as JSON.stringify
 * does). Free with free(). NULL on allocation failure. */
char *vec_print_json(const cJSON *j);

/* Parse BUF/LEN as JSON with cJSON after copying it into a NUL-terminated scratch
 * buffer (cJSON's length-bounded parse reads one byte past the end), with the U+0000
 * mapping above, so that trees from a file and from a decoder compare exactly. Returns
 * a tree to free with cJSON_Delete, or NULL when cJSON refuses it (cJSON also refuses
 * lone surrogate escapes, which JSON.parse accepts), or allocation fails. */
cJSON *vec_parse_json(const uint8_t *buf, size_t len);

#endif
