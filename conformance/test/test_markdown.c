/* Unit tests for the Markdown renderer of the report page (ct_markdown.h): tag
 * definitions become the targets of the page's links, later mentions link to them, and
 * nothing of the source passes through as HTML. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ct_markdown.h"

static char *render(const char *md) {
  ct_md m = {0};
  ct_md_scan(&m, "doc.md", "d-", md);
  ct_buf b = {0};
  ct_md_render(&m, "d-", md, &b);
  ct_md_free(&m);
  return ct_buf_steal(&b);
}

Test(markdown, tags) {
  cr_assert(ct_md_is_tag("EIO-HB-3", 8));
  cr_assert(ct_md_is_tag("CT-12", 5));
  cr_assert(ct_md_is_tag("EIO-HTTP-4", 10));
  cr_assert(!ct_md_is_tag("EIO-PK", 6));
  cr_assert(!ct_md_is_tag("EIO--3", 6));
  cr_assert(!ct_md_is_tag("eio-hb-3", 8));
}

Test(markdown, rule_sentences_are_link_targets) {
  const char *md = "## 5. Heartbeat [EIO-HB]\n\n"
                   "- The server pings. [EIO-HB-1] (MUST) The client\n"
                   "  answers. [EIO-HB-2] (SHOULD)\n"
                   "- Late pongs close, see EIO-HB-1 and [EIO-HB-2]. [EIO-HB-3] (MAY)\n\n"
                   "- **[CT-1]** A subject is one process <b>.\n\n"
                   "| tag | level |\n|---|---|\n| EIO-HB-1 | MUST |\n";
  ct_md m = {0};
  ct_md_scan(&m, "doc.md", "d-", md);
  const cJSON *t = cJSON_GetObjectItem(m.tags, "EIO-HB-2");
  cr_assert_not_null(t);
  cr_assert_str_eq(cJSON_GetObjectItem(t, "section")->valuestring, "5. Heartbeat [EIO-HB]");
  cr_assert_str_eq(cJSON_GetObjectItem(t, "sid")->valuestring, "d-5-heartbeat-eio-hb");
  cr_assert_str_eq(cJSON_GetObjectItem(t, "level")->valuestring, "SHOULD");
  ct_md_free(&m);
  char *h = render(md);
  cr_assert(strstr(h, "<h2 id=\"d-5-heartbeat-eio-hb\">") != NULL, "%s", h);
  /* each sentence up to its tag and level is the rule's target */
  cr_assert(strstr(h, "<span class=\"rule\" id=\"EIO-HB-1\">The server pings. <a class=\"tag\" "
                      "href=\"#EIO-HB-1\">[EIO-HB-1]</a> (MUST)</span>") != NULL,
            "%s", h);
  cr_assert(strstr(h, "<span class=\"rule\" id=\"EIO-HB-2\">The client answers. ") != NULL, "%s",
            h);
  /* later mentions link to the definition, and are no second target */
  cr_assert(strstr(h, "see <a class=\"tag\" href=\"#EIO-HB-1\">EIO-HB-1</a> and") != NULL, "%s", h);
  cr_assert_null(strstr(strstr(h, "id=\"EIO-HB-1\"") + 1, "id=\"EIO-HB-1\""));
  const char *first = strstr(h, "id=\"EIO-HB-2\"");
  cr_assert_null(strstr(first + 1, "id=\"EIO-HB-2\""));
  /* a block that starts with its tag is the rule as a whole; HTML is escaped */
  cr_assert(strstr(h, "<span class=\"rule\" id=\"CT-1\"><strong><a class=\"tag\" "
                      "href=\"#CT-1\">[CT-1]</a></strong> A subject is one process &lt;b&gt;."
                      "</span>") != NULL,
            "%s", h);
  /* the tag index links */
  cr_assert(strstr(h, "<td><a class=\"tag\" href=\"#EIO-HB-1\">EIO-HB-1</a></td>") != NULL, "%s",
            h);
  free(h);
}

Test(markdown, blocks_and_inline) {
  char *h = render("# T\n\n### N-3: octet-stream POST on node\n\n"
                   "Text with `a<b|c`, **bold**, *em* and [a link](https://example.org/x) "
                   "and [a file](../README.md).\n\n"
                   "1. one\n   - nested\n   - two\n2. three\n\n"
                   "```\n<raw> [EIO-HB-1]\n```\n> quoted\n");
  cr_assert(strstr(h, "<h3 id=\"d-n-3-octet-stream-post-on-node\"><a class=\"dev\" "
                      "id=\"dev-N-3\"></a>N-3: octet-stream POST on node</h3>") != NULL,
            "%s", h);
  cr_assert(strstr(h, "<code>a&lt;b|c</code>, <strong>bold</strong>, <em>em</em>") != NULL, "%s",
            h);
  cr_assert(strstr(h, "<a href=\"https://example.org/x\">a link</a> and a file.") != NULL, "%s", h);
  cr_assert(
      strstr(h, "<ol><li>one<ul><li>nested</li><li>two</li></ul>\n</li><li>three</li></ol>") !=
          NULL,
      "%s", h);
  cr_assert(strstr(h, "<pre><code>&lt;raw&gt; [EIO-HB-1]\n</code></pre>") != NULL, "%s", h);
  cr_assert(strstr(h, "<blockquote><p>quoted</p></blockquote>") != NULL, "%s", h);
  cr_assert_null(strstr(h, "<raw>"));
  free(h);
}
