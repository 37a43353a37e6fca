/* briefgen default theme: progressive enhancement only; every page works without it.
   - Wide screens and print: notes are opened (CSS already shows them; this keeps the
     disclosure state that assistive technology reports in line with what is on screen).
   - A targeted passage lights up every segment of its annotation, and opens its note. */
(function () {
  "use strict";
  var notes = document.querySelectorAll("details.note");
  var wide = window.matchMedia ? window.matchMedia("(min-width: 64rem)") : null;
  var opened = [];

  function openAll() {
    for (var i = 0; i < notes.length; i++) {
      if (!notes[i].open) { notes[i].open = true; opened.push(notes[i]); }
    }
  }
  function restore() {
    while (opened.length) { opened.pop().open = false; }
  }
  function syncWidth() {
    if (wide && wide.matches) { openAll(); } else { restore(); }
  }

  function targetId() {
    try { return decodeURIComponent(location.hash.slice(1)); } catch (e) { return ""; }
  }
  function markTarget() {
    var lit = document.querySelectorAll("mark.hl.is-target");
    for (var i = 0; i < lit.length; i++) { lit[i].classList.remove("is-target"); }
    var id = targetId();
    if (!id) { return; }
    var el = document.getElementById(id);
    if (!el || !el.matches("mark.hl[data-anno]")) { return; }
    var segments = document.querySelectorAll("mark.hl[data-anno]");
    for (var j = 0; j < segments.length; j++) {
      if (segments[j].getAttribute("data-anno") === id) { segments[j].classList.add("is-target"); }
    }
    var note = document.getElementById("note-" + id);
    if (note && note.tagName === "DETAILS") { note.open = true; }
  }

  if (notes.length) {
    syncWidth();
    if (wide) {
      if (wide.addEventListener) { wide.addEventListener("change", syncWidth); }
      else if (wide.addListener) { wide.addListener(syncWidth); }
    }
    var before = [];
    window.addEventListener("beforeprint", function () {
      before = [];
      for (var i = 0; i < notes.length; i++) {
        if (!notes[i].open) { notes[i].open = true; before.push(notes[i]); }
      }
    });
    window.addEventListener("afterprint", function () {
      while (before.length) { before.pop().open = false; }
    });
  }
  markTarget();
  window.addEventListener("hashchange", markTarget);
})();
