// Optional location for an exchange check-in: only when the person ticks the box, only for
// this one check-in. The server rounds it to the agreed place and keeps no coordinates.
(function () {
  "use strict";
  document.querySelectorAll("form[data-checkin]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      const share = form.querySelector("input[name=share_location]");
      if (!share || !share.checked || form.dataset.located || !navigator.geolocation) return;
      event.preventDefault();
      const submitter = event.submitter;
      const send = function () {
        form.dataset.located = "1";
        if (submitter) {
          const kind = document.createElement("input");
          kind.type = "hidden";
          kind.name = submitter.name;
          kind.value = submitter.value;
          form.appendChild(kind);
        }
        form.submit();
      };
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector("input[name=latitude]").value = position.coords.latitude.toFixed(5);
        form.querySelector("input[name=longitude]").value = position.coords.longitude.toFixed(5);
        send();
      }, send, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  });
})();
