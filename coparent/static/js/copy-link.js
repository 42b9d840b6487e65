// Copy and print buttons for secret links. Without JavaScript the buttons stay hidden and the
// link text selects as a whole on one tap (CSS user-select: all), so it can still be copied.
(function () {
  "use strict";
  function selectText(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copyStatus);
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      const text = source.textContent.trim();
      const done = function (message) {
        if (status) status.textContent = message;
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { done(button.dataset.copied); },
          function () { selectText(source); done(button.dataset.selected); }
        );
      } else {
        selectText(source);
        done(button.dataset.selected);
      }
    });
  });
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
