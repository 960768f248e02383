// Lecture check-in admin: refresh the registered / waiting / attended counts while the
// lecture runs, by polling the JSON count endpoint named in data-count-url.
(function () {
  "use strict";
  var box = document.querySelector("[data-lecture-live-count]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-count-url");
  var seconds = parseInt(box.getAttribute("data-poll-seconds"), 10) || 10;

  function refresh() {
    if (document.hidden) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (counts) {
        Object.keys(counts).forEach(function (name) {
          var cell = box.querySelector('[data-count="' + name + '"]');
          if (cell && cell.textContent !== String(counts[name])) {
            cell.textContent = String(counts[name]);
          }
        });
      })
      .catch(function () {
        /* a missed poll is retried at the next tick */
      });
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", refresh);
})();
