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
  new MutationObserver(nameDropdowns).observe(document.documentElement, {
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
