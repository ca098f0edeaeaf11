// Docker Lab site behaviour: copy buttons, theme toggle, search, small-screen
// menu, the contents box across the phone breakpoint, expanding folded
// output for printing, links that work from file://.
// Hand-written, no dependencies, no request to another host.
// The pages work without it: commands stay selectable, the theme follows the
// system, the menu is shown in full (only search needs it).
(function () {
  "use strict";

  var root = document.documentElement;
  var status = document.getElementById("copy-status");

  // ---- Copy ---------------------------------------------------------------
  // Every copy button carries its exact text in data-copy (written by the
  // code block hooks), so nothing here has to tell commands from output.

  function announce(msg) {
    if (!status) return;
    status.textContent = "";
    // A fresh text node after a tick makes screen readers repeat the message.
    setTimeout(function () { status.textContent = msg; }, 50);
  }

  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-copy]") : null;
    if (!btn) return;
    copyText(btn.getAttribute("data-copy")).then(function () {
      btn.classList.add("is-copied");
      announce("Copied");
      clearTimeout(btn._copyTimer);
      btn._copyTimer = setTimeout(function () { btn.classList.remove("is-copied"); }, 1600);
    }, function () {
      announce("Copy failed: select the text and copy it by hand");
    });
  });

  // ---- Theme --------------------------------------------------------------
  // Three states: auto (no data-theme, CSS follows prefers-color-scheme),
  // light, dark. The choice is kept in localStorage; the inline script in
  // <head> applies it before the first paint.

  var themeBtn = document.getElementById("theme-toggle");
  var themeState = document.getElementById("theme-state");
  var order = ["auto", "light", "dark"];

  function currentTheme() {
    var t = root.getAttribute("data-theme");
    return t === "light" || t === "dark" ? t : "auto";
  }

  function showTheme() {
    if (themeState) themeState.textContent = currentTheme();
  }

  if (themeBtn) {
    showTheme();
    themeBtn.addEventListener("click", function () {
      var next = order[(order.indexOf(currentTheme()) + 1) % order.length];
      try {
        if (next === "auto") localStorage.removeItem("theme");
        else localStorage.setItem("theme", next);
      } catch (e) { /* private mode: the choice lasts for this page only */ }
      if (next === "auto") root.removeAttribute("data-theme");
      else root.setAttribute("data-theme", next);
      showTheme();
      announce("Theme: " + next);
    });
  }

  // ---- Site root and file:// ---------------------------------------------
  // The site is built with relativeURLs, so it works from any sub-path and
  // from file://. The root is where this script lives, minus "js/site.js".

  var me = document.querySelector('script[src$="js/site.js"]');
  var siteRoot = me ? me.src.replace(/js\/site\.js(?:[?#].*)?$/, "") : "";
  var fromFile = location.protocol === "file:";

  // A browser opening file:///…/lab/ shows a folder listing, not the page:
  // point the site's own links at index.html instead.
  function fileHref(a) {
    if (a.protocol === "file:" && /\/$/.test(a.pathname)) a.pathname += "index.html";
  }
  if (fromFile) Array.prototype.forEach.call(document.links, fileHref);

  // ---- Search -------------------------------------------------------------
  // search-index.js (built by Hugo from layouts/_partials/search/index.html)
  // is loaded with a <script> on first use of the box: a script loads from
  // file:// too, where fetch() of a JSON file is refused. Every term of the
  // query must occur in a page (title, headings, commands or text); title and
  // heading matches rank first.

  var form = document.querySelector(".site-search");
  var input = document.getElementById("search-input");
  var panel = document.getElementById("search-results");
  var list = panel ? panel.querySelector(".search-list") : null;
  var statusLine = panel ? panel.querySelector(".search-status") : null;
  var MAX_HITS = 10;
  var indexState = "idle"; // idle, loading, ready, failed
  var docs = [];

  function lc(s) { return (s || "").toLowerCase(); }

  function pageHref(url, id) {
    var href = siteRoot + String(url || "/").replace(/^\//, "");
    if (fromFile && /\/$/.test(href)) href += "index.html";
    return id ? href + "#" + id : href;
  }

  function prepare(index) {
    docs = (index && index.pages || []).map(function (p, i) {
      return {
        page: p, order: i,
        title: lc(p.title), desc: lc(p.description), text: lc(p.text), code: lc(p.code),
        heads: (p.headings || []).map(function (h) { return lc(h.text); })
      };
    });
    indexState = "ready";
    runSearch();
  }

  function loadIndex() {
    if (indexState !== "idle") return;
    if (window.DockerLabSearchIndex) { prepare(window.DockerLabSearchIndex); return; }
    indexState = "loading";
    var s = document.createElement("script");
    s.src = siteRoot + "search-index.js";
    s.async = true;
    s.onload = function () {
      if (window.DockerLabSearchIndex) prepare(window.DockerLabSearchIndex);
      else s.onerror();
    };
    s.onerror = function () {
      indexState = "failed";
      runSearch();
    };
    document.head.appendChild(s);
  }

  function count(hay, term) {
    var n = 0, i = hay.indexOf(term);
    while (i !== -1 && n < 5) { n++; i = hay.indexOf(term, i + term.length); }
    return n;
  }

  function startsWord(hay, term) {
    var i = hay.indexOf(term);
    while (i !== -1) {
      if (i === 0 || /[^a-z0-9]/.test(hay.charAt(i - 1))) return true;
      i = hay.indexOf(term, i + 1);
    }
    return false;
  }

  function score(d, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i], s = 0;
      if (d.title.indexOf(t) !== -1) s += startsWord(d.title, t) ? 14 : 8;
      if (d.heads.some(function (h) { return h.indexOf(t) !== -1; })) s += 5;
      if (d.code.indexOf(t) !== -1) s += 3;
      if (d.desc.indexOf(t) !== -1) s += 2;
      var n = count(d.text, t);
      if (n) s += 1 + n * 0.3;
      if (!s) return 0; // every term must occur somewhere
      total += s;
    }
    return total;
  }

  // The first heading that contains every term, to link straight to it.
  function bestHeading(d, terms) {
    for (var i = 0; i < d.heads.length; i++) {
      var h = d.heads[i];
      if (terms.every(function (t) { return h.indexOf(t) !== -1; })) return d.page.headings[i];
    }
    return null;
  }

  // Text around the first match: from the prose, else the commands, else the description.
  function snippetOf(d, terms) {
    var sources = [[d.page.text, d.text, ""], [d.page.code, d.code, "$ "], [d.page.description, d.desc, ""]];
    for (var k = 0; k < sources.length; k++) {
      var raw = sources[k][0] || "", low = sources[k][1], at = -1;
      terms.forEach(function (t) {
        var i = low.indexOf(t);
        if (i !== -1 && (at === -1 || i < at)) at = i;
      });
      if (at === -1) continue;
      if (sources[k][2]) { // a command: the whole line
        var from = raw.lastIndexOf("\n", at) + 1, to = raw.indexOf("\n", at);
        return { text: sources[k][2] + raw.slice(from, to === -1 ? raw.length : to), code: true };
      }
      var start = Math.max(0, at - 60), end = Math.min(raw.length, at + 110);
      if (start > 0) { var sp = raw.indexOf(" ", start); if (sp !== -1 && sp < at) start = sp + 1; }
      if (end < raw.length) { var sp2 = raw.lastIndexOf(" ", end); if (sp2 > at) end = sp2; }
      return { text: (start > 0 ? "… " : "") + raw.slice(start, end) + (end < raw.length ? " …" : ""), code: false };
    }
    return { text: d.page.description || "", code: false };
  }

  // Appends text to el with every occurrence of a term wrapped in <mark>.
  function highlight(el, text, terms) {
    var low = text.toLowerCase(), pos = 0;
    while (pos < text.length) {
      var next = -1, len = 0;
      terms.forEach(function (t) {
        var i = low.indexOf(t, pos);
        if (i !== -1 && (next === -1 || i < next || (i === next && t.length > len))) { next = i; len = t.length; }
      });
      if (next === -1) { el.appendChild(document.createTextNode(text.slice(pos))); break; }
      if (next > pos) el.appendChild(document.createTextNode(text.slice(pos, next)));
      var m = document.createElement("mark");
      m.textContent = text.slice(next, next + len);
      el.appendChild(m);
      pos = next + len;
    }
  }

  function span(cls, text) {
    var s = document.createElement("span");
    s.className = cls;
    if (text != null) s.textContent = text;
    return s;
  }

  function openPanel(open) {
    panel.hidden = !open;
  }

  // Results are announced once typing pauses, not on every key.
  var sayTimer = null;
  function setStatus(msg, say) {
    statusLine.textContent = msg;
    clearTimeout(sayTimer);
    if (say) sayTimer = setTimeout(function () { announce(msg); }, 600);
  }

  var lastQuery = null;

  function runSearch() {
    var q = input.value.trim();
    if (q.length < 2) { openPanel(false); lastQuery = null; return; }
    openPanel(true);
    if (indexState === "idle") loadIndex();
    if (indexState === "loading") { setStatus("Loading the search index…"); return; }
    if (indexState === "failed") { setStatus("The search index could not be loaded.", true); return; }
    if (q === lastQuery) return;
    lastQuery = q;
    var terms = lc(q).split(/\s+/).filter(function (t, i, all) { return t && all.indexOf(t) === i; });
    var hits = [];
    docs.forEach(function (d) {
      var s = score(d, terms);
      if (s) hits.push({ d: d, s: s });
    });
    hits.sort(function (a, b) { return b.s - a.s || a.d.order - b.d.order; });
    list.textContent = "";
    hits.slice(0, MAX_HITS).forEach(function (h) {
      var d = h.d, head = bestHeading(d, terms), snip = snippetOf(d, terms);
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.className = "search-hit";
      a.href = pageHref(d.page.url, head && head.id);
      var top = span("hit-top");
      var title = span("hit-title");
      highlight(title, d.page.title, terms);
      top.appendChild(title);
      if (d.page.section) top.appendChild(span("hit-section", d.page.section));
      a.appendChild(top);
      if (head) {
        var where = span("hit-where");
        where.appendChild(document.createTextNode("› "));
        highlight(where, head.text, terms);
        a.appendChild(where);
      }
      if (snip.text) {
        var sn = span("hit-snippet" + (snip.code ? " is-code" : ""));
        highlight(sn, snip.text, terms);
        a.appendChild(sn);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    var n = hits.length;
    setStatus(n === 0 ? "No page matches “" + q + "”." :
      (n > MAX_HITS ? "The " + MAX_HITS + " best of " + n + " pages" : n + (n === 1 ? " page" : " pages")) +
      " for “" + q + "”. Arrow keys move through them.", true);
  }

  function hitLinks() { return Array.prototype.slice.call(list.querySelectorAll("a.search-hit")); }

  function isEditable(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  if (form && input && panel && list && statusLine) {
    input.addEventListener("focus", function () {
      loadIndex();
      if (input.value.trim().length >= 2) runSearch();
    });
    input.addEventListener("input", runSearch);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var first = hitLinks()[0];
      if (first) first.click();
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") {
        if (panel.hidden && input.value.trim().length >= 2) runSearch(); // reopen after Escape
        var first = hitLinks()[0];
        if (first && !panel.hidden) { ev.preventDefault(); first.focus(); }
      } else if (ev.key === "Escape") {
        if (!panel.hidden) { ev.preventDefault(); openPanel(false); }
        else if (input.value) { ev.preventDefault(); input.value = ""; lastQuery = null; }
      }
    });
    panel.addEventListener("keydown", function (ev) {
      var links = hitLinks(), i = links.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && i !== -1) {
        ev.preventDefault();
        if (i + 1 < links.length) links[i + 1].focus();
      } else if (ev.key === "ArrowUp" && i !== -1) {
        ev.preventDefault();
        if (i > 0) links[i - 1].focus(); else input.focus();
      } else if (ev.key === "Escape") {
        ev.preventDefault();
        openPanel(false);
        input.focus();
      }
    });
    // Close the results when focus or a click goes elsewhere.
    form.addEventListener("focusout", function (ev) {
      if (!ev.relatedTarget || !form.contains(ev.relatedTarget)) {
        setTimeout(function () { if (!form.contains(document.activeElement)) openPanel(false); }, 0);
      }
    });
    document.addEventListener("click", function (ev) {
      if (!form.contains(ev.target)) openPanel(false);
    });
    // "/" focuses the box from anywhere, unless the reader is typing somewhere.
    document.addEventListener("keydown", function (ev) {
      if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey || isEditable(ev.target)) return;
      ev.preventDefault();
      input.focus();
      input.select();
    });
  }

  // ---- Small-screen menu --------------------------------------------------

  var navBtn = document.querySelector(".nav-btn");
  var nav = document.getElementById("site-nav");
  if (navBtn && nav) {
    navBtn.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      navBtn.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // ---- Contents box -------------------------------------------------------
  // A page's contents (toc.html) are closed on phones and open on wide
  // screens, set before the first paint by an inline script; when the
  // window crosses that width (resized, a phone turned) they follow it.

  document.querySelectorAll("details[data-open-from]").forEach(function (d) {
    var mq = window.matchMedia(d.getAttribute("data-open-from"));
    mq.addEventListener("change", function () { d.open = mq.matches; });
  });

  // ---- Printing -----------------------------------------------------------
  // Folded output must be complete on paper: open every <details> while
  // printing and restore the reader's choice afterwards.

  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = [];
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      reopened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });
})();
