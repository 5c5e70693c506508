// Upload progress on /import. Progressive enhancement: without this script the form posts as
// any form does; with it the same request goes through XMLHttpRequest so the bar can follow
// the bytes sent, and the answer (report or error page) replaces the page as a post would.
"use strict";
(function () {
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  var status = document.getElementById("upload-status");
  var bar = document.getElementById("upload-progress");
  var percent = document.getElementById("upload-percent");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data;
    try {
      data = new FormData(form, event.submitter);
    } catch (e) {
      // Browsers without the submitter argument: name the button's action by hand.
      data = new FormData(form);
      if (event.submitter && event.submitter.name) {
        data.set(event.submitter.name, event.submitter.value);
      }
    }
    var buttons = form.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = true;
    }
    status.hidden = false;
    var xhr = new XMLHttpRequest();
    // Not `form.action`: the buttons are named "action", and a named control shadows it.
    xhr.open("POST", form.getAttribute("action"));
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var p = Math.floor((e.loaded * 100) / e.total);
        bar.value = p;
        percent.textContent = p + "%";
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      // The server now checks (and imports): the bar is full, the page waits for the report.
      bar.removeAttribute("value");
      percent.textContent = form.getAttribute("data-checking") || "";
    });
    xhr.addEventListener("load", function () {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      document.title = doc.title;
      document.body.replaceWith(doc.body);
      // Marks the page as the script's answer (the browser test checks that this path ran).
      document.body.setAttribute("data-upload", "xhr");
      // Scripts in parsed markup do not run; bind the new form again.
      var again = document.createElement("script");
      again.src = "/static/upload.js";
      document.body.appendChild(again);
    });
    xhr.addEventListener("error", function () {
      // The connection broke before an answer (e.g. the server closed it at the size limit):
      // say so and let the user try again (an import again writes nothing twice).
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].disabled = false;
      }
      bar.value = 0;
      percent.textContent = form.getAttribute("data-failed") || "";
    });
    xhr.send(data);
  });
})();
