/* Time spent on a lesson: while the page is visible, POST a heartbeat every 60 s to the URL in
   the element's data-heartbeat-url (set only for enrolled teachers). The server adds at most
   one minute per interval, whatever the page sends. The CSRF token comes from the element's
   data-csrf-token, else from Django's csrftoken cookie. */
(function () {
  'use strict';

  var INTERVAL_MS = 60 * 1000;

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i += 1) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) {
        return decodeURIComponent(parts[i].slice(eq + 1));
      }
    }
    return '';
  }

  function start(el) {
    var url = el.getAttribute('data-heartbeat-url');
    if (!url || !window.fetch) {
      return;
    }
    var token = el.getAttribute('data-csrf-token') || cookie('csrftoken');
    var visibleSince = document.visibilityState === 'visible' ? Date.now() : null;
    var visibleMs = 0;
    var stopped = false;

    function send() {
      fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        keepalive: true,
        headers: { 'X-CSRFToken': token, 'X-Requested-With': 'XMLHttpRequest' }
      }).then(function (response) {
        // Signed out or no longer enrolled: stop asking.
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          stopped = true;
        }
      }).catch(function () { /* offline: the next minute tries again */ });
    }

    function tick() {
      if (stopped) {
        return;
      }
      var now = Date.now();
      if (visibleSince !== null) {
        visibleMs += now - visibleSince;
        visibleSince = now;
      }
      if (visibleMs >= INTERVAL_MS) {
        visibleMs -= INTERVAL_MS;
        send();
      }
    }

    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible') {
        visibleSince = Date.now();
      } else {
        tick();
        visibleSince = null;
      }
    });
    window.setInterval(tick, 5000);
  }

  function init() {
    var el = document.querySelector('[data-heartbeat-url]');
    if (el) {
      start(el);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
