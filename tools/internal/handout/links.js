// Run in a print document before it is printed to PDF (links.go).
// root: the URL the built site is served from, ending in "/"; published: the
// site's public address, ending in "/", or "".
(root, published) => {
  const here = new URL(location.href);
  const counts = { inside: 0, published: 0, plain: 0 };
  for (const a of [...document.querySelectorAll("a[href]")]) {
    const u = new URL(a.getAttribute("href"), here);
    if (!u.href.startsWith(root)) continue; // another site: its link stays
    const id = decodeURIComponent(u.hash.slice(1));
    const samePage = u.pathname === here.pathname && u.search === here.search;
    if (samePage && id && document.getElementById(id)) {
      // A bare #fragment: Chromium makes it a link to a named destination
      // inside the PDF instead of a URL of the print server.
      a.setAttribute("href", "#" + u.hash.slice(1));
      counts.inside++;
    } else if (published && !samePage) {
      a.setAttribute("href", published + u.href.slice(root.length));
      a.classList.add("ext"); // print.css prints its URL on paper, as for other sites
      counts.published++;
    } else if (a.hasAttribute("download")) {
      // A download button means nothing without its link (the file's text
      // is printed in its block anyway).
      a.remove();
      counts.plain++;
    } else {
      // Nowhere to send the reader: the text stays, the link goes.
      const span = document.createElement("span");
      span.className = "site-link";
      span.append(...a.childNodes);
      a.replaceWith(span);
      counts.plain++;
    }
  }
  return counts;
}
