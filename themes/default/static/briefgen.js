/* briefgen default theme: progressive enhancement only; every page works without it.
   - Wide screens and print: notes are opened (CSS already shows them; this keeps the
     disclosure state that assistive technology reports in line with what is on screen).
   - A targeted passage lights up every segment of its annotation, and opens its note.
   - Briefing notes (the aside after div#text): a passage and its note light up together on
     hover or focus; tapping a passage, or Enter on it, opens its note (right below it on
     narrow screens); on wide screens each note is placed level with its passage. */
(function () {
  "use strict";
  var notes = document.querySelectorAll("details.note");
  var wide = window.matchMedia ? window.matchMedia("(min-width: 64rem)") : null;
  var opened = [];

  function isWide() { return !!(wide && wide.matches); }
  function openAll() {
    for (var i = 0; i < notes.length; i++) {
      if (!notes[i].open) { notes[i].open = true; opened.push(notes[i]); }
    }
  }
  function restore() {
    while (opened.length) { opened.pop().open = false; }
  }
  function syncWidth() {
    if (isWide()) { openAll(); } else { restore(); }
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

  /* ---- briefing notes ---- */
  var text = document.getElementById("text");
  var column = document.querySelector(".briefing-notes");
  var body = document.querySelector(".briefing-body");
  if (!text || !column || !body || !notes.length) { return; }
  document.documentElement.classList.add("js-notes");

  var segments = {};  // annotation id -> its <mark>s, in order
  var all = text.querySelectorAll("mark.hl[data-anno]");
  for (var i = 0; i < all.length; i++) {
    var id = all[i].getAttribute("data-anno");
    (segments[id] = segments[id] || []).push(all[i]);
  }
  function noteOf(id) { return document.getElementById("note-" + id); }
  for (var k in segments) {
    var note = noteOf(k);
    if (!note) { continue; }
    var first = segments[k][0];
    first.setAttribute("tabindex", "0");
    first.setAttribute("aria-describedby", "note-" + k);
  }

  var hot = null;
  function setHot(id) {
    if (hot === id) { return; }
    var j;
    if (hot !== null) {
      var old = segments[hot] || [];
      for (j = 0; j < old.length; j++) { old[j].classList.remove("is-hot"); }
      var oldNote = noteOf(hot);
      if (oldNote) { oldNote.classList.remove("is-hot"); }
    }
    hot = id;
    if (id === null) { return; }
    var now = segments[id] || [];
    for (j = 0; j < now.length; j++) { now[j].classList.add("is-hot"); }
    var n = noteOf(id);
    if (n) { n.classList.add("is-hot"); }
  }
  function markId(el) {
    var m = el && el.closest ? el.closest("mark.hl[data-anno]") : null;
    return m ? m.getAttribute("data-anno") : null;
  }
  function noteId(el) {
    var n = el && el.closest ? el.closest("details.note[data-anno]") : null;
    return n ? n.getAttribute("data-anno") : null;
  }
  text.addEventListener("mouseover", function (e) { setHot(markId(e.target)); });
  text.addEventListener("mouseleave", function () { setHot(null); });
  text.addEventListener("focusin", function (e) { setHot(markId(e.target)); });
  column.addEventListener("mouseover", function (e) { setHot(noteId(e.target)); });
  column.addEventListener("mouseleave", function () { setHot(null); });
  column.addEventListener("focusin", function (e) { setHot(noteId(e.target)); });

  /* Narrow screens: the note opens as a card right below its passage. */
  var popped = null;
  function unpop(refocus) {
    if (!popped) { return; }
    var was = popped;
    popped = null;
    was.classList.remove("is-popped");
    was.style.top = "";
    was.open = false;
    var segs = segments[was.getAttribute("data-anno")];
    if (refocus && segs) { segs[0].focus(); }
  }
  function pop(id) {
    var n = noteOf(id), segs = segments[id];
    if (!n || !segs) { return; }
    unpop(false);
    var last = segs[segs.length - 1].getBoundingClientRect();
    var top = last.bottom - body.getBoundingClientRect().top + 6;
    n.open = true;
    n.classList.add("is-popped");
    n.style.top = top + "px";
    popped = n;
  }
  function activate(id, fromKeyboard) {
    var n = noteOf(id);
    if (!n) { return; }
    if (isWide()) {
      setHot(id);
      n.scrollIntoView({ block: "nearest" });
      if (fromKeyboard) { n.querySelector("summary").focus({ preventScroll: true }); }
      return;
    }
    if (popped === n) { unpop(fromKeyboard); return; }
    pop(id);
    if (fromKeyboard) { n.querySelector("summary").focus({ preventScroll: true }); }
  }
  text.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("a")) { return; }  // links inside a quote still work
    var id = markId(e.target);
    if (id) { activate(id, false); } else { unpop(false); }
  });
  text.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" && e.key !== " ") { return; }
    var id = e.target.matches && e.target.matches("mark.hl[data-anno]") ? markId(e.target) : null;
    if (id) { e.preventDefault(); activate(id, true); }
  });
  document.addEventListener("click", function (e) {  // a tap anywhere else closes the card
    if (popped && !popped.contains(e.target) && !text.contains(e.target)) { unpop(false); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && popped) { unpop(true); }
  });
  column.addEventListener("toggle", function (e) {
    if (e.target === popped && !popped.open) { unpop(false); }
  }, true);

  /* Wide screens: each note level with its passage; a note that would reach the next
     passage's note is clamped to the lines that fit (it opens fully on hover or focus). */
  var GAP = 10;
  function place() {
    var j, n;
    for (j = 0; j < notes.length; j++) {
      n = notes[j];
      n.classList.remove("is-clamped");
      n.style.removeProperty("--clamp");
      if (!isWide()) { n.style.top = ""; }
    }
    column.style.minHeight = "";
    if (!isWide()) { return; }
    unpop(false);
    var base = column.getBoundingClientRect().top;
    var want = [];
    for (j = 0; j < notes.length; j++) {
      var segs = segments[notes[j].getAttribute("data-anno")];
      want.push(segs ? segs[0].getBoundingClientRect().top - base : 0);
    }
    var y = 0;
    for (j = 0; j < notes.length; j++) {
      n = notes[j];
      var top = Math.max(want[j], y);
      n.style.top = top + "px";
      var next = j + 1 < want.length ? want[j + 1] : Infinity;
      var room = next - GAP - top;
      if (n.offsetHeight > room) {
        var summary = n.querySelector("summary").offsetHeight;
        var line = parseFloat(getComputedStyle(n).lineHeight) || 18;
        n.style.setProperty("--clamp", String(Math.max(1, Math.floor((room - summary) / line))));
        n.classList.add("is-clamped");
      }
      y = top + n.offsetHeight + GAP;
    }
    column.style.minHeight = y + "px";
  }
  var queued = false;
  function schedule() {
    if (queued) { return; }
    queued = true;
    window.requestAnimationFrame(function () { queued = false; place(); });
  }
  place();
  window.addEventListener("resize", schedule);
  window.addEventListener("load", schedule);
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(schedule); }
  if (wide) {
    if (wide.addEventListener) { wide.addEventListener("change", schedule); }
    else if (wide.addListener) { wide.addListener(schedule); }
  }
})();
