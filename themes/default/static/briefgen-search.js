// Search page helpers for Pagefind's Component UI (progressive: search needs JavaScript).
(function () {
  "use strict";

  // Pagefind's filter dropdowns are buttons with role="combobox", whose name does not come
  // from their text; give each the label it shows, so screen readers announce "Actor" etc.
  function nameDropdowns() {
    var triggers = document.querySelectorAll(".pf-dropdown-trigger:not([aria-label])");
    for (var i = 0; i < triggers.length; i++) {
      var label = triggers[i].querySelector(".pf-dropdown-trigger-label");
      if (label && label.textContent.trim()) {
        triggers[i].setAttribute("aria-label", "Filter by " + label.textContent.trim());
      }
    }
  }
  // Mark the words of the query in each result's quote (Pagefind marks them in the excerpt
  // only). Own class, so briefgen's highlight styles and Pagefind's stay apart.
  function escapeRe(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  function markQuotes() {
    var input = document.querySelector("pagefind-input input");
    var words = ((input && input.value) || "").trim().split(/\s+/).filter(function (w) {
      return w.length > 1;
    });
    if (!words.length) return;
    var re = new RegExp("(" + words.map(escapeRe).join("|") + ")", "gi");
    var quotes = document.querySelectorAll(".search-quote p:not([data-marked])");
    for (var i = 0; i < quotes.length; i++) {
      var p = quotes[i];
      var text = p.textContent;
      p.setAttribute("data-marked", "");
      p.textContent = "";
      text.split(re).forEach(function (part, k) {
        if (k % 2 === 1) {
          var mark = document.createElement("mark");
          mark.className = "search-hit";
          mark.textContent = part;
          p.appendChild(mark);
        } else if (part) {
          p.appendChild(document.createTextNode(part));
        }
      });
    }
  }
  function onChange() {
    nameDropdowns();
    markQuotes();
  }

  new MutationObserver(onChange).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });

  // ?q= runs a query on load: the header's search form is a plain GET form, so a search
  // works from every page, and a result list can be bookmarked and shared.
  var query = new URLSearchParams(window.location.search).get("q");
  if (!query || !window.customElements) return;
  var tries = 0;
  function fill() {
    var input = document.querySelector("pagefind-input input");
    if (!input) {
      if (++tries < 100) window.setTimeout(fill, 50);
      return;
    }
    input.value = query;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
  window.customElements.whenDefined("pagefind-input").then(fill);
})();
