// Data-entry forms, made quicker: rows are added and removed in place (the buttons otherwise
// submit and the server re-renders), percentages are summed as they are typed, and the id a
// title will give is shown. Everything here is optional: the server checks it all again.
"use strict";
(function () {
  var form = document.getElementById("record-form");
  if (!form) { return; }

  // Exact decimal sum of "12.5"-like strings, as integers of millionths: no float rounding
  // shows 99.99999 for three thirds of a hundred typed as 33.333333 + 33.333333 + 33.333334.
  function millionths(text) {
    var t = String(text).trim().replace(",", ".");
    if (!/^\d+(\.\d{0,6})?$/.test(t)) { return null; }
    var parts = t.split(".");
    var frac = (parts[1] || "") + "000000";
    return Number(parts[0]) * 1000000 + Number(frac.slice(0, 6));
  }
  function showSum(group) {
    var out = group.querySelector("output");
    if (!out) { return; }
    var total = 0, ok = true;
    group.querySelectorAll("input[name$='.percentage']").forEach(function (input) {
      if (input.value.trim() === "") { return; }
      var m = millionths(input.value);
      if (m === null) { ok = false; } else { total += m; }
    });
    var whole = Math.floor(total / 1000000), frac = String(total % 1000000).padStart(6, "0").replace(/0+$/, "");
    out.textContent = ok ? (frac ? whole + "." + frac : String(whole)) : "?";
    group.classList.toggle("sum-off", !ok || (total !== 0 && total !== 100000000));
  }

  function renumber(group) {
    var name = group.getAttribute("data-group");
    group.querySelectorAll(".row").forEach(function (row, i) {
      row.setAttribute("data-index", String(i));
      row.querySelectorAll("[name]").forEach(function (el) {
        var n = el.getAttribute("name");
        var re = new RegExp("^" + name + "\\[\\d+\\]");
        if (re.test(n)) { el.setAttribute("name", n.replace(re, name + "[" + i + "]")); }
        if (el.id) { el.id = el.id.replace(new RegExp("^f-" + name + "-\\d+"), "f-" + name + "-" + i); }
        if (el.classList.contains("remove-row")) { el.value = name + "." + i; }
      });
      row.querySelectorAll("label[for]").forEach(function (l) {
        l.setAttribute("for", l.getAttribute("for").replace(new RegExp("^f-" + name + "-\\d+"), "f-" + name + "-" + i));
      });
    });
  }

  form.addEventListener("click", function (ev) {
    var button = ev.target.closest("button");
    if (!button) { return; }
    var group = button.closest("fieldset[data-group]");
    if (!group) { return; }
    if (button.classList.contains("add-row")) {
      ev.preventDefault();
      var rows = group.querySelectorAll(".row");
      var last = rows[rows.length - 1];
      if (!last) { return; }
      var copy = last.cloneNode(true);
      copy.querySelectorAll("input, textarea, select").forEach(function (el) {
        if (el.type === "checkbox") { el.checked = false; }
        else if (el.tagName === "SELECT") { el.selectedIndex = 0; }
        else { el.value = ""; el.removeAttribute("readonly"); }
      });
      copy.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      copy.querySelectorAll(".invalid").forEach(function (e) { e.classList.remove("invalid"); });
      last.after(copy);
      renumber(group);
      showSum(group);
      var first = copy.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    } else if (button.classList.contains("remove-row")) {
      ev.preventDefault();
      var row = button.closest(".row");
      if (group.querySelectorAll(".row").length > 1) { row.remove(); }
      else { row.querySelectorAll("input, textarea").forEach(function (el) { if (el.type === "checkbox") { el.checked = false; } else if (!el.readOnly) { el.value = ""; } }); row.querySelectorAll("select").forEach(function (s) { s.selectedIndex = 0; }); }
      renumber(group);
      showSum(group);
    }
  });

  form.addEventListener("input", function (ev) {
    var group = ev.target.closest("fieldset[data-percent]");
    if (group) { showSum(group); }
    if (ev.target.name === form.getAttribute("data-title") && form.getAttribute("data-mode") === "new") {
      var id = form.querySelector("input[name='id']");
      if (id) { id.placeholder = form.getAttribute("data-prefix") + slug(ev.target.value); }
    }
  });
  form.querySelectorAll("fieldset[data-percent]").forEach(showSum);

  // The server's rule (forms/build.rs `slug`): ASCII letters and digits joined by '-'.
  function slug(text) {
    var out = "";
    for (var i = 0; i < text.length && out.length < 60; i++) {
      var c = text[i];
      if (/[A-Za-z0-9]/.test(c)) { out += c.toLowerCase(); }
      else if (out && out[out.length - 1] !== "-") { out += "-"; }
    }
    return out.replace(/^-+|-+$/g, "");
  }
})();
