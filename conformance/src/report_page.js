/* The report page's script (embedded in every page by report_html.c; plain JS, no
 * library, no network). One report: summary, failures first (grouped by root cause or
 * by spec section), the security pack by severity, every run. Several reports (sioconform
 * matrix): the same page with one verdict column per server, counts per area and the
 * rows whose verdicts differ highlighted. The filters apply to every list; their state
 * is kept in the URL query (?v=FAIL,BLOCKED&level=MUST&tr=polling&area=eio.heartbeat
 * &tag=EIO-HB&q=text&diff=1&group=section), with view=security (one section alone) and
 * peek=EIO-HB-3 (a tag's sentence, or dev-N-3 a deviation's entry, in the panel). */
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const R = D.reports;
const MULTI = R.length > 1;
const V = ["FAIL", "BLOCKED", "NON-STRICT", "INFO", "SKIP", "PASS"];
const FAILING = new Set(["FAIL", "BLOCKED", "NON-STRICT", "NONE"]);
const SEV = ["critical", "high", "medium", "low"];
const TAGS = D.tags || {};

function el(t, a, ...kids) {
  const e = document.createElement(t);
  if (a) for (const k in a) if (a[k] !== undefined && a[k] !== null) e.setAttribute(k, a[k]);
  for (const k of kids) if (k !== undefined && k !== null) e.append(k);
  return e;
}
const $ = (id) => document.getElementById(id);
function area(id) {
  const p = id.split(".");
  return p.length > 2 ? p[0] + "." + p[1] : p[0];
}
function tagLink(t) {
  return TAGS[t] ? el("a", { class: "tag", href: "#" + t, title: TAGS[t].doc + " § " + TAGS[t].section }, t)
    : el("span", { class: "tag" }, t);
}
function devLink(r, short) {
  if (!r.deviation) return null;
  return el("a", { class: "devlink", href: "#dev-" + r.deviation,
    title: "known deviation " + r.deviation + ": " + (r["deviation-title"] || "") },
    (short ? "" : "known deviation ") + r.deviation);
}
function ruleTags(r) { return r.step_tags && r.step_tags.length ? r.step_tags : r.tags; }

/* ---- rows: one per run id, one cell per report (null: not in that report) */
const rows = [];
{
  const at = new Map();
  R.forEach((rep, k) => {
    for (const r of rep.runs) {
      let row = at.get(r.run);
      if (!row) {
        row = { run: r.run, id: r.id, tr: r.transport, title: r.title, level: r.level, tags: r.tags,
          family: r.family, severity: r.severity, fixed: r.fixed, area: area(r.id), cells: new Array(R.length).fill(null),
          order: rows.length };
        at.set(r.run, row);
        rows.push(row);
      }
      row.cells[k] = r;
    }
  });
  for (const row of rows) {
    const vs = row.cells.map((c) => (c ? c.verdict : "ABSENT"));
    row.differs = vs.some((v) => v !== vs[0]);
    row.failing = row.cells.some((c) => c && FAILING.has(c.verdict));
    row.hay = [row.run, row.title, row.tags.join(" ")].concat(row.cells.flatMap((c) => c ?
      [c.reason, c.expected, c.actual, c.deviation, c["deviation-title"], (c.step_tags || []).join(" ")] : []))
      .filter((x) => x).join("\n").toLowerCase();
  }
}

/* ---- filter state (from the URL query) */
const st = { v: new Set(V), level: "", tr: "", area: "", tag: "", q: "", diff: false, group: "cause" };
{
  const p = new URLSearchParams(location.search);
  if (p.get("v")) st.v = new Set(p.get("v").split(",").filter((x) => V.includes(x)));
  for (const k of ["level", "tr", "area", "tag", "q"]) if (p.get(k)) st[k] = p.get(k);
  st.diff = p.get("diff") === "1";
  if (p.get("group") === "section") st.group = "section";
}
function saveState() {
  const p = new URLSearchParams();
  if (st.v.size !== V.length) p.set("v", [...st.v].join(","));
  for (const k of ["level", "tr", "area", "tag", "q"]) if (st[k]) p.set(k, st[k]);
  if (st.diff) p.set("diff", "1");
  if (st.group !== "cause") p.set("group", st.group);
  const q0 = new URLSearchParams(location.search); /* what draw() does not own */
  for (const k of ["view", "peek"]) if (q0.get(k)) p.set(k, q0.get(k));
  const s = p.toString();
  try { history.replaceState(null, "", (s ? "?" + s : location.pathname) + location.hash); } catch (e) { /* file: */ }
}
function shows(row) {
  if (!row.cells.some((c) => c && (st.v.has(c.verdict) || (c.verdict === "NONE" && st.v.has("FAIL"))))) return false;
  if (st.level && row.level !== st.level) return false;
  if (st.tr && row.tr !== st.tr) return false;
  if (st.area && row.area !== st.area) return false;
  if (st.tag) {
    const t = st.tag.toUpperCase();
    const all = row.tags.concat(row.cells.flatMap((c) => (c && c.step_tags) || []));
    if (!all.some((x) => x.startsWith(t))) return false;
  }
  if (st.q && !row.hay.includes(st.q.toLowerCase())) return false;
  if (st.diff && !row.differs) return false;
  return true;
}

/* ---- header and summary (not filtered) */
function counts(o) {
  const d = el("span", { class: "chips" });
  for (const v of V) d.append(el("span", { class: v }, v + ": " + (o[v] || 0)));
  return d;
}
function header() {
  const h = $("head");
  h.append(el("h1", null, MULTI ? "sioconform matrix: " + R.length + " servers" : "sioconform report"));
  if (!MULTI) {
    const rep = R[0];
    h.append(el("p", { class: "meta" }, "Target: ", el("code", { id: "target" }, rep.target)));
    if (rep.discovery) h.append(el("p", { class: "meta" }, "Discovery: " + rep.discovery.summary));
  }
  R.forEach((rep) => {
    if (rep.complete === false)
      h.append(el("div", { class: "banner" }, "Partial report" + (MULTI ? " (" + rep.name + ")" : "") +
        ": the run had not finished when this was written (still running, or cut short); it holds the " + rep.runs.length + " runs finished by then."));
  });
  const s = $("sum");
  if (!MULTI) {
    const S = R[0].summary, X = R[0].security;
    s.append(el("div", null, el("b", null, S.passed + " passed, " + S.failed + " failed, " + S.skipped + " skipped"),
      " (" + S.runs + " conformance case-runs" + (R[0].strict ? ", strict" : "") + ")"), counts(S));
    if (X && X.runs) s.append(el("div", null, el("b", null, "Security pack: "), X.runs +
      " case-runs, not in the score ", el("a", { href: "#security" }, "(section)")), counts(X));
  } else {
    const t = el("table", { class: "areas servers" }, el("tr", null, el("th", null, "server"), el("th", null, "target"),
      ...V.map((v) => el("th", null, v)), el("th", null, "security FAIL"), el("th", null, "complete")));
    for (const rep of R) {
      t.append(el("tr", null, el("td", null, el("b", null, rep.name)), el("td", null, el("code", null, rep.target)),
        ...V.map((v) => el("td", { class: (rep.summary[v] && (v === "FAIL" || v === "BLOCKED")) ? "bad" : "" }, String(rep.summary[v] || 0))),
        el("td", { class: rep.security && rep.security.FAIL ? "bad" : "" }, String(rep.security ? rep.security.FAIL || 0 : 0)),
        el("td", null, rep.complete === false ? "no (partial)" : "yes")));
    }
    s.append(t);
  }
  /* roots and blocked runs: one fault, one failure */
  R.forEach((rep) => {
    const roots = rep.roots || [];
    const who = MULTI ? rep.name + ": " : "";
    if (!roots.length) {
      s.append(el("p", { class: "meta" }, who + "No blocked runs: every preamble held."));
      return;
    }
    let nb = 0;
    for (const g of roots) nb += g.blocked;
    const d = el("div", { id: MULTI ? null : "roots" }, el("b", null, who + roots.length + " root failure" +
      (roots.length === 1 ? "" : "s") + ", " + nb + " blocked run" + (nb === 1 ? "" : "s") + ":"));
    const ul = el("ul");
    for (const g of roots)
      ul.append(el("li", null, el("span", { class: "chip " + g.verdict.replace(" ", "-") }, g.verdict), " ",
        el("a", { href: "#run-" + g.root }, g.root), " blocks " + g.blocked + " run" + (g.blocked === 1 ? "" : "s")));
    d.append(ul);
    s.append(d);
  });
}

/* ---- the filter bar */
function select(name, label, values) {
  const s = el("select", { id: "f-" + name }, el("option", { value: "" }, label + ": all"));
  for (const v of values) s.append(el("option", { value: v }, v));
  s.value = st[name];
  s.onchange = () => { st[name] = s.value; draw(); };
  return s;
}
function bar() {
  const b = $("bar");
  for (const v of V) {
    const c = el("input", { type: "checkbox", id: "v-" + v });
    c.checked = st.v.has(v);
    c.onchange = () => { c.checked ? st.v.add(v) : st.v.delete(v); draw(); };
    b.append(el("label", { class: v }, c, " " + v));
  }
  const only = el("button", { id: "failures-only", type: "button" }, "failures only");
  only.onclick = () => {
    const on = !(st.v.size === 3 && st.v.has("FAIL"));
    st.v = new Set(on ? ["FAIL", "BLOCKED", "NON-STRICT"] : V);
    for (const v of V) $("v-" + v).checked = st.v.has(v);
    draw();
  };
  b.append(only);
  const uniq = (f) => [...new Set(rows.map(f))].sort();
  b.append(select("level", "level", ["MUST", "SHOULD", "MAY"]), select("tr", "transport", ["polling", "websocket"]),
    select("area", "area", uniq((r) => r.area)));
  const tag = el("input", { type: "text", class: "tag", id: "f-tag", placeholder: "tag, e.g. EIO-HB", list: "taglist" });
  tag.value = st.tag;
  tag.oninput = () => { st.tag = tag.value.trim(); draw(); };
  const dl = el("datalist", { id: "taglist" });
  for (const t of Object.keys(TAGS).sort()) dl.append(el("option", { value: t }));
  const q = el("input", { type: "search", id: "f-q", placeholder: "search runs, reasons, tags" });
  q.value = st.q;
  q.oninput = () => { st.q = q.value.trim(); draw(); };
  b.append(tag, dl, q);
  if (MULTI) {
    const c = el("input", { type: "checkbox", id: "f-diff" });
    c.checked = st.diff;
    c.onchange = () => { st.diff = c.checked; draw(); };
    b.append(el("label", null, c, " differing rows only"));
  }
  b.append(el("span", { class: "count", id: "count" }));
}

/* ---- one run row (single report) or one case-run row (matrix) */
function verdictCell(c) {
  if (!c) return el("td", { class: "v ABSENT" }, "—");
  const td = el("td", { class: "v " + c.verdict, title: c.reason || "" }, c.verdict);
  if (MULTI && c.deviation) td.append(" ", devLink(c, true));
  return td;
}
function details(row) {
  const td = el("td", { colspan: MULTI ? 3 + R.length : 5 });
  td.append(el("div", null, el("b", null, row.title)), el("div", null, "spec: ", ...row.tags.map(tagLink)));
  row.cells.forEach((c, k) => {
    if (!c) return;
    const box = el("div");
    if (MULTI) box.append(el("h3", null, R[k].name + ": " + c.verdict));
    if (c.expected !== null && c.expected !== undefined) box.append(el("pre", null, "expected: " + c.expected));
    if (c.actual !== null && c.actual !== undefined) box.append(el("pre", null, "actual:   " + c.actual));
    if (c.transcript) {
      const t = el("details", null, el("summary", null, "wire transcript (" + c.transcript.split("\n").length + " lines, " +
        Math.round(c.ms) + " ms)"));
      t.addEventListener("toggle", () => { if (t.open && t.children.length < 2) t.append(el("pre", null, c.transcript)); });
      if (!MULTI) t.open = true, t.append(el("pre", null, c.transcript));
      box.append(t);
    }
    td.append(box);
  });
  return el("tr", { class: "det" }, td);
}
function reasonCell(c) {
  const td = el("td", { class: "reason" });
  if (!c) return td;
  if (c.verdict === "BLOCKED") td.append("blocked by ", el("a", { href: "#run-" + c.blocked_by }, c.blocked_by), ": ");
  if (c.verdict !== "PASS") td.append(c.reason || "");
  /* the failed step's own rule, when it is narrower than the case's tags */
  if (c.step_tags && c.step_tags.length && c.step_tags.length < c.tags.length)
    td.append(" — rule ", ...c.step_tags.map(tagLink));
  if (c.deviation) td.append(" ", devLink(c));
  return td;
}
function rowEl(row) {
  const tr = el("tr", { class: "row" + (MULTI && row.differs ? " diff" : ""), id: "run-" + row.run });
  /* a security case names the release that fixed its advisory */
  const rid = () => el("td", { class: "rid" }, row.run, ...(row.fixed ? [el("span", { class: "fixed" }, " fixed in " + row.fixed)] : []));
  if (MULTI) {
    tr.append(rid(), el("td", null, row.level),
      el("td", null, ...row.tags.map(tagLink)), ...row.cells.map(verdictCell));
  } else {
    const c = row.cells[0];
    tr.append(verdictCell(c), rid(), el("td", null, row.level),
      el("td", null, ...row.tags.map(tagLink)), reasonCell(c));
  }
  let det = null;
  tr.addEventListener("click", (e) => {
    if (e.target.closest("a")) return;
    if (!det) { det = details(row); tr.after(det); } else { det.remove(); det = null; }
  });
  return [tr];
}
function table(list) {
  if (!list.length) return el("p", { class: "empty" }, "nothing matches the filters");
  const w = (x) => ({ style: "width:" + x });
  const head = MULTI ? [el("th", w("34%"), "case-run"), el("th", w("5em"), "level"), el("th", w("15em"), "tags"),
    ...R.map((r) => el("th", null, r.name))]
    : [el("th", w("7.5em"), "verdict"), el("th", w("30%"), "case-run"), el("th", w("5em"), "level"),
      el("th", w("15em"), "tags"), el("th", null, "reason")];
  const tb = el("tbody");
  for (const row of list) tb.append(...rowEl(row));
  return el("table", null, el("thead", null, el("tr", null, ...head)), tb);
}
function group(title, list, open, id) {
  const d = el("details", { class: "group", id: id });
  if (open) d.open = true;
  const s = el("summary", null);
  s.append(...title, el("span", { class: "n" }, " (" + list.length + " run" + (list.length === 1 ? "" : "s") + ")"));
  d.append(s);
  let filled = false;
  const fill = () => { if (d.open && !filled) { filled = true; d.append(table(list)); } };
  d.addEventListener("toggle", fill);
  fill();
  return d;
}

/* ---- failures first: grouped by root cause or by spec section */
function sectionOf(row) {
  const c = row.cells.find((x) => x) || {};
  let tags = ruleTags(c);
  if (c.verdict === "BLOCKED") { /* a blocked run belongs where its root's rule is */
    const root = rows.find((r) => r.run === c.blocked_by);
    if (root) tags = ruleTags(root.cells.find((x) => x) || root);
  }
  for (const t of tags) if (TAGS[t]) return TAGS[t];
  return { doc: "", section: "tags outside spec/", sid: "" };
}
function byCause(list) {
  const groups = new Map();
  const put = (key, title, row, rank) => {
    if (!groups.has(key)) groups.set(key, { title, list: [], rank });
    groups.get(key).list.push(row);
  };
  const roots = new Set();
  for (const rep of R) for (const g of rep.roots || []) roots.add(g.root);
  for (const row of list) {
    const c = row.cells.find((x) => x && FAILING.has(x.verdict)) || row.cells.find((x) => x);
    if (c.verdict === "BLOCKED") {
      put("root:" + c.blocked_by, ["root cause ", el("a", { href: "#run-" + c.blocked_by }, c.blocked_by),
        ": a failed preamble blocks these runs"], row, 0);
    } else if (roots.has(row.run)) {
      put("root:" + row.run, ["root cause ", el("a", { href: "#run-" + row.run }, row.run),
        ": a failed preamble blocks these runs"], row, 0);
    } else if (c.deviation) {
      put("dev:" + c.deviation, [devLink(c), " " + (c["deviation-title"] || "")], row, 2);
    } else {
      put("case:" + row.id, [el("span", { class: "chip " + c.verdict }, c.verdict), " " + row.id + " — no known cause: ",
        el("span", { class: "why" }, c.reason || "")], row, 1);
    }
  }
  return [...groups.values()].sort((a, b) => a.rank - b.rank || b.list.length - a.list.length);
}
function bySection(list) {
  const groups = new Map();
  for (const row of list) {
    const s = sectionOf(row);
    const key = s.doc + "|" + s.section;
    if (!groups.has(key))
      groups.set(key, { title: [s.sid ? el("a", { href: "#" + s.sid }, s.doc + " § " + s.section) : s.section], list: [] });
    groups.get(key).list.push(row);
  }
  return [...groups.values()].sort((a, b) => b.list.length - a.list.length);
}
function failures(shown) {
  const f = $("failures");
  f.textContent = "";
  const list = shown.filter((r) => r.family !== "security" && r.failing);
  const hb = el("h2", null, (MULTI ? "Failing rows" : "Failures") + " (" + list.length + ")");
  const gb = (g, label) => {
    const b = el("button", { type: "button", class: st.group === g ? "on" : "", id: "group-" + g }, label);
    b.onclick = () => { st.group = g; draw(); };
    return b;
  };
  f.append(hb, el("p", null, "Group by: ", gb("cause", "root cause"), " ", gb("section", "spec section")));
  if (!list.length) {
    f.append(el("p", { class: "empty" }, rows.some((r) => r.failing && r.family !== "security")
      ? "no failing run matches the filters" : "No failures: every conformance run held or was graded INFO/SKIP."));
    return;
  }
  const groups = st.group === "section" ? bySection(list) : byCause(list);
  if (st.group === "cause") {
    const n = (rank) => groups.filter((g) => g.rank === rank).reduce((a, g) => a + g.list.length, 0);
    f.append(el("p", null, list.length + " failing run" + (list.length === 1 ? "" : "s") + ": " +
      n(0) + " under a root cause (a failed preamble), " + n(1) + " with no known cause, " +
      n(2) + " explained by a known deviation."));
  }
  /* small groups open, large ones folded so the next causes stay in view */
  groups.forEach((g, i) => f.append(group(g.title, g.list, groups.length <= 2 || (i < 8 && g.list.length <= 12))));
}

/* ---- the security pack, by severity */
function security(shown) {
  const s = $("security");
  s.textContent = "";
  const all = rows.filter((r) => r.family === "security");
  if (!all.length) return;
  const list = shown.filter((r) => r.family === "security");
  const rank = (r) => {
    const failing = r.cells.some((c) => c && FAILING.has(c.verdict)) ? 0 : 1;
    return SEV.indexOf(r.severity) * 10 + failing;
  };
  list.sort((a, b) => rank(a) - rank(b) || a.order - b.order);
  s.append(el("h2", null, "Security pack (" + all.length + " case-runs, reported apart from the score), by severity"));
  if (!list.length) { s.append(el("p", { class: "empty" }, "nothing matches the filters")); return; }
  for (const sev of SEV) {
    const l = list.filter((r) => r.severity === sev);
    if (l.length) s.append(group([el("span", { class: "chip sev-" + sev }, sev)], l, true, "sec-" + sev));
  }
}

/* ---- counts per area (matrix) and every run */
function areas(shown) {
  const a = $("areas");
  a.textContent = "";
  if (!MULTI) return;
  const names = [...new Set(shown.map((r) => r.area))].sort();
  a.append(el("h2", null, "Counts per area (passed / runs; failed in red)"));
  const t = el("table", { class: "areas" }, el("tr", null, el("th", null, "area"), ...R.map((r) => el("th", null, r.name))));
  for (const n of names) {
    const l = shown.filter((r) => r.area === n);
    const tr = el("tr", null, el("td", null, el("a", { href: "?area=" + encodeURIComponent(n) }, n)));
    R.forEach((rep, k) => {
      const cs = l.map((r) => r.cells[k]).filter((c) => c);
      const ok = cs.filter((c) => ["PASS", "INFO", "NON-STRICT"].includes(c.verdict)).length;
      const bad = cs.filter((c) => c.verdict === "FAIL" || c.verdict === "BLOCKED").length;
      tr.append(el("td", { class: bad ? "bad" : "" }, ok + " / " + cs.length + (bad ? " (" + bad + " failed)" : "")));
    });
    t.append(tr);
  }
  a.append(t);
}
function runsList(shown) {
  const a = $("runs");
  a.textContent = "";
  const list = shown.filter((r) => r.family !== "security");
  a.append(el("h2", null, (MULTI ? "Every case-run, by area" : "Every conformance run") + " (" + list.length + " shown)"));
  if (!MULTI) { a.append(table(list)); return; }
  const names = [...new Set(list.map((r) => r.area))].sort();
  for (const n of names) {
    const l = list.filter((r) => r.area === n);
    const nd = l.filter((r) => r.differs).length;
    a.append(group([n, el("span", { class: "n" }, nd ? ", " + nd + " differ" : "")], l, nd > 0 || names.length < 4));
  }
}

function draw() {
  const shown = rows.filter(shows);
  $("count").textContent = shown.length + " of " + rows.length + " shown";
  failures(shown);
  security(shown);
  areas(shown);
  runsList(shown);
  saveState();
}

/* ---- links into the rendered spec and the known deviations. A tag or a deviation opens
 * a panel with its sentence (or entry) over the list, so the list stays in place; "open
 * in the document" opens the rendered document there. Other links open what holds them. */
function reveal(id) {
  const t = document.getElementById(id);
  if (!t) return false;
  for (let p = t.parentElement; p; p = p.parentElement) if (p.tagName === "DETAILS") p.open = true;
  t.scrollIntoView({ block: "center" });
  document.querySelectorAll(".hl").forEach((x) => x.classList.remove("hl"));
  t.classList.add("hl");
  return true;
}
function peek(id) {
  const t = document.getElementById(id);
  if (!t || !(t.classList.contains("rule") || t.classList.contains("dev"))) return false;
  const p = $("peek");
  p.textContent = "";
  const body = el("div", { class: "doc" });
  if (t.classList.contains("rule")) {
    const i = TAGS[id] || {};
    p.append(el("div", { class: "meta" }, (i.doc || "") + " § " + (i.section || "") + (i.level ? " — " + i.level : "")));
    body.append(el("p", null, t.cloneNode(true)));
  } else { /* a known deviation: its heading and every block up to the next entry */
    const h = t.parentElement;
    body.append(h.cloneNode(true));
    for (let s = h.nextElementSibling; s && !/^H[1-3]$/.test(s.tagName); s = s.nextElementSibling) body.append(s.cloneNode(true));
  }
  body.querySelectorAll("[id]").forEach((x) => x.removeAttribute("id"));
  const go = el("a", { href: "#" + id }, "open in the document");
  go.addEventListener("click", (e) => { e.preventDefault(); e.stopPropagation(); p.hidden = true; reveal(id); });
  const close = el("button", { type: "button" }, "close");
  close.onclick = () => { p.hidden = true; };
  p.append(body, el("div", { class: "peekbar" }, go, " ", close));
  p.hidden = false;
  return true;
}
document.addEventListener("click", (e) => {
  const a = e.target.closest("a[href^='#']");
  if (!a) return;
  const id = decodeURIComponent(a.getAttribute("href").slice(1));
  if (peek(id) || reveal(id)) e.preventDefault();
});

header();
bar();
draw();
{
  /* ?view=security (failures, runs, areas, docs): that section alone under the header */
  const view = new URLSearchParams(location.search).get("view");
  const parts = ["failures", "security", "areas", "runs", "docs"];
  if (view && parts.includes(view)) {
    $("sum").hidden = true;
    for (const x of parts) if (x !== view) $(x).hidden = true;
    $("head").append(el("p", { class: "meta" }, "Showing the " + view + " section only: ",
      el("a", { href: location.pathname }, "show everything")));
  }
  /* ?peek=EIO-HB-3: that tag's sentence (or a deviation's entry, dev-N-3) in the panel */
  const pk = new URLSearchParams(location.search).get("peek");
  if (pk) peek(pk);
  else if (location.hash) {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!peek(id)) reveal(id);
  }
}
