// Docker Lab site behaviour: copy buttons, theme toggle, small-screen menu,
// expanding folded output for printing. Hand-written, no dependencies.
// The pages work without it: commands stay selectable, the theme follows the
// system, the menu is shown in full.
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

  // ---- Small-screen menu --------------------------------------------------

  var navBtn = document.querySelector(".nav-btn");
  var nav = document.getElementById("site-nav");
  if (navBtn && nav) {
    navBtn.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      navBtn.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

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
