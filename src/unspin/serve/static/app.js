/* unspin page: paste or upload, scan, review every finding, download. No dependencies. */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const state = {
    text: "",
    docId: "pasted text",
    report: null,
    findings: [], // kept (non-overlapping) findings, in text order, with .status and .choice
    view: "original",
    selected: -1,
  };

  // ------------------------------------------------------------------ helpers

  function band(confidence) {
    if (confidence >= 0.8) return "high";
    if (confidence >= 0.5) return "medium";
    return "low";
  }

  function percent(x) {
    return Math.round(x * 100) + "%";
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "className") node.className = v;
      else node.setAttribute(k, v);
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setStatus(message) {
    $("status").textContent = message;
  }

  function showError(err) {
    const box = $("error");
    if (!err) {
      box.hidden = true;
      box.textContent = "";
      return;
    }
    box.hidden = false;
    box.textContent = err.code ? `${err.message} (${err.code})` : String(err.message || err);
  }

  async function callApi(path, body) {
    const init = { method: "POST", body };
    if (typeof body === "string") init.headers = { "Content-Type": "application/json" };
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw { code: "network", message: "The unspin server did not answer. Is it still running?" };
    }
    let payload = null;
    try {
      payload = await response.json();
    } catch (e) {
      payload = null;
    }
    if (!response.ok) {
      const err = payload && payload.code ? payload : { code: "http_" + response.status, message: response.statusText };
      if (response.status === 503) {
        const wait = response.headers.get("Retry-After") || "a few";
        err.message = `The server is busy. Try again in ${wait} seconds.`;
      }
      throw err;
    }
    return payload;
  }

  // ------------------------------------------------------------------ input

  async function analyse(event) {
    if (event) event.preventDefault();
    const text = $("text-input").value;
    if (!text.trim()) {
      showError({ message: "Paste some text or upload a file first." });
      $("text-input").focus();
      return;
    }
    busy(true, "Checking the text…");
    try {
      const report = await callApi("/api/scan", JSON.stringify({ text, doc_id: state.docId }));
      load(text, report);
      setStatus(`${report.findings.length} finding${report.findings.length === 1 ? "" : "s"} in ${report.words} words.`);
    } catch (err) {
      showError(err);
      setStatus("");
    } finally {
      busy(false);
    }
  }

  async function upload(file) {
    if (!file) return;
    $("file-name").textContent = file.name;
    const form = new FormData();
    form.append("file", file, file.name);
    busy(true, `Reading ${file.name}…`);
    try {
      const extracted = await callApi("/api/extract", form);
      $("text-input").value = extracted.text;
      state.docId = file.name;
      busy(false);
      await analyse();
    } catch (err) {
      showError(err);
      setStatus("");
      busy(false);
    }
  }

  function busy(on, message) {
    $("analyse-button").disabled = on;
    $("input-form").setAttribute("aria-busy", on ? "true" : "false");
    if (on) {
      showError(null);
      setStatus(message || "Working…");
    }
  }

  // ------------------------------------------------------------------ model of the result

  function keepNonOverlapping(findings) {
    const sorted = findings
      .map((f, i) => ({ ...f, index: i }))
      .sort((a, b) => a.span.start - b.span.start || (b.span.end - b.span.start) - (a.span.end - a.span.start) || b.confidence - a.confidence);
    const kept = [];
    for (const f of sorted) {
      const last = kept[kept.length - 1];
      if (last && f.span.start < last.span.end) {
        last.overlapping.push(f);
        continue;
      }
      kept.push({ ...f, overlapping: [], status: "proposed", choice: f.suggestion });
    }
    return kept;
  }

  // The server counts code points (Python); JavaScript strings count UTF-16 units, and an emoji
  // is two of them. Every span is converted here, once: the rest of the page slices with .span.
  function utf16Offsets(text) {
    const out = [];
    let units = 0;
    for (const ch of text) {
      out.push(units);
      units += ch.length;
    }
    out.push(units);
    return out;
  }

  function withUtf16Spans(text, findings) {
    const units = utf16Offsets(text);
    const at = (i) => units[Math.min(Math.max(i, 0), units.length - 1)];
    return findings.map((f) => ({ ...f, codepoints: { start: f.span.start, end: f.span.end },
      span: { start: at(f.span.start), end: at(f.span.end) } }));
  }

  function load(text, report) {
    state.text = text;
    state.report = report;
    state.findings = keepNonOverlapping(withUtf16Spans(text, report.findings || []));
    state.selected = -1;
    $("result").hidden = false;
    renderSummary();
    setView("original");
    closeDetail();
  }

  // As unspin.text.apply_restoration: "a"/"an" before a replacement agrees with it, and a
  // replacement starting a sentence keeps the capital the replaced words had.
  function article(word) {
    if (!word || !/^[A-Za-z]/.test(word) || (word.length > 1 && word === word.toUpperCase())) return null;
    if (/^(?:uni(?!nform|mport|nterest|nten)|use|usu|ura|uro|eu|ewe|one\b|once\b|ubiq|u[bcfhjkqrstn][aeiou])/i.test(word)) return "a";
    return /^(?:hour|honest|honou?r|heir|[aeiou])/i.test(word) ? "an" : "a";
  }

  function agree(before, replacement) {
    const m = /\b([Aa]n?)(\s+)$/.exec(before);
    const word = /^\W*([A-Za-z][\w'-]*)/.exec(replacement);
    if (!m || !word) return before;
    const wanted = article(word[1]);
    if (!wanted || m[1].toLowerCase() === wanted) return before;
    const cased = m[1][0] === "A" ? wanted[0].toUpperCase() + wanted.slice(1) : wanted;
    return before.slice(0, m.index) + cased + m[2];
  }

  function restoredText() {
    let out = "";
    let cursor = 0;
    for (const f of state.findings) {
      out += state.text.slice(cursor, f.span.start);
      const observed = state.text.slice(f.span.start, f.span.end);
      if (f.status === "rejected") {
        out += observed;
      } else {
        let choice = f.choice;
        if (/(^|[.!?]["'”’)\]]*\s+|\n\s*\n\s*)$/.test(out) && /^[A-Z]/.test(observed)) {
          choice = choice.charAt(0).toUpperCase() + choice.slice(1);
        }
        out = agree(out, choice) + choice;
      }
      cursor = f.span.end;
    }
    return out + state.text.slice(cursor);
  }

  // ------------------------------------------------------------------ rendering

  function renderSummary() {
    const r = state.report;
    const p = r.spin_probability;
    $("spin-probability").textContent = percent(p);
    $("spin-meter").style.width = percent(p);
    $("spin-meter").className = "meter-fill " + (r.spun ? "meter-spun" : p >= 0.3 ? "meter-unsure" : "meter-clean");
    $("verdict").textContent = r.spun
      ? "This text looks spun: it reads like the output of a synonym-swapping tool."
      : p >= 0.3
        ? "Some signs of spinning, not enough to be sure."
        : "No clear sign of spinning.";
    $("reason").textContent = r.reason || scoreReason(r, state.findings);
    const n = state.findings.length;
    $("counts").textContent =
      `${n} suspicious phrase${n === 1 ? "" : "s"} in ${r.words} words ` +
      `(${r.findings_per_1k.toFixed(1)} per 1,000 words).`;
  }

  // Wording as unspin.messages; the server's own "message"/"reason" fields win when present.
  function message(f) {
    if (f.message) return f.message;
    if (f.kind === "fingerprint") {
      return f.suggestion && f.suggestion.toLowerCase() !== f.observed.toLowerCase()
        ? `Known tortured phrase for '${f.suggestion}' (listed by the Problematic Paper Screener).`
        : "Known tortured phrase (on a published list of tortured phrases); the list gives no original wording.";
    }
    return `Unusual wording: spinners turn '${f.suggestion}' into this.`;
  }

  function foundBy(f) {
    if (f.kind === "fingerprint") return "list of known tortured phrases";
    return String(f.rule || "").startsWith("screen:") ? "screener (fast single pass)" : "restorer (full decoding)";
  }

  function scoreReason(r, findings) {
    const known = findings.filter((f) => f.kind === "fingerprint").length;
    const model = findings.length - known;
    const parts = [];
    if (known) parts.push(`${known} known tortured phrase${known === 1 ? "" : "s"} from a published list`);
    if (model) parts.push(`${model} wording${model === 1 ? "" : "s"} a synonym-swapping tool typically produces`);
    const p = percent(r.spin_probability);
    if (!parts.length) return r.spun ? `The words as a whole read like a synonym-swapper's output (${r.words} words).`
      : `No known tortured phrase and no likely swap in ${r.words} words.`;
    const found = parts.join(" and ");
    if (known && r.spun) return `Scored ${p} because the text contains ${found}; a listed phrase is strong evidence on its own.`;
    if (r.spun) return `Scored ${p} because ${found} turned up in ${r.words} words, more than clean text shows.`;
    return `Scored ${p}: ${found} in ${r.words} words, within what clean text sometimes shows.`;
  }

  function renderDoc() {
    const doc = $("doc");
    doc.textContent = "";
    let cursor = 0;
    state.findings.forEach((f, i) => {
      doc.append(document.createTextNode(state.text.slice(cursor, f.span.start)));
      doc.append(findingNode(f, i));
      cursor = f.span.end;
    });
    doc.append(document.createTextNode(state.text.slice(cursor)));
    if (!state.findings.length) {
      doc.append(el("p", { className: "no-findings" }, "No tortured phrases found."));
    }
  }

  function findingNode(f, i) {
    const restored = state.view === "restored" && f.status !== "rejected";
    const shown = restored ? f.choice : state.text.slice(f.span.start, f.span.end);
    const node = el("span", {
      className: `finding conf-${band(f.confidence)} status-${f.status}` + (restored ? " shows-restored" : ""),
      role: "button",
      tabindex: "0",
      "data-index": String(i),
      "aria-pressed": i === state.selected ? "true" : "false",
      "aria-label": `${shown}: ${restored ? "restored from" : "suspicious phrase, proposed"} ` +
        `“${restored ? f.observed : f.choice}”, ${band(f.confidence)} confidence, ${f.status}`,
    }, shown);
    if (i === state.selected) node.classList.add("selected");
    return node;
  }

  function setView(view) {
    state.view = view;
    for (const id of ["view-original", "view-restored"]) {
      const button = $(id);
      button.setAttribute("aria-pressed", button.dataset.view === view ? "true" : "false");
    }
    $("doc").classList.toggle("view-restored", view === "restored");
    renderDoc();
  }

  // ------------------------------------------------------------------ detail panel

  function select(i, focusPanel) {
    if (i < 0 || i >= state.findings.length) return;
    state.selected = i;
    renderDoc();
    renderDetail();
    const node = $("doc").querySelector(`[data-index="${i}"]`);
    if (node && !focusPanel) node.focus();
    if (node) node.scrollIntoView({ block: phoneLayout() ? "start" : "nearest" });
    if (focusPanel) $("accept-button").focus();
  }

  function phoneLayout() {
    return window.matchMedia("(max-width: 760px)").matches;
  }

  function renderDetail() {
    const f = state.findings[state.selected];
    const panel = $("detail");
    document.body.classList.toggle("sheet-open", Boolean(f));
    if (!f) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    $("detail-heading").textContent = f.kind === "fingerprint" ? "Known tortured phrase" : "Likely swapped wording";
    $("detail-message").textContent = message(f);
    $("detail-observed").textContent = f.observed;
    $("detail-choice").textContent = f.choice;
    $("detail-meta").textContent =
      `Confidence ${percent(f.confidence)} (${band(f.confidence)}) · status: ${f.status}` +
      (f.rule ? ` · rule: ${f.rule}` : "");
    renderAlternatives(f);
    renderEvidence(f);
    $("accept-button").setAttribute("aria-pressed", f.status === "accepted" ? "true" : "false");
    $("reject-button").setAttribute("aria-pressed", f.status === "rejected" ? "true" : "false");
    $("accept-button").textContent = f.status === "accepted" ? "Accepted ✓" : "Accept";
    $("reject-button").textContent = f.status === "rejected" ? "Rejected ✓" : "Reject";
    $("detail-position").textContent = `${state.selected + 1} of ${state.findings.length}`;
    $("prev-button").disabled = state.selected === 0;
    $("next-button").disabled = state.selected === state.findings.length - 1;
  }

  function renderAlternatives(f) {
    const list = $("detail-alternatives");
    list.textContent = "";
    const options = [];
    const seen = new Set();
    for (const a of [{ text: f.suggestion, score: null }, ...(f.alternatives || [])]) {
      const key = a.text.toLowerCase();
      if (seen.has(key) && a.score === null) continue;
      if (seen.has(key)) {
        const known = options.find((o) => o.text.toLowerCase() === key);
        if (known && known.score === null) known.score = a.score;
        continue;
      }
      seen.add(key);
      options.push({ ...a });
    }
    for (const option of options) {
      const isObserved = option.text.toLowerCase() === f.observed.toLowerCase();
      const chosen = f.status === "rejected" ? isObserved : option.text === f.choice;
      const button = el("button", {
        type: "button",
        className: "alternative" + (chosen ? " chosen" : ""),
        "aria-pressed": chosen ? "true" : "false",
      });
      button.append(el("span", { className: "alt-text" }, option.text));
      const note = (option.score === null ? "" : percent(option.score)) + (isObserved ? " · as written" : "");
      if (note) button.append(el("span", { className: "alt-score" }, note));
      button.addEventListener("click", () => {
        if (isObserved) return decide("rejected");
        f.choice = option.text;
        decide("accepted", false);
      });
      const item = el("li");
      item.append(button);
      list.append(item);
    }
    $("detail-alternatives-box").hidden = options.length < 2;
  }

  function renderEvidence(f) {
    const dl = $("detail-evidence");
    dl.textContent = "";
    const ev = f.evidence || {};
    const rows = [];
    rows.push(["Found by", foundBy(f)]);
    if (ev.sources && ev.sources.length) rows.push(["Thesaurus sources", ev.sources.join(", ")]);
    if (typeof ev.lm_gain === "number") {
      const reads = ev.lm_gain > 4.6 ? "the original reads far more naturally"
        : ev.lm_gain > 0 ? "the original reads more naturally" : "no gain in fluency";
      rows.push(["Language-model gain", `${ev.lm_gain.toFixed(2)} nats (${reads})`]);
    }
    if (typeof ev.channel === "number") rows.push(["Swap likelihood", `${ev.channel.toFixed(2)} (log P(found | original))`]);
    if (typeof ev.doc_prior === "number" && ev.doc_prior) rows.push(["Same swap elsewhere in text", `+${ev.doc_prior.toFixed(2)}`]);
    for (const [k, v] of Object.entries(ev)) {
      if (["sources", "lm_gain", "channel", "doc_prior"].includes(k) || v === null || typeof v === "object") continue;
      rows.push([k.replace(/_/g, " "), String(v)]);
    }
    if (f.overlapping.length) rows.push(["Also matched", f.overlapping.map((o) => `“${o.observed}” → “${o.suggestion}”`).join("; ")]);
    if (!rows.length) rows.push(["Evidence", "none reported"]);
    for (const [k, v] of rows) {
      dl.append(el("dt", {}, k), el("dd", {}, v));
    }
  }

  function decide(status, toggle = true) {
    const f = state.findings[state.selected];
    if (!f) return;
    f.status = toggle && f.status === status ? "proposed" : status;
    renderDoc();
    renderDetail();
    setStatus(`“${f.observed}” ${f.status === "proposed" ? "back to proposed" : f.status}` +
      (f.status === "accepted" ? ` as “${f.choice}”.` : "."));
  }

  function decideAll(status) {
    for (const f of state.findings) f.status = status;
    renderDoc();
    renderDetail();
    setStatus(`All ${state.findings.length} findings ${status}.`);
  }

  function closeDetail() {
    const previous = state.selected;
    state.selected = -1;
    $("detail").hidden = true;
    document.body.classList.remove("sheet-open");
    renderDoc();
    const node = $("doc").querySelector(`[data-index="${previous}"]`);
    if (node) node.focus();
  }

  // ------------------------------------------------------------------ downloads

  function download(name, type, content) {
    const url = URL.createObjectURL(new Blob([content], { type }));
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function baseName() {
    return (state.docId || "text").replace(/\.[^.]+$/, "").replace(/[^\w.-]+/g, "_") || "text";
  }

  function resultJson() {
    return {
      report: state.report,
      text: state.text,
      restored: restoredText(),
      decisions: state.findings.map((f) => ({
        start: f.codepoints.start, end: f.codepoints.end, observed: f.observed,
        suggestion: f.suggestion, chosen: f.status === "rejected" ? f.observed : f.choice, status: f.status,
      })),
    };
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  // The downloaded report embeds the stylesheet and legend every unspin report uses (from the server).
  async function shared(path) {
    try {
      const response = await fetch(path);
      return response.ok ? await response.text() : "";
    } catch (e) {
      return "";
    }
  }

  function level(confidence) {
    return confidence >= 0.8 ? "high" : confidence >= 0.5 ? "medium" : "low";
  }

  async function htmlReport() {
    const r = state.report;
    const [css, legend] = await Promise.all([shared("/report.css"), shared("/report-legend.html")]);
    let body = "";
    let cursor = 0;
    for (const f of state.findings) {
      body += escapeHtml(state.text.slice(cursor, f.span.start));
      const observed = escapeHtml(state.text.slice(f.span.start, f.span.end));
      const kind = f.kind === "fingerprint" ? " fingerprint" : "";
      body += f.status === "rejected"
        ? `<span class="kept" title="rejected">${observed}</span>`
        : `<del><mark class="${level(f.confidence)}${kind}" title="${escapeHtml(message(f))}">${observed}</mark></del>` +
          `<ins class="${band(f.confidence)}">${escapeHtml(f.choice)}</ins>`;
      cursor = f.span.end;
    }
    body += escapeHtml(state.text.slice(cursor));
    const rows = state.findings.map((f, i) =>
      `<tr><td>${i + 1}</td><td>${escapeHtml(f.observed)}</td><td>${escapeHtml(f.choice)}</td>` +
      `<td>${escapeHtml(message(f))}</td><td class="num">${percent(f.confidence)}</td><td>${escapeHtml(foundBy(f))}</td>` +
      `<td>${f.status}</td><td>${escapeHtml((f.alternatives || []).map((a) => `${a.text} (${percent(a.score)})`).join(", "))}</td></tr>`).join("");
    const n = state.findings.length;
    return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>unspin report: ${escapeHtml(state.docId)}</title>
<style>${css}</style></head><body><h1>unspin report</h1><p>Document: <strong>${escapeHtml(state.docId)}</strong></p>
<p>Spin probability: <span class="big">${percent(r.spin_probability)}</span> — ${r.spun ? "looks spun" : "not judged spun"};
${n} finding${n === 1 ? "" : "s"} in ${r.words} words (${r.findings_per_1k.toFixed(1)} per 1,000).</p>
<p class="reason">${escapeHtml(r.reason || scoreReason(r, state.findings))}</p>
${legend}
<h2>Text with proposed originals</h2><div class="text">${body}</div>
<details class="numbers"><summary>Details: the numbers behind each change</summary><table><thead><tr><th>#</th><th>Found</th><th>Original</th><th>Message</th>
<th>Confidence</th><th>Found by</th><th>Decision</th><th>Alternatives</th></tr></thead><tbody>${rows}</tbody></table></details>
<h2>Restored text</h2><div class="text">${escapeHtml(restoredText())}</div>
<p><small>Made by unspin on ${new Date().toISOString()}.</small></p></body></html>`;
  }

  // ------------------------------------------------------------------ events

  function wire() {
    $("input-form").addEventListener("submit", analyse);
    $("text-input").addEventListener("input", () => {
      state.docId = "pasted text";
      $("file-name").textContent = "";
    });
    $("file-input").addEventListener("change", (e) => upload(e.target.files[0]));

    const zone = $("drop-zone");
    zone.addEventListener("dragover", (e) => {
      e.preventDefault();
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("dragging");
      if (e.dataTransfer.files.length) upload(e.dataTransfer.files[0]);
    });

    const doc = $("doc");
    doc.addEventListener("click", (e) => {
      const node = e.target.closest(".finding");
      if (node) select(Number(node.dataset.index));
    });
    doc.addEventListener("keydown", (e) => {
      const node = e.target.closest(".finding");
      if (node && (e.key === "Enter" || e.key === " ")) {
        e.preventDefault();
        select(Number(node.dataset.index), e.key === "Enter");
      }
    });

    for (const id of ["view-original", "view-restored"]) {
      $(id).addEventListener("click", (e) => setView(e.currentTarget.dataset.view));
    }
    $("accept-button").addEventListener("click", () => decide("accepted"));
    $("reject-button").addEventListener("click", () => decide("rejected"));
    $("prev-button").addEventListener("click", () => select(state.selected - 1, true));
    $("next-button").addEventListener("click", () => select(state.selected + 1, true));
    $("detail-close").addEventListener("click", closeDetail);
    $("accept-all").addEventListener("click", () => decideAll("accepted"));
    $("reject-all").addEventListener("click", () => decideAll("rejected"));
    $("download-json").addEventListener("click", () =>
      download(`${baseName()}.unspin.json`, "application/json", JSON.stringify(resultJson(), null, 2)));
    $("download-html").addEventListener("click", async () =>
      download(`${baseName()}.unspin.html`, "text/html", await htmlReport()));
    $("edit-text").addEventListener("click", () => {
      $("text-input").focus();
      $("text-input").scrollIntoView({ block: "center" });
    });

    document.addEventListener("keydown", shortcut);
  }

  function shortcut(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || !state.report) return;
    const tag = (e.target.tagName || "").toLowerCase();
    if (tag === "textarea" || tag === "input") return;
    const n = state.findings.length;
    const key = e.key;
    if (key === "Escape" && state.selected >= 0) closeDetail();
    else if ((key === "n" || key === "j") && n) select(Math.min(state.selected + 1, n - 1));
    else if ((key === "p" || key === "k") && n) select(Math.max(state.selected - 1, 0));
    else if (key === "a" && state.selected >= 0) decide("accepted");
    else if (key === "r" && state.selected >= 0) decide("rejected");
    else if (key === "t") setView(state.view === "original" ? "restored" : "original");
    else return;
    e.preventDefault();
  }

  // Exposed for tests and for the console: the current restored text.
  window.unspin = { restoredText: () => restoredText(), state };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
