/* Keyboard paths through the review screens (loaded as a file: the CSP allows no inline script).
   Queue: j / ArrowDown and k / ArrowUp move between claims, Enter opens one, x selects it, f opens the filters.
   Claim page: the label is focused for a new verdict, Ctrl+Enter saves and submits, after a save the
   "next claim" link is focused, and n opens it. */
(function () {
  "use strict";

  function typing(event) {
    var el = event.target;
    return event.altKey || event.ctrlKey || event.metaKey ||
      (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(el.tagName)));
  }

  function queue() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#result_list tbody tr"));
    if (!rows.length) { return; }
    var current = 0;

    function move(to) {
      current = Math.max(0, Math.min(rows.length - 1, to));
      rows.forEach(function (row, i) { row.classList.toggle("rv-current", i === current); });
      var link = rows[current].querySelector("a.rv-claim");
      if (link) { link.focus({ preventScroll: true }); }
      rows[current].scrollIntoView({ block: "nearest" });
    }

    rows.forEach(function (row, i) {
      row.addEventListener("focusin", function () {
        current = i;
        rows.forEach(function (r, j) { r.classList.toggle("rv-current", j === i); });
      });
    });

    document.addEventListener("keydown", function (event) {
      if (typing(event)) { return; }
      var key = event.key;
      if (key === "j" || key === "ArrowDown") { move(current + 1); event.preventDefault(); }
      else if (key === "k" || key === "ArrowUp") { move(current - 1); event.preventDefault(); }
      else if (key === "Enter" && document.activeElement === document.body) {
        var link = rows[current].querySelector("a.rv-claim");
        if (link) { link.click(); event.preventDefault(); }
      }
      else if (key === "x") {
        var box = rows[current].querySelector("input.action-select");
        if (box) { box.click(); event.preventDefault(); }
      }
      else if (key === "f") {
        var filters = document.getElementById("queue-filters");
        if (filters) { filters.open = !filters.open; event.preventDefault(); }
      }
    });
    move(0);
  }

  function claimPage() {
    var next = document.getElementById("next-claim");
    var form = document.getElementById("verdict-form");
    var saved = document.querySelector(".messagelist .success");
    var errors = document.querySelector(".messagelist .error, .errorlist");
    if (saved && next) { next.focus(); }
    else if (form && !errors) {
      var label = document.getElementById("id_label");
      if (label) { label.focus(); }
    }
    if (form) {
      form.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          var submit = form.querySelector('button[value="submit"]');
          if (submit) { submit.click(); event.preventDefault(); }
        }
      });
    }
    document.addEventListener("keydown", function (event) {
      if (typing(event)) { return; }
      if (event.key === "n" && next) { next.click(); event.preventDefault(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.classList.contains("rv-queue")) { queue(); }
    if (document.getElementById("claim-side")) { claimPage(); }
  });
})();
