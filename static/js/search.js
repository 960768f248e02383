// Search box suggestions: fetches page titles as you type (debounced) and shows them as an
// ARIA combobox listbox. Arrow keys move, Enter picks, Escape closes. Without JS the box is a
// plain GET form.
(() => {
  const DELAY_MS = 200;
  const MIN_CHARS = 1;

  function setup(box) {
    const input = box.querySelector("input[type=search]");
    const list = box.querySelector("[role=listbox]");
    const form = box.closest("form");
    const url = box.dataset.autocompleteUrl;
    if (!input || !list || !url) return;
    let timer = null;
    let active = -1;
    let controller = null;
    let lastQuery = "";

    const options = () => Array.from(list.querySelectorAll("[role=option]"));

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const items = options();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach((item, i) => item.setAttribute("aria-selected", i === active ? "true" : "false"));
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(title) {
      input.value = title;
      close();
      form.submit();
    }

    function render(titles) {
      list.replaceChildren();
      titles.forEach((title, i) => {
        const item = document.createElement("li");
        item.id = `${list.id}-${i}`;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = title; // text, never HTML
        item.addEventListener("mousedown", (event) => {
          event.preventDefault(); // keep focus in the input
          choose(title);
        });
        list.appendChild(item);
      });
      const open = titles.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
    }

    async function fetchTitles(query) {
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(query)}`, {
          signal: controller.signal,
          headers: { Accept: "application/json" },
        });
        if (!response.ok) return;
        const titles = await response.json();
        if (query === input.value.trim()) render(Array.isArray(titles) ? titles : []);
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    }

    input.addEventListener("input", () => {
      const query = input.value.trim();
      clearTimeout(timer);
      if (query.length < MIN_CHARS) {
        close();
        return;
      }
      if (query === lastQuery) return;
      timer = setTimeout(() => {
        lastQuery = query;
        fetchTitles(query);
      }, DELAY_MS);
    });

    input.addEventListener("keydown", (event) => {
      const items = options();
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(active + 1);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && active >= 0 && items[active]) {
        event.preventDefault();
        choose(items[active].textContent);
      } else if (event.key === "Escape") {
        close();
      }
    });

    input.addEventListener("blur", () => setTimeout(close, 100));
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-search-autocomplete]").forEach(setup);
  });
})();
