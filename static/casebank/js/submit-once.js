// Double taps on a slow phone: the server ignores a repeat anyway; this spares the wait.
// (A static file, not an inline script: the site's CSP allows no inline scripts.)
document.querySelectorAll("form [data-once]").forEach(function (button) {
  button.form.addEventListener("submit", function () { button.disabled = true; });
});
