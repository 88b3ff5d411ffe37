// Small enhancements; every page works without them.
(function () {
  "use strict";
  // A search box that narrows a long <select> (the device picker) as you type.
  document.querySelectorAll("[data-filter-select]").forEach(function (input) {
    var select = document.getElementById(input.dataset.filterSelect);
    if (!select) return;
    input.hidden = false;
    input.addEventListener("input", function () {
      var term = input.value.trim().toLowerCase();
      var firstMatch = null;
      select.querySelectorAll("option").forEach(function (option) {
        if (!option.value) return; // keep "not listed"
        var group = option.parentElement.tagName === "OPTGROUP" ? option.parentElement.label : "";
        var match = !term || (option.text + " " + group).toLowerCase().indexOf(term) !== -1;
        option.hidden = !match;
        if (match && !firstMatch) firstMatch = option;
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
      });
      if (term && firstMatch) select.value = firstMatch.value;
    });
  });
})();
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
(function () {
  "use strict";
  // Check photo count and size before a long upload fails on the server.
  var input = document.querySelector("input[type=file][data-max-files]");
  var box = document.getElementById("photos-check");
  if (!input || !box) return;
  function problem() {
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length > Number(input.dataset.maxFiles)) return box.dataset.tooMany;
    var big = files.filter(function (f) { return f.size > Number(input.dataset.maxBytes); })[0];
    return big ? box.dataset.tooLarge.replace("{name}", big.name) : "";
  }
  function show() {
    var text = problem();
    box.textContent = text;
    box.classList.toggle("d-none", !text);
    return !text;
  }
  input.addEventListener("change", show);
  input.form.addEventListener("submit", function (event) {
    if (!show()) { event.preventDefault(); input.focus(); }
  });
})();
(function () {
  "use strict";
  // Report form: warn when the chosen device already has an open ticket.
  var select = document.getElementById("device_id");
  var warnings = document.querySelectorAll("[data-for-device]");
  if (!select || !warnings.length) return;
  function show() {
    warnings.forEach(function (box) { box.hidden = box.dataset.forDevice !== select.value; });
  }
  select.addEventListener("change", show);
  show();
})();
(function () {
  "use strict";
  // Report form: articles that may help appear under the title as she types (from 3
  // letters, 300 ms after the last key; a newer request cancels the one still running).
  var box = document.getElementById("suggestions");
  var title = document.getElementById("title");
  if (!box || !title || !window.fetch) return;
  var form = title.form;
  var timer = null;
  var running = null;
  function ask() {
    var words = title.value.trim();
    if (running) running.abort();
    running = null;
    if (words.length < 3) { box.innerHTML = ""; return; }
    var params = new URLSearchParams({ q: words });
    var category = form.querySelector("input[name=category]:checked");
    if (category) params.set("category", category.value);
    var device = document.getElementById("device_id");
    if (device && device.value) params.set("device", device.value);
    var controller = window.AbortController ? new AbortController() : null;
    running = controller;
    fetch(box.dataset.suggestUrl + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok || response.redirected) return "";
      return response.text();
    }).then(function (html) {
      if (running === controller) box.innerHTML = html;
    }).catch(function () { /* aborted or offline: the form works without suggestions */ });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  }
  title.addEventListener("input", later);
  form.addEventListener("change", function (event) {
    if (event.target.name === "category" || event.target.id === "device_id") later();
  });
})();
