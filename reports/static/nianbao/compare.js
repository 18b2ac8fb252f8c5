/* 对比上年: last year's value under each cell, the cells that changed marked (Alt+L, or the 对比上年 link). */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { fn(); }
  }
  ready(function () {
    var node = document.getElementById("nb-grid-data"), toggle = document.getElementById("nb-compare-toggle");
    if (!node || !toggle) { return; }
    var previous = JSON.parse(node.textContent).previous;
    if (!previous) { return; }
    toggle.hidden = false;
    toggle.textContent = "对比上年（" + previous.year + "）";
    var on = false;

    function current(td) {
      var ed = td.querySelector("input.nb-cell, .nb-ro");
      var raw = ed ? (ed.tagName === "INPUT" ? ed.value : ed.textContent).trim() : "";
      return raw === "" ? null : Number(raw);
    }

    function show() {
      Array.prototype.forEach.call(document.querySelectorAll("td.nb-value[data-key]"), function (td) {
        var old = td.querySelector(".nb-prev");
        if (old) { old.remove(); }
        td.classList.remove("nb-changed");
        if (!on) { return; }
        var before = previous.values[td.dataset.key];
        var now = current(td);
        var span = document.createElement("span");
        span.className = "nb-prev";
        span.textContent = "上年 " + (before === null || before === undefined ? "空" : before);
        var changed = (before === null || before === undefined) ? now !== null : now !== Number(before);
        if (changed && now !== null && before) {
          var pct = Math.round((now - before) / before * 100);
          span.textContent += "（" + (pct > 0 ? "+" : "") + pct + "%）";
        }
        td.classList.toggle("nb-changed", changed);
        td.appendChild(span);
      });
    }

    function flip() {
      on = !on;
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      show();
    }
    toggle.addEventListener("click", function (e) { e.preventDefault(); flip(); });
    document.addEventListener("keydown", function (e) {
      if (e.altKey && !e.ctrlKey && (e.key === "l" || e.key === "L")) { e.preventDefault(); flip(); }
    });
    document.addEventListener("input", function (e) { if (on && e.target.closest && e.target.closest("td.nb-value")) { show(); } });
  });
})();
