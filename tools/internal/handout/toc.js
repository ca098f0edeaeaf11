// Run in a print document before it is printed to PDF (toc.go).
// Each link of the contents gets its text in <span class="toc-text"> and an
// empty <span class="toc-page"> for its page number (print.css lays them
// out with a leader); returns the ids the links point at, in order.
() => {
  const ids = [];
  for (const a of document.querySelectorAll('.print-toc a[href^="#"]')) {
    if (!a.querySelector(":scope > .toc-page")) {
      const text = document.createElement("span");
      text.className = "toc-text";
      text.append(...a.childNodes);
      const page = document.createElement("span");
      page.className = "toc-page";
      a.append(text, page);
    }
    ids.push(decodeURIComponent(a.getAttribute("href").slice(1)));
  }
  return ids;
}
