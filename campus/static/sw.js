// Campus service worker: keeps the manager's day plan (/today) and the tickets on it
// readable without a network. Pages are always asked from the server first; the kept
// copy answers only when the network fails. Nothing else is cached, and logging out
// clears it (Clear-Site-Data).
"use strict";
var CACHE = "campus-day-v1";
var KEPT = /^\/(today|tickets\/[0-9]+)$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) {
      return caches.delete(n);
    }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(today, urls) {
  return caches.open(CACHE).then(function (cache) {
    var wanted = [today].concat(urls);
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (request) {
        return wanted.indexOf(new URL(request.url).pathname) === -1;
      }).map(function (request) { return cache.delete(request); }));
    }).then(function () {
      return Promise.all(wanted.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) return cache.put(url, response);
        }).catch(function () {});
      }));
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    event.waitUntil(keep(data.today || "/today", data.urls.filter(function (u) { return KEPT.test(u); })));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !KEPT.test(url.pathname)) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) {
        return cache.match(url.pathname).then(function (kept) {
          if (kept || url.pathname === "/today") return cache.put(url.pathname, copy);
        });
      });
    }
    return response;
  }).catch(function (error) {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(url.pathname);
    }).then(function (kept) {
      if (kept) return kept;
      throw error;
    });
  }));
});
