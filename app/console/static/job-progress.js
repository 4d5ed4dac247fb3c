// The cohort job page, live: follows the job's Server-Sent Events and updates the progress bar and the counts;
// reloads the page when the job ends (for its final state and errors). Without JavaScript the page refreshes itself.
(function () {
  "use strict";
  var root = document.querySelector("[data-job-events]");
  if (!root || !window.EventSource) {
    return;
  }
  var bar = root.querySelector("progress");
  var labels = {};
  root.querySelectorAll("[data-state-label]").forEach(function (item) {
    labels[item.getAttribute("data-state-label")] = item.textContent;
  });
  var source = new EventSource(root.getAttribute("data-job-events"));
  function show(job) {
    bar.value = job.rowsDone;
    bar.textContent = job.rowsDone + " / " + job.rowsTotal;
    root.querySelectorAll("[data-field]").forEach(function (field) {
      var name = field.getAttribute("data-field");
      var value = name === "state" ? labels[job.state] || job.state : job[name];
      if (value !== undefined && field.textContent !== String(value)) {
        field.textContent = value;
      }
    });
  }
  source.addEventListener("progress", function (event) {
    show(JSON.parse(event.data));
  });
  source.addEventListener("end", function () {
    source.close();
    window.location.reload();
  });
  source.onerror = function () {
    // The stream broke (a restart, a proxy): carry on as the page without JavaScript does.
    source.close();
    window.setTimeout(function () { window.location.reload(); }, 5000);
  };
})();
