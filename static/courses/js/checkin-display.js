// The lecturer's check-in display: polls the state URL every few seconds and swaps the QR
// code, the 6-digit code, the attendance count and the countdown to the next rotation.
(function () {
  "use strict";
  var body = document.querySelector("[data-checkin-display]");
  if (!body) return;
  var stateUrl = body.getAttribute("data-state-url");
  var expiresIn = parseInt(body.getAttribute("data-expires-in"), 10) || 0;
  var qr = body.querySelector("[data-qr]");
  var code = body.querySelector("[data-code]");
  var countdown = body.querySelector("[data-countdown]");
  var attended = body.querySelector("[data-attended]");
  var closed = body.querySelector("[data-closed]");
  var POLL_MS = 4000;
  var deadline = Date.now() + expiresIn * 1000;

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = String(left);
    if (left === 0) poll();
  }

  var inFlight = false;
  function poll() {
    if (inFlight) return;
    inFlight = true;
    fetch(stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (state) {
        if (code.textContent !== state.code) {
          code.textContent = state.code;
          qr.innerHTML = state.svg; // server-made SVG from segno, same origin
        }
        attended.textContent = String(state.attended);
        deadline = Date.now() + state.expires_in * 1000;
        if (state.closed) {
          closed.textContent = state.closed;
          closed.hidden = false;
        } else {
          closed.hidden = true;
        }
      })
      .catch(function () { /* keep showing the last state; the next poll retries */ })
      .then(function () { inFlight = false; });
  }

  setInterval(tick, 1000);
  setInterval(poll, POLL_MS);
})();
