// Account, Notifications: turns push on or off for this browser and shows where it stands
// (unsupported, blocked, off, on). The subscription goes to /api/v1/push/subscriptions.
"use strict";
(function () {
  const root = document.getElementById("push-device");
  if (!root) return;
  const message = root.querySelector("[data-push-message]");

  function show(state) {
    root.querySelectorAll("[data-push-state]").forEach(function (element) {
      element.hidden = element.dataset.pushState !== state;
    });
    root.dataset.state = state;
  }

  function say(text) {
    message.textContent = text;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    show("unsupported");
    return;
  }

  function keyBytes(base64url) {
    const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4);
    const raw = atob(padded);
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }

  function listed(endpoint) {
    return Array.from(document.querySelectorAll("[data-endpoint]")).find(function (item) {
      return item.dataset.endpoint === endpoint;
    });
  }

  function call(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function errorText(response) {
    try {
      const data = await response.json();
      if (data && data.error && data.error.message) return data.error.message;
    } catch (error) { /* not JSON: fall through */ }
    return root.dataset.failedText || "Couldn't turn notifications on just now. Please try again.";
  }

  async function registration() {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    return navigator.serviceWorker.ready;
  }

  async function refresh() {
    if (Notification.permission === "denied") {
      show("denied");
      return;
    }
    const reg = await registration();
    const subscription = await reg.pushManager.getSubscription();
    const item = subscription && listed(subscription.endpoint);
    if (item && Notification.permission === "granted") {
      item.querySelector("[data-this-device]").hidden = false;
      show("on");
    } else {
      show("off");
    }
  }

  async function turnOn() {
    say("");
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      show(permission === "denied" ? "denied" : "off");
      if (permission !== "denied") say(root.dataset.deniedText || "Notifications were not allowed. Nothing changed.");
      return;
    }
    const reg = await registration();
    const options = { userVisibleOnly: true, applicationServerKey: keyBytes(root.dataset.key) };
    let subscription = await reg.pushManager.getSubscription();
    try {
      subscription = subscription || (await reg.pushManager.subscribe(options));
    } catch (error) {
      // A subscription made with an older server key must be replaced.
      if (subscription) await subscription.unsubscribe();
      subscription = await reg.pushManager.subscribe(options);
    }
    const response = await call("POST", root.dataset.subscribeUrl, subscription.toJSON());
    if (!response.ok) {
      say(await errorText(response));
      return;
    }
    window.location.reload();
  }

  async function turnOff() {
    say("");
    const reg = await registration();
    const subscription = await reg.pushManager.getSubscription();
    const item = subscription && listed(subscription.endpoint);
    if (item) {
      const response = await call("DELETE", item.dataset.deleteUrl);
      if (!response.ok && response.status !== 404) {
        say(await errorText(response));
        return;
      }
    }
    if (subscription) await subscription.unsubscribe();
    window.location.reload();
  }

  function guarded(action) {
    return function () {
      const button = this;
      button.disabled = true;
      action().catch(function () {
        say(root.dataset.unreachableText || "Couldn't reach coparent or this browser's push service just now. Check your connection and try again.");
      }).finally(function () {
        button.disabled = false;
      });
    };
  }

  root.querySelector('[data-push-action="on"]').addEventListener("click", guarded(turnOn));
  root.querySelector('[data-push-action="off"]').addEventListener("click", guarded(turnOff));
  refresh().catch(function () {
    show("unsupported");
  });
})();
