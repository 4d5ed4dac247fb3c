// An employer's waiting request page: asks the request's state every few seconds and reloads the page once the
// learner's wallet answered (or the request expired). Without JavaScript the page refreshes itself instead.
(function () {
  "use strict";
  var root = document.querySelector("[data-request-state]");
  if (!root || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-request-state");
  function ask() {
    window.fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : { state: "gone" }; })
      .then(function (answer) {
        if (answer.state === "waiting") {
          window.setTimeout(ask, 2000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(ask, 5000); });
  }
  window.setTimeout(ask, 2000);
})();
