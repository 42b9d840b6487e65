// Registers coparent's service worker (/sw.js): the installable app and its offline page.
"use strict";
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      // No worker means no offline page and no notifications; every page still works.
    });
  });
}
