/* A small Markdown renderer for the spec and the known deviations inside the HTML
 * report (ct_markdown.h says what it reads and how spec tags become link targets). */
#include "ct_markdown.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ct_md_is_tag(const char *s, size_t len) {
  /* [A-Z]+ ( "-" [A-Z0-9]+ )* "-" [0-9]+ */
  size_t i = 0;
  while (i < len && s[i] >= 'A' && s[i] <= 'Z') i++;
  if (i == 0 || i == len || s[i] != '-') return 0;
  size_t last_dash = i;
  for (; i < len; i++) {
    if (s[i] == '-') {
      if (i == last_dash + 1) return 0;
      last_dash = i;
    } else if (!(isupper((unsigned char)s[i]) || isdigit((unsigned char)s[i]))) {
      return 0;
    }
  }
  if (last_dash + 1 >= len) return 0;
  for (i = last_dash + 1; i < len; i++)
    if (!isdigit((unsigned char)s[i])) return 0;
  return 1;
}

static int tag_char(char c) {
  return isupper((unsigned char)c) || isdigit((unsigned char)c) || c == '-';
}

static void esc(ct_buf *o, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    switch (s[i]) {
    case '&':
      ct_buf_adds(o, "&amp;");
      break;
    case '<':
      ct_buf_adds(o, "&lt;");
      break;
    case '>':
      ct_buf_adds(o, "&gt;");
      break;
    case '"':
      ct_buf_adds(o, "&quot;");
      break;
    default:
      ct_buf_add(o, &s[i], 1);
    }
  }
}

static char *slug(const char *prefix, const char *s, size_t n) {
  ct_buf b = {0};
  ct_buf_adds(&b, prefix);
  int dash = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (isalnum(c)) {
      if (dash && b.len > strlen(prefix)) ct_buf_add(&b, "-", 1);
      char l = (char)tolower(c);
      ct_buf_add(&b, &l, 1);
      dash = 0;
    } else {
      dash = 1;
    }
  }
  return ct_buf_steal(&b);
}

/* "[TAG]" at S (S[0] == '['): the tag's length, or 0. */
static size_t bracket_tag(const char *s) {
  if (s[0] != '[') return 0;
  size_t n = 1;
  while (tag_char(s[n])) n++;
  if (s[n] != ']' || !ct_md_is_tag(s + 1, n - 1)) return 0;
  return n - 1;
}

/* After "[TAG]" at S: skip " (MUST)" / "(SHOULD, ...)"; LEVEL gets the level word. */
static size_t level_after(const char *s, char *level, size_t ll) {
  size_t i = 0;
  while (s[i] == ' ') i++;
  static const char *const lv[] = {"MUST", "SHOULD", "MAY"};
  if (s[i] != '(') return 0;
  for (int k = 0; k < 3; k++) {
    size_t l = strlen(lv[k]);
    if (strncmp(s + i + 1, lv[k], l) == 0) {
      const char *close = strchr(s + i, ')');
      const char *nl = strchr(s + i, '\n');
      if (!close || (nl && nl < close)) return 0;
      if (level) snprintf(level, ll, "%s", lv[k]);
      return (size_t)(close + 1 - s);
    }
  }
  return 0;
}

/* The heading at LINE ("## 5. Heartbeat [EIO-HB]"): level 1-6 and the text, or 0. */
static int heading(const char *line, size_t len, const char **text, size_t *tl) {
  int n = 0;
  while ((size_t)n < len && line[n] == '#') n++;
  if (n < 1 || n > 6 || (size_t)n >= len || line[n] != ' ') return 0;
  *text = line + n + 1;
  *tl = len - (size_t)n - 1;
  return n;
}

void ct_md_scan(ct_md *m, const char *doc, const char *id_prefix, const char *md) {
  if (!m->tags) m->tags = cJSON_CreateObject();
  char *sec = ct_xstrdup(""), *sid = ct_xstrdup(id_prefix);
  int fence = 0;
  for (const char *p = md; *p;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    const char *t;
    size_t tl;
    int h;
    if (len >= 3 && strncmp(p, "```", 3) == 0) fence = !fence;
    if (!fence && (h = heading(p, len, &t, &tl)) >= 2 && h <= 3) {
      free(sec);
      free(sid);
      sec = ct_xstrndup(t, tl);
      sid = slug(id_prefix, t, tl);
    } else if (!fence) {
      for (size_t i = 0; i < len; i++) {
        size_t n = bracket_tag(p + i);
        if (!n) continue;
        char tag[64];
        if (n >= sizeof tag) continue;
        memcpy(tag, p + i + 1, n);
        tag[n] = '\0';
        if (!cJSON_GetObjectItem(m->tags, tag)) {
          char level[16] = "";
          level_after(p + i + n + 2, level, sizeof level);
          cJSON *o = cJSON_AddObjectToObject(m->tags, tag);
          cJSON_AddStringToObject(o, "doc", doc);
          cJSON_AddStringToObject(o, "section", sec);
          cJSON_AddStringToObject(o, "sid", sid);
          if (*level) cJSON_AddStringToObject(o, "level", level);
        }
        i += n + 1;
      }
    }
    p += len + (e ? 1 : 0);
  }
  free(sec);
  free(sid);
}

static int defined(ct_md *m, const char *s, size_t n) {
  char tag[64];
  if (!m->tags || n >= sizeof tag) return 0;
  memcpy(tag, s, n);
  tag[n] = '\0';
  return cJSON_GetObjectItem(m->tags, tag) != NULL;
}

static void tag_link(ct_buf *o, const char *s, size_t n, int brackets) {
  ct_buf_adds(o, "<a class=\"tag\" href=\"#");
  ct_buf_add(o, s, n);
  ct_buf_adds(o, "\">");
  if (brackets) ct_buf_add(o, "[", 1);
  ct_buf_add(o, s, n);
  if (brackets) ct_buf_add(o, "]", 1);
  ct_buf_adds(o, "</a>");
}

/* Inline Markdown of S[0..N) into O. */
static void inline_md(ct_md *m, ct_buf *o, const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    char c = s[i];
    if (c == '`') {
      const char *end = memchr(s + i + 1, '`', n - i - 1);
      if (end) {
        ct_buf_adds(o, "<code>");
        esc(o, s + i + 1, (size_t)(end - s - i - 1));
        ct_buf_adds(o, "</code>");
        i = (size_t)(end - s) + 1;
        continue;
      }
    }
    if (c == '*' && i + 1 < n && s[i + 1] == '*') {
      for (size_t k = i + 2; k + 1 < n; k++)
        if (s[k] == '*' && s[k + 1] == '*') {
          ct_buf_adds(o, "<strong>");
          inline_md(m, o, s + i + 2, k - i - 2);
          ct_buf_adds(o, "</strong>");
          i = k + 2;
          goto next;
        }
    } else if (c == '*' && i + 1 < n && s[i + 1] != ' ') {
      const char *end = memchr(s + i + 1, '*', n - i - 1);
      if (end && end[-1] != ' ') {
        ct_buf_adds(o, "<em>");
        inline_md(m, o, s + i + 1, (size_t)(end - s - i - 1));
        ct_buf_adds(o, "</em>");
        i = (size_t)(end - s) + 1;
        continue;
      }
    }
    if (c == '[') {
      size_t tn = bracket_tag(s + i);
      if (tn && i + tn + 2 <= n && defined(m, s + i + 1, tn)) {
        tag_link(o, s + i + 1, tn, 1);
        i += tn + 2;
        continue;
      }
      /* [text](url): external links stay links; a relative one (a file of the
       * repository) has no target inside the report, so only its text is kept */
      const char *rb = memchr(s + i, ']', n - i);
      if (rb && (size_t)(rb - s) + 1 < n && rb[1] == '(') {
        const char *rp = memchr(rb, ')', n - (size_t)(rb - s));
        if (rp) {
          const char *url = rb + 2;
          size_t ul = (size_t)(rp - url);
          int ext = (ul > 7 && strncmp(url, "http://", 7) == 0) ||
                    (ul > 8 && strncmp(url, "https://", 8) == 0);
          if (ext) {
            ct_buf_adds(o, "<a href=\"");
            esc(o, url, ul);
            ct_buf_adds(o, "\">");
          }
          inline_md(m, o, s + i + 1, (size_t)(rb - s - i - 1));
          if (ext) ct_buf_adds(o, "</a>");
          i = (size_t)(rp - s) + 1;
          continue;
        }
      }
    }
    if (isupper((unsigned char)c) && (i == 0 || !tag_char(s[i - 1]))) {
      size_t k = i;
      while (k < n && tag_char(s[k])) k++;
      size_t tl = k;
      while (tl > i && s[tl - 1] == '-') tl--;
      if (ct_md_is_tag(s + i, tl - i) && defined(m, s + i, tl - i)) {
        tag_link(o, s + i, tl - i, 0);
        i = tl;
        continue;
      }
      esc(o, s + i, k - i); /* a word of capitals that is no tag */
      i = k;
      continue;
    }
    esc(o, &c, 1);
    i++;
  next:;
  }
}

/* A block's text: the sentences that define tags become <span class="rule" id=TAG>. */
static void block_md(ct_md *m, cJSON *placed, ct_buf *o, const char *s, size_t n) {
  size_t lead = 0;
  while (lead < n && (s[lead] == ' ' || s[lead] == '*')) lead++;
  size_t pos = 0;
  for (size_t i = 0; i < n; i++) {
    size_t tn = s[i] == '[' ? bracket_tag(s + i) : 0;
    if (!tn || i + tn + 2 > n) continue;
    char tag[64];
    if (tn >= sizeof tag) continue;
    memcpy(tag, s + i + 1, tn);
    tag[tn] = '\0';
    if (!cJSON_GetObjectItem(m->tags, tag) || cJSON_GetObjectItem(placed, tag)) continue;
    cJSON_AddTrueToObject(placed, tag);
    size_t end;
    if (i == lead) { /* "**[CT-1]** ...": the whole block is the rule */
      end = n;
    } else {
      end = i + tn + 2;
      char *tmp = ct_xstrndup(s + end, n - end);
      end += level_after(tmp, NULL, 0);
      free(tmp);
    }
    while (pos < i && s[pos] == ' ') pos++;
    ct_buf_adds(o, "<span class=\"rule\" id=\"");
    ct_buf_adds(o, tag);
    ct_buf_adds(o, "\">");
    inline_md(m, o, s + pos, end - pos);
    ct_buf_adds(o, "</span>");
    pos = i = end;
    if (pos >= n) break;
  }
  if (pos < n) inline_md(m, o, s + pos, n - pos);
}

typedef struct lst {
  int indent, ordered;
} lst;

typedef struct rstate {
  ct_md *m;
  cJSON *placed;
  ct_buf *o;
  ct_buf para;   /* the paragraph or list item being collected */
  int para_kind; /* 0 none, 1 paragraph, 2 list item, 3 quote */
  lst stack[16];
  int depth;
} rstate;

static void flush_text(rstate *st) {
  if (!st->para_kind) return;
  if (st->para_kind == 1) ct_buf_adds(st->o, "<p>");
  if (st->para_kind == 3) ct_buf_adds(st->o, "<blockquote><p>");
  block_md(st->m, st->placed, st->o, st->para.data ? (char *)st->para.data : "", st->para.len);
  if (st->para_kind == 1) ct_buf_adds(st->o, "</p>\n");
  if (st->para_kind == 3) ct_buf_adds(st->o, "</p></blockquote>\n");
  ct_buf_reset(&st->para);
  st->para_kind = 0;
}

static void close_lists(rstate *st, int to_depth) {
  flush_text(st);
  while (st->depth > to_depth) {
    st->depth--;
    ct_buf_adds(st->o, st->stack[st->depth].ordered ? "</li></ol>\n" : "</li></ul>\n");
  }
}

/* A list item at LINE: its indent, ordered or not, and where its text starts; or -1. */
static int list_item(const char *line, size_t len, int *ordered, size_t *text) {
  size_t i = 0;
  while (i < len && line[i] == ' ') i++;
  if (i + 1 < len && (line[i] == '-' || line[i] == '*') && line[i + 1] == ' ') {
    *ordered = 0;
    *text = i + 2;
    return (int)i;
  }
  size_t k = i;
  while (k < len && isdigit((unsigned char)line[k])) k++;
  if (k > i && k + 1 < len && line[k] == '.' && line[k + 1] == ' ') {
    *ordered = 1;
    *text = k + 2;
    return (int)i;
  }
  return -1;
}

static void table_row(rstate *st, const char *line, size_t len, const char *cell) {
  ct_buf_adds(st->o, "<tr>");
  size_t i = 0;
  while (i < len && line[i] == ' ') i++;
  if (i < len && line[i] == '|') i++;
  while (i < len) {
    size_t k = i;
    while (k < len && line[k] != '|') {
      if (line[k] == '`') { /* a pipe inside code stays in the cell */
        const char *e = memchr(line + k + 1, '`', len - k - 1);
        if (e) k = (size_t)(e - line);
      }
      k++;
    }
    size_t a = i, b = k;
    while (a < b && line[a] == ' ') a++;
    while (b > a && line[b - 1] == ' ') b--;
    if (k >= len && a == b) break; /* after the closing pipe */
    ct_buf_printf(st->o, "<%s>", cell);
    block_md(st->m, st->placed, st->o, line + a, b - a);
    ct_buf_printf(st->o, "</%s>", cell);
    i = k + 1;
  }
  ct_buf_adds(st->o, "</tr>\n");
}

void ct_md_render(ct_md *m, const char *id_prefix, const char *md, ct_buf *out) {
  if (!m->tags) m->tags = cJSON_CreateObject();
  rstate st;
  memset(&st, 0, sizeof st);
  st.m = m;
  st.o = out;
  st.placed = cJSON_CreateObject();
  int table = 0; /* 0 none, 1 header row written, 2 in the body */
  for (const char *p = md; *p;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    const char *next = p + len + (e ? 1 : 0);
    const char *t;
    size_t tl;
    int h, ordered;
    size_t text;
    int ind;
    size_t lead = 0;
    while (lead < len && p[lead] == ' ') lead++;
    if (table && (lead >= len || p[lead] != '|')) {
      ct_buf_adds(out, table == 2 ? "</tbody></table>\n" : "</table>\n");
      table = 0;
    }
    if (len - lead >= 3 && strncmp(p + lead, "```", 3) == 0) {
      close_lists(&st, 0);
      ct_buf_adds(out, "<pre><code>");
      p = next;
      while (*p) {
        e = strchr(p, '\n');
        len = e ? (size_t)(e - p) : strlen(p);
        next = p + len + (e ? 1 : 0);
        size_t l2 = 0;
        while (l2 < len && p[l2] == ' ') l2++;
        if (len - l2 >= 3 && strncmp(p + l2, "```", 3) == 0) break;
        esc(out, p, len);
        ct_buf_adds(out, "\n");
        p = next;
      }
      ct_buf_adds(out, "</code></pre>\n");
      p = next;
      continue;
    }
    if (lead >= len) { /* a blank line ends paragraphs and lists */
      close_lists(&st, 0);
    } else if ((h = heading(p, len, &t, &tl)) > 0) {
      close_lists(&st, 0);
      char *id = slug(id_prefix, t, tl);
      ct_buf_printf(out, "<h%d id=\"%s\">", h, id);
      free(id);
      /* "N-3: title" in known-deviations.md: the entry a run's deviation links to */
      size_t k = 0;
      while (k < tl &&
             (isupper((unsigned char)t[k]) || isdigit((unsigned char)t[k]) || t[k] == '-'))
        k++;
      if (k < tl && t[k] == ':' && ct_md_is_tag(t, k)) {
        ct_buf_adds(out, "<a class=\"dev\" id=\"dev-");
        ct_buf_add(out, t, k);
        ct_buf_adds(out, "\"></a>");
      }
      inline_md(m, out, t, tl);
      ct_buf_printf(out, "</h%d>\n", h);
    } else if (p[lead] == '|') {
      close_lists(&st, 0);
      int sep = 1;
      for (size_t k = lead; k < len; k++)
        if (!strchr("|-: ", p[k])) sep = 0;
      if (!table) {
        ct_buf_adds(out, "<table>\n");
        table_row(&st, p, len, "th");
        table = 1;
      } else if (sep && table == 1) {
        ct_buf_adds(out, "<tbody>\n");
        table = 2;
      } else {
        table_row(&st, p, len, "td");
      }
    } else if ((ind = list_item(p, len, &ordered, &text)) >= 0) {
      flush_text(&st);
      while (st.depth > 0 && st.stack[st.depth - 1].indent > ind) close_lists(&st, st.depth - 1);
      if (st.depth > 0 && st.stack[st.depth - 1].indent == ind) {
        ct_buf_adds(out, "</li><li>");
      } else if (st.depth < 16) {
        st.stack[st.depth++] = (lst){ind, ordered};
        ct_buf_adds(out, ordered ? "<ol><li>" : "<ul><li>");
      }
      st.para_kind = 2;
      ct_buf_add(&st.para, p + text, len - text);
    } else if (p[lead] == '>' && st.para_kind != 2) {
      if (st.para_kind != 3) flush_text(&st);
      if (st.para.len) ct_buf_adds(&st.para, " ");
      st.para_kind = 3;
      size_t q = lead + 1;
      while (q < len && p[q] == ' ') q++;
      ct_buf_add(&st.para, p + q, len - q);
    } else { /* a paragraph line, or a list item's continuation */
      if (!st.para_kind) st.para_kind = st.depth ? 2 : 1;
      if (st.para.len) ct_buf_adds(&st.para, " ");
      ct_buf_add(&st.para, p + lead, len - lead);
    }
    p = next;
  }
  close_lists(&st, 0);
  if (table) ct_buf_adds(out, table == 2 ? "</tbody></table>\n" : "</table>\n");
  ct_buf_free(&st.para);
  cJSON_Delete(st.placed);
}

void ct_md_free(ct_md *m) {
  cJSON_Delete(m->tags);
  m->tags = NULL;
}
