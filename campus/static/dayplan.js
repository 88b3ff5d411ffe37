// The day plan offline: a small service worker (/sw.js) keeps this page and its tickets;
// the page says when it is shown without a network.
(function () {
  "use strict";
  var plan = document.getElementById("day-plan");
  if (!plan) return;
  var note = document.getElementById("offline-note");
  function showState() {
    var offline = !navigator.onLine;
    if (note) note.hidden = !offline;
    document.querySelectorAll(".needs-network button").forEach(function (button) {
      button.disabled = offline;
    });
  }
  window.addEventListener("online", showState);
  window.addEventListener("offline", showState);
  showState();
  if (!("serviceWorker" in navigator) || !navigator.onLine) return;
  var keep = JSON.parse(plan.dataset.keep || "[]");
  navigator.serviceWorker.register(plan.dataset.worker).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) {
    var assets = Array.prototype.map.call(
      document.querySelectorAll("link[href], script[src]"),
      function (element) { return element.href || element.src; });
    registration.active.postMessage({ type: "keep", today: plan.dataset.today, urls: keep, assets: assets });
  }).catch(function () { /* no offline copy: the page works as before */ });
})();
