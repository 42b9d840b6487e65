{% load static %}/* coparent's service worker. It keeps only the app's look and the offline page on the
   device, never a page: pages hold a family's data, and a phone may be shared or lost. */
"use strict";

const CACHE = "coparent-shell-v1";
const OFFLINE_URL = "{% url 'push:offline' %}";
const SHELL = [OFFLINE_URL{% for url in shell %}, "{{ url|escapejs }}"{% endfor %}];
const NEUTRAL_TITLE = "{{ neutral_title|escapejs }}";
const NEUTRAL_BODY = "{{ neutral_body|escapejs }}";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("coparent-") && name !== CACHE)
          .map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Pages always come from the network; without one, the offline page says so.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    // The network first, so a changed stylesheet shows at once; the stored copy without one.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        })
        .catch(() => caches.match(request))
    );
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  const title = typeof data.title === "string" && data.title ? data.title : NEUTRAL_TITLE;
  const options = {
    body: typeof data.body === "string" && data.body ? data.body : NEUTRAL_BODY,
    icon: "{{ icon|escapejs }}",
    badge: "{{ badge|escapejs }}",
    data: { url: typeof data.url === "string" ? data.url : "/" },
  };
  if (typeof data.tag === "string" && data.tag) {
    options.tag = data.tag;
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(title, options));
});

function sameOriginTarget(raw) {
  try {
    const target = new URL(raw || "/", self.location.origin);
    return target.origin === self.location.origin ? target : new URL("/", self.location.origin);
  } catch (error) {
    return new URL("/", self.location.origin);
  }
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = sameOriginTarget(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === target.href && "focus" in client) return client.focus();
      }
      for (const client of windows) {
        if (new URL(client.url).origin === self.location.origin && "navigate" in client) {
          return client.focus().then(() => client.navigate(target.href));
        }
      }
      return self.clients.openWindow(target.href);
    })
  );
});
