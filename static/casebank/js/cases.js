// Case library: the facets panel starts open beside the list on wide screens (on phones it
// stays folded above the results). Everything works without it: facets are plain links.
document.addEventListener("DOMContentLoaded", () => {
  const facets = document.querySelector("[data-facets]");
  if (facets && window.matchMedia("(min-width: 960px)").matches) facets.open = true;
});
