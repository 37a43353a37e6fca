// briefgen serve: live reload and the error overlay. Injected at serve time only.
(function () {
  "use strict";
  var me = document.currentScript;
  var page = me.getAttribute("data-build");
  var source = new EventSource(me.getAttribute("data-events"));
  var box = null;

  function hide() {
    if (box) { box.remove(); box = null; }
  }

  function el(tag, text, css) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    for (var key in css || {}) node.style[key] = css[key];
    return node;
  }

  function show(problems) {
    hide();
    box = el("section", "", {
      position: "fixed", zIndex: "2147483647", left: "1rem", right: "1rem", bottom: "1rem",
      maxHeight: "60vh", overflow: "auto", padding: "1rem 1.25rem", margin: "0",
      background: "#fff", color: "#1a1a1a", border: "3px solid #b91c1c", borderRadius: "6px",
      boxShadow: "0 8px 32px rgba(0,0,0,.35)", textAlign: "left",
      font: "14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
    });
    box.id = "briefgen-overlay";
    box.setAttribute("role", "alert");
    box.setAttribute("aria-labelledby", "briefgen-overlay-title");
    var errors = problems.filter(function (p) { return p.severity === "error"; }).length;
    var title = el("h2", "briefgen: the last save has " + errors +
      (errors === 1 ? " error" : " errors") + "; showing the last good build",
      { font: "bold 15px/1.3 system-ui, sans-serif", color: "#b91c1c", margin: "0 0 .5rem" });
    title.id = "briefgen-overlay-title";
    box.appendChild(title);
    var list = el("ul", "", { margin: "0", padding: "0", listStyle: "none" });
    problems.forEach(function (p) {
      var item = el("li", "", { margin: ".5rem 0", whiteSpace: "pre-wrap" });
      var where = p.path ? p.path + ":" + p.line + ":" + p.col + ": " : "";
      item.appendChild(el("strong", where + p.severity + ": ", {}));
      item.appendChild(document.createTextNode(p.message));
      if (p.hint) item.appendChild(el("div", "  hint: " + p.hint, { color: "#374151" }));
      list.appendChild(item);
    });
    box.appendChild(list);
    var close = el("button", "Dismiss", { marginTop: ".5rem", font: "inherit" });
    close.type = "button";
    close.addEventListener("click", hide);
    box.appendChild(close);
    document.body.appendChild(box);
  }

  function handle(event) {
    var state = JSON.parse(event.data);
    if (state.good && state.good !== page) {
      source.close();
      location.reload();
      return;
    }
    if (state.problems.length) show(state.problems); else hide();
  }

  ["state", "reload", "problems"].forEach(function (name) {
    source.addEventListener(name, handle);
  });
})();
