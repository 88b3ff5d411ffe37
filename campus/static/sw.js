// Campus service worker: keeps the manager's day plan (/today) and the tickets on it
// readable without a network. Pages are always asked from the server first; the kept
// copy answers only when the network fails, for a day at most. Nothing else is kept, and
// logging out (or landing on the login page) clears it.
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

function keep(today, urls, assets) {
  return caches.open(CACHE).then(function (cache) {
    var wanted = [today].concat(urls, assets);
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (request) {
        var url = new URL(request.url);
        return wanted.indexOf(url.pathname + url.search) === -1;
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

function local(url) {
  try {
    var parsed = new URL(url, self.location.origin);
    return parsed.origin === self.location.origin ? parsed.pathname + parsed.search : null;
  } catch (error) {
    return null;
  }
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  var pages = data.urls.filter(function (u) { return KEPT.test(u); });
  var assets = (Array.isArray(data.assets) ? data.assets : []).map(local).filter(Boolean);
  event.waitUntil(keep(data.today || "/today", pages, assets));
});

// Every request goes to the network first; only when that fails does the kept copy
// answer (the day plan, its tickets, and what those pages need to show).
self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  var key = url.pathname + url.search;
  event.respondWith(fetch(request).then(function (response) {
    if (new URL(response.url).pathname.indexOf("/auth/login") === 0) {
      caches.delete(CACHE);  // logged out (or the session ended): nothing stays kept
    }
    if (response.ok && !response.redirected && KEPT.test(url.pathname)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) {
        return cache.match(key).then(function (kept) {
          if (kept || url.pathname === "/today") return cache.put(key, copy);
        });
      });
    }
    return response;
  }).catch(function (error) {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(key);
    }).then(function (kept) {
      if (kept && fresh(kept)) return kept;
      throw error;
    });
  }));
});

// A kept page older than a day is not shown: yesterday's plan is no plan.
function fresh(response) {
  // the first date only: some servers send the header twice, and a fetch joins them
  var made = Date.parse((response.headers.get("Date") || "").slice(0, 29));
  return !isNaN(made) && Date.now() - made < 24 * 60 * 60 * 1000;
}
