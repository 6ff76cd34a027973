// drydock report html: renders the repository table from the embedded JSON (src/report/html/).
// Every value from the reports goes into the page through textContent, never innerHTML; links
// are only the http(s) URLs drydock built. Filters, sort and page live in location.hash, so a
// filtered view is a link: #state=open&severity=error&rule=base-image/eol&q=api&sort=errors&dir=desc&page=2
"use strict";
(function () {
  const PAGE_SIZE = 100;
  const errorBox = document.getElementById("errors");
  function report(message) {
    errorBox.hidden = false;
    errorBox.textContent += message + "\n";
    document.documentElement.dataset.errors = "yes";
  }
  window.addEventListener("error", (e) => report("error: " + e.message));
  window.addEventListener("unhandledrejection", (e) => report("error: " + e.reason));
  document.addEventListener("securitypolicyviolation", (e) =>
    report("blocked by the Content-Security-Policy: " + e.violatedDirective + " " + e.blockedURI));

  const rows = JSON.parse(document.getElementById("drydock-data").textContent);
  const tbody = document.getElementById("rows");
  const controls = {
    state: document.getElementById("f-state"),
    severity: document.getElementById("f-severity"),
    rule: document.getElementById("f-rule"),
    q: document.getElementById("f-q"),
    // Only when a status report was given.
    attention: document.getElementById("f-attention"),
  };
  const SELECTS = ["state", "attention", "severity", "rule"].filter((k) => controls[k]);
  const SEVERITY_RANK = { error: 0, warning: 1, note: 2 };
  const ORDER = {
    state: { open: 0, draft: 1, declined: 2, merged: 3, none: 4, "no-status": 5 },
    checks: { failure: 0, pending: 1, success: 2, none: 3 },
    coverage: { missing: 0, gaps: 0, unknown: 1, ok: 2 },
  };

  function stateOf(row) {
    if (!row.status) return "no-status";
    return row.status.pr ? row.status.pr.state : "none";
  }
  function searchText(row) {
    if (row._text === undefined) {
      const parts = [row.name];
      if (row.check) {
        if (row.check.error) parts.push(row.check.error);
        for (const f of row.check.findings) parts.push(f.rule, f.path, f.message);
      }
      if (row.status && row.status.error) parts.push(row.status.error);
      row._text = parts.join("\n").toLowerCase();
    }
    return row._text;
  }
  function matches(row, f) {
    if (f.state && stateOf(row) !== f.state) return false;
    if (f.attention) {
      const reasons = row.status && row.status.attention ? row.status.attention : [];
      if (f.attention === "human" ? reasons.length === 0 : !reasons.includes(f.attention)) return false;
    }
    const c = row.check;
    if (f.severity) {
      if (f.severity === "clean") {
        if (!c || c.error || c.findings.length > 0) return false;
      } else if (f.severity === "failed") {
        if (!c || !c.error) return false;
      } else if (!c || !c.findings.some((x) => x.severity === f.severity)) {
        return false;
      }
    }
    if (f.rule && (!c || !c.findings.some((x) => x.rule === f.rule))) return false;
    if (f.q && !searchText(row).includes(f.q.toLowerCase())) return false;
    return true;
  }

  const KEYS = {
    name: (r) => r.name,
    errors: (r) => (r.check ? (r.check.error ? 1e9 : r.check.errors * 1e6 + r.check.warnings * 1e3 + r.check.notes) : -1),
    monitor: (r) => (r.check ? ORDER.coverage[r.check.monitor] : 3),
    dependabot: (r) => (r.check ? ORDER.coverage[r.check.dependabot] : 3),
    state: (r) => ORDER.state[stateOf(r)] ?? 6,
    checks: (r) => (r.status && r.status.pr ? ORDER.checks[r.status.pr.checks] ?? 4 : 5),
    age: (r) => (r.status && r.status.pr && r.status.pr.age_days != null ? r.status.pr.age_days : -1),
    compliant: (r) => (r.status ? (r.status.compliant === false ? 0 : r.status.compliant === null ? 1 : 2) : 3),
    measured: (r) => (r.status && r.status.measured_at ? Date.parse(r.status.measured_at) || 0 : 0),
  };

  function readHash() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ""));
    const sort = KEYS[p.get("sort")] ? p.get("sort") : "errors";
    const dir = p.get("dir") === "asc" || p.get("dir") === "desc" ? p.get("dir") : sort === "name" ? "asc" : "desc";
    return {
      state: p.get("state") || "",
      attention: p.get("attention") || "",
      severity: p.get("severity") || "",
      rule: p.get("rule") || "",
      q: p.get("q") || "",
      sort,
      dir,
      page: Math.max(1, parseInt(p.get("page") || "1", 10) || 1),
    };
  }
  function writeHash(view) {
    const p = new URLSearchParams();
    for (const k of ["state", "attention", "severity", "rule", "q"]) if (view[k]) p.set(k, view[k]);
    if (view.sort !== "errors" || view.dir !== "desc") {
      p.set("sort", view.sort);
      p.set("dir", view.dir);
    }
    if (view.page > 1) p.set("page", String(view.page));
    const hash = p.toString();
    if (hash !== location.hash.replace(/^#/, "")) location.hash = hash;
    else render();
  }
  function setSelect(select, value) {
    // A value the page does not offer (an old link) is still applied, and shown as such.
    if (value && !Array.from(select.options).some((o) => o.value === value)) {
      const o = document.createElement("option");
      o.value = value;
      o.textContent = value;
      select.appendChild(o);
    }
    select.value = value;
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function link(url, text) {
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) return el("span", text);
    const a = el("a", text);
    a.href = url;
    a.rel = "noopener noreferrer";
    return a;
  }
  function cell(tr, child, cls) {
    const td = el("td", undefined, cls);
    if (child instanceof Node) td.appendChild(child);
    else if (child !== undefined && child !== null) td.textContent = String(child);
    tr.appendChild(td);
    return td;
  }
  function findingsCell(c) {
    if (!c) return el("span", "–", "muted");
    if (c.findings.length === 0) return el("span", c.waived ? c.waived + " waived" : "none", "muted");
    const details = el("details");
    const summary = el("summary");
    for (const [n, sev] of [[c.errors, "error"], [c.warnings, "warning"], [c.notes, "note"]]) {
      if (n > 0) summary.appendChild(el("span", n + " " + sev + (n === 1 ? "" : "s"), "badge " + sev));
    }
    if (c.waived) summary.appendChild(el("span", c.waived + " waived", "muted"));
    details.appendChild(summary);
    const list = el("ul", undefined, "findings");
    const sorted = c.findings.slice().sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
    for (const f of sorted) {
      const li = el("li");
      li.appendChild(el("span", f.severity, "badge " + f.severity));
      li.appendChild(el("code", f.rule, "rule"));
      li.appendChild(link(f.url, f.line ? f.path + ":" + f.line : f.path));
      li.appendChild(el("div", f.message, "message"));
      if (f.fix) li.appendChild(el("div", f.fix, "fix"));
      list.appendChild(li);
    }
    details.appendChild(list);
    return details;
  }
  function rowElement(r) {
    const tr = el("tr");
    tr.dataset.repo = r.name;
    tr.dataset.state = stateOf(r);
    cell(tr, link(r.url, r.name), "name");
    const c = r.check;
    if (!c) cell(tr, "no check report", "muted");
    else if (c.error) cell(tr, el("span", "not checked: " + c.error, "error"));
    else cell(tr, c.errors > 0 ? "fail" : "pass", c.errors > 0 ? "error" : "ok");
    cell(tr, findingsCell(c));
    cell(tr, c ? c.monitor : "–", c && c.monitor !== "ok" ? "warning" : "");
    cell(tr, c ? c.dependabot : "–", c && c.dependabot !== "ok" ? "warning" : "");
    const s = r.status;
    const pr = s && s.pr;
    if (!s) cell(tr, "no status report", "muted");
    else if (s.error) cell(tr, el("span", "unread: " + s.error, "error"));
    else if (!pr) cell(tr, "none", "muted");
    else {
      const span = el("span");
      span.appendChild(link(pr.url, "#" + pr.number));
      span.appendChild(document.createTextNode(" " + pr.state));
      cell(tr, span, "state-" + pr.state);
    }
    if (s && s.attention) {
      const td = tr.lastChild;
      for (const reason of s.attention) td.appendChild(el("span", reason.replace(/_/g, " "), "badge attention"));
    }
    cell(tr, pr ? pr.checks : "", pr ? "checks-" + pr.checks : "");
    const review = pr ? [pr.review, pr.mergeable === false ? "conflicts" : pr.mergeable ? "mergeable" : null].filter(Boolean).join(", ") : "";
    cell(tr, review, pr && pr.mergeable === false ? "error" : "");
    cell(tr, pr && pr.age_days != null ? pr.age_days + " d" : "", "n");
    const compliant = s ? (s.compliant === true ? "yes" : s.compliant === false ? "no" : "unknown") : "";
    cell(tr, compliant, compliant === "no" ? "error" : compliant === "yes" ? "ok" : "muted");
    const measured = s && s.measured_at ? el("time", s.measured_at) : null;
    if (measured) {
      measured.dateTime = s.measured_at;
      measured.textContent = ago(s.measured_at) || s.measured_at;
      measured.title = s.measured_at;
    }
    cell(tr, measured, "muted");
    return tr;
  }

  function ago(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return "";
    const minutes = Math.round((Date.now() - t) / 60000);
    if (minutes < 0) return "in the future";
    if (minutes < 60) return minutes + " min ago";
    const hours = Math.round(minutes / 60);
    if (hours < 48) return hours + " h ago";
    return Math.round(hours / 24) + " days ago";
  }

  let view = readHash();
  function render() {
    view = readHash();
    for (const k of SELECTS) setSelect(controls[k], view[k]);
    controls.q.value = view.q;
    const key = KEYS[view.sort];
    const sign = view.dir === "asc" ? 1 : -1;
    const shown = rows.filter((r) => matches(r, view));
    shown.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const primary = x < y ? -1 : x > y ? 1 : 0;
      return primary * sign || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    const page = Math.min(view.page, pages);
    const fragment = document.createDocumentFragment();
    for (const r of shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)) fragment.appendChild(rowElement(r));
    tbody.replaceChildren(fragment);
    document.getElementById("shown-count").textContent = String(shown.length);
    document.getElementById("page").textContent = "page " + page + " of " + pages;
    document.getElementById("prev").disabled = page <= 1;
    document.getElementById("next").disabled = page >= pages;
    for (const b of document.querySelectorAll("button[data-sort]")) {
      b.classList.toggle("sorted", b.dataset.sort === view.sort);
      b.dataset.dir = b.dataset.sort === view.sort ? view.dir : "";
    }
    view.page = page;
  }

  function fromControls() {
    return {
      state: controls.state.value,
      attention: controls.attention ? controls.attention.value : "",
      severity: controls.severity.value,
      rule: controls.rule.value,
      q: controls.q.value.trim(),
      sort: view.sort,
      dir: view.dir,
      page: 1,
    };
  }
  for (const k of SELECTS) controls[k].addEventListener("change", () => writeHash(fromControls()));
  let typing;
  controls.q.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => writeHash(fromControls()), 200);
  });
  document.getElementById("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    writeHash(fromControls());
  });
  document.getElementById("f-reset").addEventListener("click", (e) => {
    e.preventDefault();
    writeHash({ state: "", attention: "", severity: "", rule: "", q: "", sort: "errors", dir: "desc", page: 1 });
  });
  for (const b of document.querySelectorAll("button[data-sort]")) {
    b.addEventListener("click", () => {
      const sort = b.dataset.sort;
      const dir = sort === view.sort ? (view.dir === "asc" ? "desc" : "asc") : sort === "name" ? "asc" : "desc";
      writeHash(Object.assign({}, view, { sort, dir, page: 1 }));
    });
  }
  document.getElementById("prev").addEventListener("click", () => writeHash(Object.assign({}, view, { page: view.page - 1 })));
  document.getElementById("next").addEventListener("click", () => writeHash(Object.assign({}, view, { page: view.page + 1 })));
  window.addEventListener("hashchange", render);

  for (const t of document.querySelectorAll("time[data-ago]")) {
    const a = ago(t.dateTime);
    if (a) t.textContent += " (" + a + ")";
  }
  render();
  document.documentElement.dataset.ready = "yes";
  // Milliseconds from navigation to the first table drawn: what docs/dashboard.md quotes.
  document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
})();
