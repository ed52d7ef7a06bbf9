/* A small Markdown renderer for the documents a report links to (the spec/ files and
 * conformance/known-deviations.md), written for what those files use: ATX headings,
 * paragraphs, nested "-" and "1." lists with continuation lines, pipe tables, fenced
 * code, block quotes, and inline `code`, **bold**, *emphasis* and [links](url). HTML in
 * the source is escaped, never passed through: the page must stay self-contained.
 *
 * Spec tags: the first "[EIO-HB-3]" of a tag in the documents is its definition; the
 * sentence that ends with it (through its "(MUST)") -- or, when the block starts with
 * the tag (contract.md's "**[CT-1]** ..."), the whole block -- becomes
 * <span class="rule" id="EIO-HB-3">, the target of every link to the tag. Every later
 * mention of a defined tag (plain "EIO-TR-12" or "[EIO-TR-12]", the tag index tables)
 * links to it. A heading "### N-3: title" (known-deviations.md) gets the id "dev-N-3". */
#ifndef CT_MARKDOWN_H
#define CT_MARKDOWN_H

#include <cjson/cJSON.h>

#include "ct_util.h"

typedef struct ct_md {
  cJSON *tags; /* object: tag -> {"doc", "section", "sid", "level"}, filled by ct_md_scan */
} ct_md;

/* Record the tags defined in MD (a document titled DOC) into M->TAGS (created when NULL):
 * each first "[TAG]" with the heading (h2/h3) it is under and its "(LEVEL)". Scan every
 * document before rendering any, so a tag defined in one links from all. */
void ct_md_scan(ct_md *m, const char *doc, const char *id_prefix, const char *md);
/* Append MD rendered as HTML to OUT. ID_PREFIX prefixes the headings' ids ("eio-" ->
 * "eio-5-heartbeat"). */
void ct_md_render(ct_md *m, const char *id_prefix, const char *md, ct_buf *out);
void ct_md_free(ct_md *m);
/* Is S[0..LEN) a spec tag ("EIO-HB-3", "CT-12", "SIO-BIN-1")? */
int ct_md_is_tag(const char *s, size_t len);

#endif
