/* The report page's three tables as a spreadsheet: plain text cells that only the reviewer's typing changes.
 *
 * - Arrow keys, Tab and Enter move between cells; no key and no mouse wheel ever changes a number by itself
 *   (the cells are text inputs with inputmode=numeric, not <input type=number>).
 * - Typing replaces the cell (it is selected when entered); F2 or a double click edits inside it; Esc puts back
 *   the value the cell had when entered.
 * - Pasting a block copied from Excel, WPS or a web page (tab- and newline-separated) fills the cells from the
 *   focused one to the right and down; anything that is not a number refuses the whole paste with a message.
 *   Ctrl+Z right after undoes the paste.
 * - The equation rules run as you type (rules.js, from the server's own rule definitions): a failing cell shows
 *   the message beside it and the equation's other cells are outlined.
 * - Alt+E goes to the next cell with a problem (a failing equation, or a warning the server found).
 * - Ctrl+S (or Ctrl+Enter) saves; the server checks everything again.
 *
 * Other scripts follow the selected cell through the "nb:cell" event (detail: {key, td}).
 */
(function () {
  "use strict";

  var MAX_COUNT = 2147483647;
  var BLANK_TOKENS = { "": true, "-": true, "—": true, "－": true, "–": true, "/": true, "／": true, "无": true };

  function ready(fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { fn(); }
  }

  ready(function () {
    var dataNode = document.getElementById("nb-grid-data");
    var form = document.getElementById("report_form");
    if (!dataNode || !form) { return; }
    var data = JSON.parse(dataNode.textContent);
    var labels = data.labels || {};

    // --- the cells, as rows of each table ----------------------------------------------------------------
    var tables = [];
    var byKey = {};
    Array.prototype.forEach.call(form.querySelectorAll("table.nb-grid"), function (table) {
      var rows = [];
      Array.prototype.forEach.call(table.querySelectorAll("tr"), function (tr) {
        var cells = Array.prototype.filter.call(tr.querySelectorAll("td.nb-value[data-key]"), function (td) {
          return editorOf(td) !== null;
        });
        if (cells.length) { rows.push(cells); }
      });
      if (rows.length) { tables.push(rows); }
    });
    tables.forEach(function (rows, t) {
      rows.forEach(function (cells, r) {
        cells.forEach(function (td, c) {
          td.nbPos = { t: t, r: r, c: c };
          byKey[td.dataset.key] = td;
          var ed = editorOf(td);
          ed.setAttribute("data-nb-key", td.dataset.key);
          if (!isInput(ed)) { ed.tabIndex = 0; }
        });
      });
    });
    if (!tables.length) { return; }

    function editorOf(td) { return td.querySelector("input.nb-cell, .nb-ro"); }
    function isInput(el) { return el && el.tagName === "INPUT"; }
    function cellOf(el) { return el && el.closest ? el.closest("td.nb-value[data-key]") : null; }
    function rawOf(td) {
      var ed = editorOf(td);
      return isInput(ed) ? ed.value : ed.textContent;
    }
    function isFee(td) { return td.dataset.key === data.fees_key; }

    // --- values ------------------------------------------------------------------------------------------
    // A cell's text as a number, null (blank) or NianbaoRules.INVALID (with why).
    function parseToken(text, fee) {
      var t = String(text).normalize("NFKC").replace(/\s+/g, "");
      if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) { t = t.replace(/,/g, ""); }
      if (BLANK_TOKENS[t]) { return { value: null }; }
      var ok = fee ? /^\d+(\.\d{1,4})?$/.test(t) : /^\d+$/.test(t);
      if (!ok) {
        return { invalid: true, why: "“" + String(text).trim() + "”不是有效的数值（应为不小于 0 的" + (fee ? "金额" : "整数") + "，或留空）" };
      }
      var n = Number(t);
      if (!fee && n > MAX_COUNT) { return { invalid: true, why: "“" + t + "”超出了可保存的范围（最大 " + MAX_COUNT + "）" }; }
      return { value: n, text: t };
    }
    function valueOf(td) {
      var raw = rawOf(td);
      if (raw.trim() === "") { return null; }
      var p = parseToken(raw, isFee(td));
      return p.invalid ? window.NianbaoRules.INVALID : p.value;
    }

    // --- focus and movement ------------------------------------------------------------------------------
    var active = null;       // the td being worked on
    var entryValue = "";     // its value when entered (Esc restores it)
    var editing = false;     // F2 / double click: the arrow keys move the caret instead of the cell

    function enter(td, how) {
      if (!td) { return; }
      var ed = editorOf(td);
      ed.focus();
      if (isInput(ed) && how !== "edit") { ed.select(); }
      td.scrollIntoView({ block: "nearest", inline: "nearest" });
    }

    function at(t, r, c) {
      var rows = tables[t];
      if (!rows || !rows[r]) { return null; }
      return rows[r][Math.min(c, rows[r].length - 1)];
    }

    function centerX(td) { var b = td.getBoundingClientRect(); return b.left + b.width / 2; }

    function nearestInRow(cells, x) {
      var best = cells[0], dist = Infinity;
      cells.forEach(function (td) {
        var d = Math.abs(centerX(td) - x);
        if (d < dist) { dist = d; best = td; }
      });
      return best;
    }

    function vertical(td, step) {
      var p = td.nbPos, x = centerX(td);
      var t = p.t, r = p.r + step;
      if (r < 0) {
        if (t === 0) { return td; }
        t -= 1; r = tables[t].length - 1;
      } else if (r >= tables[t].length) {
        if (t === tables.length - 1) { return td; }
        t += 1; r = 0;
      }
      return nearestInRow(tables[t][r], x);
    }

    function horizontal(td, step) {
      var p = td.nbPos, cells = tables[p.t][p.r];
      var c = p.c + step;
      if (c >= 0 && c < cells.length) { return cells[c]; }
      return td;
    }

    function move(td, key) {
      if (key === "ArrowUp") { return vertical(td, -1); }
      if (key === "ArrowDown") { return vertical(td, 1); }
      if (key === "ArrowLeft") { return horizontal(td, -1); }
      return horizontal(td, 1);
    }

    form.addEventListener("focusin", function (event) {
      var td = cellOf(event.target);
      if (!td || !td.nbPos) { return; }
      if (active && active !== td) { active.classList.remove("nb-active"); }
      active = td;
      editing = false;
      entryValue = rawOf(td);
      if (isInput(event.target)) { event.target.select(); }  // typing replaces the cell
      td.classList.add("nb-active");
      showBubble();
      document.dispatchEvent(new CustomEvent("nb:cell", { detail: { key: td.dataset.key, td: td } }));
    });
    form.addEventListener("focusout", function (event) {
      var td = cellOf(event.target);
      if (td && !td.contains(event.relatedTarget)) {
        td.classList.remove("nb-active");
        window.setTimeout(function () { if (!cellOf(document.activeElement)) { hideBubble(); } }, 0);
      }
    });
    // A click selects the cell like a spreadsheet (typing replaces it); a double click edits inside it.
    form.addEventListener("mouseup", function (event) {
      var ed = event.target;
      if (isInput(ed) && cellOf(ed) && !editing && ed.selectionStart === ed.selectionEnd) { ed.select(); }
    });
    form.addEventListener("dblclick", function (event) {
      if (isInput(event.target) && cellOf(event.target)) { editing = true; }
    });
    // The wheel scrolls the page; it never changes a cell (text inputs ignore it, and nothing here listens).

    form.addEventListener("keydown", function (event) {
      var td = cellOf(event.target);
      if (!td || !td.nbPos) { return; }
      var ed = event.target, key = event.key;
      if ((event.ctrlKey || event.metaKey) && (key === "s" || key === "S" || key === "Enter")) {
        event.preventDefault();
        save();
        return;
      }
      if ((event.ctrlKey || event.metaKey) && (key === "z" || key === "Z") && !event.shiftKey && undoPaste()) {
        event.preventDefault();
        return;
      }
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      if (key === "ArrowUp" || key === "ArrowDown") {
        event.preventDefault();
        enter(move(td, key));
      } else if (key === "ArrowLeft" || key === "ArrowRight") {
        if (editing && isInput(ed)) { return; }  // the caret moves inside the cell
        event.preventDefault();
        enter(move(td, key));
      } else if (key === "Enter") {
        event.preventDefault();  // Enter moves down, as in a spreadsheet; Ctrl+S saves
        enter(vertical(td, event.shiftKey ? -1 : 1));
      } else if (key === "F2") {
        event.preventDefault();
        editing = true;
        if (isInput(ed)) { var n = ed.value.length; ed.setSelectionRange(n, n); }
      } else if (key === "Escape") {
        if (isInput(ed) && ed.value !== entryValue) {
          event.preventDefault();
          setValue(td, entryValue);
          ed.select();
        }
      }
    });

    // Full-width digits typed with a Chinese input method become ASCII digits.
    form.addEventListener("input", function (event) {
      var td = cellOf(event.target);
      if (!td || !isInput(event.target)) { return; }
      var ed = event.target, v = ed.value, folded = v.replace(/[０-９]/g, function (d) { return String.fromCharCode(d.charCodeAt(0) - 0xFEE0); });
      if (folded !== v) { ed.value = folded; }
      evaluate();
    });

    function setValue(td, text) {
      var ed = editorOf(td);
      if (!isInput(ed)) { return; }
      ed.value = text;
      ed.dispatchEvent(new Event("input", { bubbles: true }));
      ed.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function save() {
      var button = form.querySelector('input[name="_continue"]:not(.nb-default-submit)') ||
        form.querySelector('input[name="_continue"]');
      if (button) { button.click(); }
    }

    // --- paste -------------------------------------------------------------------------------------------
    var lastPaste = null;

    function blockFromClipboard(clipboard) {
      var text = clipboard.getData("text/plain") || "";
      var html = clipboard.getData("text/html") || "";
      if (text.indexOf("\t") < 0 && /<table/i.test(html)) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var rows = [];
        Array.prototype.forEach.call(doc.querySelectorAll("tr"), function (tr) {
          rows.push(Array.prototype.map.call(tr.querySelectorAll("td, th"), function (c) { return c.textContent; }));
        });
        if (rows.length) { return rows; }
      }
      var lines = text.replace(/\r\n?/g, "\n").split("\n");
      if (lines.length > 1 && lines[lines.length - 1] === "") { lines.pop(); }
      return lines.map(function (line) { return line.split("\t"); });
    }

    form.addEventListener("paste", function (event) {
      var td = cellOf(event.target);
      if (!td || !td.nbPos || !isInput(editorOf(td))) { return; }
      var block = blockFromClipboard(event.clipboardData || window.clipboardData);
      if (block.length === 1 && block[0].length === 1 && editing) { return; }  // inside a cell: a normal paste
      event.preventDefault();
      var p = td.nbPos, rows = tables[p.t], targets = [], problems = [];
      for (var i = 0; i < block.length; i++) {
        var row = rows[p.r + i];
        if (!row) {
          problems.push("粘贴内容有 " + block.length + " 行，从“" + labelOf(td) + "”向下只有 " + (rows.length - p.r) + " 行");
          break;
        }
        if (p.c + block[i].length > row.length) {
          problems.push("第 " + (i + 1) + " 行有 " + block[i].length + " 个值，从所在列向右只有 " + (row.length - p.c) + " 格");
          break;
        }
        for (var j = 0; j < block[i].length; j++) {
          var target = row[p.c + j];
          var parsed = parseToken(block[i][j], isFee(target));
          if (parsed.invalid) {
            problems.push("第 " + (i + 1) + " 行第 " + (j + 1) + " 个值" + parsed.why);
          } else if (!isInput(editorOf(target))) {
            problems.push("“" + labelOf(target) + "”不能修改");
          } else {
            targets.push([target, parsed.value === null ? "" : parsed.text]);
          }
        }
      }
      if (problems.length) {
        toast(td, "未粘贴：" + problems.slice(0, 3).join("；") + "。表格未作任何改动。", "error");
        return;
      }
      var before = targets.map(function (pair) { return [pair[0], rawOf(pair[0])]; });
      targets.forEach(function (pair) {
        setValue(pair[0], pair[1]);
        pair[0].classList.add("nb-pasted");
      });
      window.setTimeout(function () { targets.forEach(function (pair) { pair[0].classList.remove("nb-pasted"); }); }, 1500);
      lastPaste = { before: before, after: targets.map(function (pair) { return pair[1]; }), origin: td };
      var shape = block.length + " 行 × " + block[0].length + " 列";
      toast(td, "已粘贴 " + targets.length + " 格（" + shape + "）。按 Ctrl+Z 撤销。", "ok", true);
      enter(td);
    });

    function undoPaste() {
      if (!lastPaste) { return false; }
      var intact = lastPaste.before.every(function (pair, n) { return rawOf(pair[0]) === lastPaste.after[n]; });
      if (!intact) { lastPaste = null; return false; }
      lastPaste.before.forEach(function (pair) { setValue(pair[0], pair[1]); });
      var origin = lastPaste.origin;
      lastPaste = null;
      toast(origin, "已撤销粘贴。", "ok");
      enter(origin);
      return true;
    }

    function labelOf(td) { return labels[td.dataset.key] || td.dataset.key; }

    var toastNode = null, toastTimer = null;
    function toast(td, message, level, withUndo) {
      if (!toastNode) {
        toastNode = document.createElement("div");
        toastNode.id = "nb-grid-toast";
        toastNode.setAttribute("role", "status");
        document.body.appendChild(toastNode);
      }
      toastNode.className = "nb-toast nb-toast-" + level;
      toastNode.textContent = message;
      if (withUndo) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "button";
        b.textContent = "撤销粘贴";
        b.addEventListener("mousedown", function (e) { e.preventDefault(); undoPaste(); });
        toastNode.appendChild(b);
      }
      place(toastNode, td, "below");
      toastNode.hidden = false;
      window.clearTimeout(toastTimer);
      toastTimer = window.setTimeout(function () { toastNode.hidden = true; }, level === "error" ? 9000 : 5000);
    }

    function place(node, td, where) {
      var b = td.getBoundingClientRect();
      node.style.position = "absolute";
      if (where === "below") {
        node.style.left = (window.scrollX + b.left) + "px";
        node.style.top = (window.scrollY + b.bottom + 4) + "px";
      } else {
        node.style.left = (window.scrollX + b.right + 6) + "px";
        node.style.top = (window.scrollY + b.top - 2) + "px";
      }
    }

    // --- live rules --------------------------------------------------------------------------------------
    var live = [];         // failing equations now
    var bubble = document.createElement("div");
    bubble.id = "nb-live-bubble";
    bubble.className = "nb-live-bubble";
    bubble.hidden = true;
    bubble.setAttribute("role", "alert");
    document.body.appendChild(bubble);

    function evaluate() {
      var values = {};
      var invalid = [];
      Object.keys(byKey).forEach(function (key) {
        var v = valueOf(byKey[key]);
        values[key] = v;
        byKey[key].classList.toggle("nb-live-invalid", v === window.NianbaoRules.INVALID);
      });
      live = data.rules ? window.NianbaoRules.evaluate(data.rules, values, data.printed || {}, data.missing || []) : [];
      Object.keys(byKey).forEach(function (key) { byKey[key].classList.remove("nb-live-error"); });
      live.forEach(function (issue) {
        issue.keys.forEach(function (key) { if (byKey[key]) { byKey[key].classList.add("nb-live-error"); } });
      });
      showBubble();
      document.dispatchEvent(new CustomEvent("nb:evaluated", { detail: { issues: live, invalid: invalid } }));
    }

    function showBubble() {
      Object.keys(byKey).forEach(function (key) { byKey[key].classList.remove("nb-eq-peer"); });
      if (!active) { hideBubble(); return; }
      var key = active.dataset.key, lines = [];
      var v = valueOf(active);
      if (v === window.NianbaoRules.INVALID) {
        lines.push(labelOf(active) + "：" + parseToken(rawOf(active), isFee(active)).why);
      }
      live.forEach(function (issue) {
        if (issue.keys.indexOf(key) < 0) { return; }
        lines.push("✖ " + issue.rule + " " + issue.message);
        issue.keys.forEach(function (k) { if (k !== key && byKey[k]) { byKey[k].classList.add("nb-eq-peer"); } });
      });
      if (!lines.length) { hideBubble(); return; }
      bubble.textContent = "";
      lines.forEach(function (line) {
        var p = document.createElement("div");
        p.textContent = line;
        bubble.appendChild(p);
      });
      bubble.dataset.key = key;
      place(bubble, active, "beside");
      bubble.hidden = false;
    }

    function hideBubble() { bubble.hidden = true; bubble.dataset.key = ""; }

    // Alt+E: the next cell with a problem after the one being worked on (wrapping round).
    var ordered = [];
    tables.forEach(function (rows) { rows.forEach(function (cells) { ordered = ordered.concat(cells); }); });
    function nextProblem() {
      var start = active ? ordered.indexOf(active) : -1;
      for (var i = 1; i <= ordered.length; i++) {
        var td = ordered[(start + i) % ordered.length];
        if (td.matches(".nb-live-error, .nb-live-invalid, .nb-flag-error, .nb-flag-warning")) { return td; }
      }
      return null;
    }
    document.addEventListener("keydown", function (event) {
      if (!event.altKey || event.ctrlKey || (event.key !== "e" && event.key !== "E")) { return; }
      var td = nextProblem();
      if (td) { event.preventDefault(); enter(td); }
    });

    window.addEventListener("resize", function () { if (!bubble.hidden && active) { place(bubble, active, "beside"); } });

    // The server flagged these cells for equation rules only: from now on the live checks show them.
    (data.live_flags || []).forEach(function (key) {
      if (byKey[key]) { byKey[key].classList.remove("nb-flag-error", "nb-flag-warning", "nb-flag-info"); }
    });
    evaluate();
    window.NianbaoGrid = { cells: byKey, enter: enter, evaluate: evaluate, issues: function () { return live; } };
  });
})();
