// Site behaviour: the mobile navigation toggle, the chapter contents open on wide screens,
// the print button. Everything works without it.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("[data-nav-toggle]");
  const nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  const toc = document.querySelector("[data-toc]");
  if (toc && window.matchMedia("(min-width: 960px)").matches) toc.open = true;
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
