// aidtrace: a table wider than its column scrolls inside its own box (app.css); a keyboard user
// can scroll it only once it can take focus, so such a table gets tabindex=0 while it is wider
// than its box. Optional: without script the table still scrolls by touch, wheel or scrollbar.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll("table, .table-scroll").forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && el.hasAttribute("data-scroll-focus")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scroll-focus");
      }
    });
  }
  // On a phone the filter's eleven fields would fill the first screen: its box starts closed
  // there (its summary says how many conditions are set). Without script it stays open.
  function foldFilters() {
    if (window.matchMedia && window.matchMedia("(max-width: 800px)").matches) {
      document.querySelectorAll("details.filter-box").forEach(function (box) {
        box.open = false;
      });
    }
  }
  function ready() {
    foldFilters();
    mark();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  window.addEventListener("resize", mark);
})();
