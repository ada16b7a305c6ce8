// Fieldwork pages: drag-and-drop uploads, extra table rows, finding form fields, binder waiting state.
// Everything here is an enhancement: the forms work without it (CSP forbids inline scripts).
(function () {
  "use strict";

  function listFiles(input, list) {
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      var li = document.createElement("li");
      li.textContent = file.name + "（" + Math.max(1, Math.round(file.size / 1024)) + " KB）";
      list.appendChild(li);
    });
  }

  document.querySelectorAll("[data-drop-zone]").forEach(function (zone) {
    var input = zone.querySelector("[data-file-input]");
    var list = zone.querySelector("[data-file-list]");
    if (!input) return;
    input.addEventListener("change", function () { listFiles(input, list); });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("border-primary");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("border-primary"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      var merged = new DataTransfer();
      Array.prototype.forEach.call(input.files || [], function (f) { merged.items.add(f); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (f) { merged.items.add(f); });
      input.files = merged.files;
      listFiles(input, list);
    });
  });

  // Tables: reveal "add a row", which clones the last row with the next row number.
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var table = document.querySelector('[data-table-field="' + button.getAttribute("data-add-row") + '"]');
    if (!table) return;
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      var body = table.tBodies[0];
      var last = body.rows[body.rows.length - 1];
      var next = parseInt(last.getAttribute("data-row"), 10) + 1;
      var row = last.cloneNode(true);
      row.setAttribute("data-row", String(next));
      row.cells[0].textContent = String(next + 1);
      row.querySelectorAll("input, select, textarea").forEach(function (el) {
        el.name = el.name.replace(/-(\d+)-([a-z][a-z0-9_]*)$/, "-" + next + "-$2");
        el.value = "";
      });
      body.appendChild(row);
    });
  });

  // Finding form: show only the inputs of the chosen kind.
  document.querySelectorAll("[data-finding-kind]").forEach(function (select) {
    var form = select.form;
    function sync() {
      form.querySelectorAll("[data-kind-only]").forEach(function (el) {
        el.classList.toggle("d-none", el.getAttribute("data-kind-only") !== select.value);
      });
    }
    select.addEventListener("change", sync);
    sync();
  });

  // Binder download: a waiting message until the server's cookie says the file is on its way.
  document.querySelectorAll("[data-download-wait]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var cookie = link.getAttribute("data-download-wait");
      var token = String(Date.now()) + String(Math.floor(Math.random() * 1e6));
      var waiting = document.getElementById("binder-waiting");
      var done = document.getElementById("binder-done");
      link.classList.add("disabled");
      if (waiting) waiting.classList.remove("d-none");
      if (done) done.classList.add("d-none");
      var timer = window.setInterval(function () {
        if (document.cookie.indexOf(cookie + "=" + token) !== -1) {
          window.clearInterval(timer);
          link.classList.remove("disabled");
          if (waiting) waiting.classList.add("d-none");
          if (done) done.classList.remove("d-none");
        }
      }, 500);
      window.location.href = link.href + (link.href.indexOf("?") === -1 ? "?" : "&") + "token=" + token;
    });
  });
})();
