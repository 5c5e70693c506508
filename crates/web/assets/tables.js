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
  // A type-ahead list too long to send with the page (a datalist with `data-suggest`, see
  // forms/render.rs INLINE_LIMIT) is filled from the server as the person types, on any page.
  var pending = null;
  document.addEventListener("input", function (ev) {
    var listId = ev.target.getAttribute && ev.target.getAttribute("list");
    var list = listId && document.getElementById(listId);
    var url = list && list.getAttribute("data-suggest");
    if (!url || ev.target.value.trim().length < 2) { return; }
    clearTimeout(pending);
    pending = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(ev.target.value), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (entries) {
          list.replaceChildren.apply(list, entries.map(function (e) {
            var o = document.createElement("option");
            o.value = e[0];
            o.textContent = e[1];
            return o;
          }));
        })
        .catch(function () {});
    }, 150);
  });
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
