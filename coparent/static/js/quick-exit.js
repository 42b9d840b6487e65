// Quick exit: the button in the header, or Escape pressed twice, leaves for a neutral site at
// once. The page is emptied first so nothing lingers while the other site loads; the session is
// ended by a keepalive request that outlives the page, so Back leads to the sign-in page; and the
// neutral site opens in a new tab too, whose Back button has nothing of ours.
// Without JavaScript the button is a form that signs out and redirects the same way.
(function () {
  "use strict";
  const form = document.querySelector("form[data-quick-exit]");
  if (!form) return;
  const target = form.dataset.target;
  let leaving = false;

  function leave() {
    if (leaving) return;
    leaving = true;
    try {
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        keepalive: true,
        redirect: "manual",
      }).catch(function () {});
    } catch (error) { /* leave anyway */ }
    try { window.open(target, "_blank", "noopener"); } catch (error) { /* blocked: replace below */ }
    document.title = "";
    document.body.replaceChildren();
    window.location.replace(target);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    leave();
  });

  let lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const now = Date.now();
    if (now - lastEscape < 1000) leave();
    lastEscape = now;
  });
})();
