/* The source beside the numbers: a side panel on the report page that shows the stored document and follows the
 * cell the reviewer is on (the grid's "nb:cell" event). A PDF page is rendered on the server and the cell's box
 * is outlined on it; other documents show their tables as read with the cell highlighted (or the text line the
 * value came from). Every stored version can be chosen. Alt+O opens and closes the panel; it stays open from
 * one report to the next.
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { fn(); }
  }

  ready(function () {
    var dataNode = document.getElementById("nb-grid-data");
    if (!dataNode) { return; }
    var data = JSON.parse(dataNode.textContent);
    var sources = data.sources || [];
    var toggle = document.getElementById("nb-source-toggle");
    if (!sources.length) {
      if (toggle) { toggle.hidden = true; }
      return;
    }
    var STORE = "nianbao.sourcePanel";
    var panel = document.createElement("aside");
    panel.id = "nb-source-panel";
    panel.className = "nb-source-panel";
    panel.hidden = true;
    panel.innerHTML =
      '<div class="nb-src-head"><strong>原文对照</strong> ' +
      '<select id="nb-src-version" aria-label="来源文件版本"></select> ' +
      '<span id="nb-src-where" class="nb-src-where"></span>' +
      '<button type="button" class="nb-src-close" title="关闭（Alt+O）">×</button></div>' +
      '<div id="nb-src-body" class="nb-src-body"></div>';
    document.body.appendChild(panel);
    var select = panel.querySelector("#nb-src-version");
    var where = panel.querySelector("#nb-src-where");
    var body = panel.querySelector("#nb-src-body");
    sources.forEach(function (s) {
      var o = document.createElement("option");
      o.value = String(s.id);
      o.textContent = "第 " + s.version + " 版 " + s.name;
      select.appendChild(o);
    });

    var loaded = {};    // source id -> panel data
    var current = null; // panel data shown
    var key = null;     // the cell followed
    var shownPage = null;

    function open(yes) {
      panel.hidden = !yes;
      document.body.classList.toggle("nb-split", yes);
      if (toggle) { toggle.setAttribute("aria-pressed", yes ? "true" : "false"); }
      try { window.localStorage.setItem(STORE, yes ? "open" : ""); } catch (e) { /* private mode */ }
      if (yes) { load(select.value); }
    }

    function load(id) {
      if (loaded[id]) { show(loaded[id]); return; }
      var src = sources.filter(function (s) { return String(s.id) === String(id); })[0];
      body.textContent = "正在读取来源文件…";
      fetch(src.panel_url, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (d) { loaded[id] = d; if (select.value === String(id)) { show(d); } })
        .catch(function () { body.textContent = "来源文件无法显示。"; });
    }

    function show(d) {
      current = d;
      shownPage = null;
      body.textContent = "";
      body.className = "nb-src-body nb-src-" + d.kind;
      if (d.kind === "unavailable") {
        body.textContent = d.error || "来源文件无法显示。";
        return;
      }
      if (d.kind === "pdf") {
        var frame = document.createElement("div");
        frame.className = "nb-src-page";
        frame.innerHTML = '<img id="nb-src-img" alt="来源文件页面"><div id="nb-src-box" class="nb-src-box" hidden></div>';
        body.appendChild(frame);
      } else {
        drawDocument(d);
      }
      follow(key);
    }

    function drawDocument(d) {
      d.tables.forEach(function (t) {
        var caption = document.createElement("div");
        caption.className = "nb-src-caption";
        caption.textContent = "表格 " + (t.index + 1) + (t.page ? "（第 " + t.page + " 页）" : "");
        body.appendChild(caption);
        var table = document.createElement("table");
        table.className = "nb-src-table";
        table.dataset.table = String(t.index);
        t.rows.forEach(function (row, r) {
          var tr = table.insertRow();
          row.forEach(function (cell, c) {
            var td = tr.insertCell();
            td.id = "nb-src-t" + t.index + "-" + r + "-" + c;
            if (cell[1]) { td.className = "nb-src-merged"; } else { td.textContent = cell[0]; }  // a merged cell's copies
          });
        });
        body.appendChild(table);
      });
      if (d.lines.length) {
        var caption = document.createElement("div");
        caption.className = "nb-src-caption";
        caption.textContent = "正文（按行）";
        body.appendChild(caption);
        var ol = document.createElement("ol");
        ol.className = "nb-src-lines";
        d.lines.forEach(function (text, i) {
          var li = document.createElement("li");
          li.id = "nb-src-l" + (i + 1);
          li.textContent = text;
          ol.appendChild(li);
        });
        body.appendChild(ol);
      }
    }

    function describe(place) {
      if (!place) { return "此格在该版本中没有读数记录"; }
      var parts = [data.labels[key] || key];
      if (place.missing) { parts.push("未能从原文读出"); }
      else if (place.inferred) { parts.push("由勾稽关系推算"); }
      else if (place.blank) { parts.push("原文空白"); }
      else if (place.raw !== undefined) { parts.push("原文“" + place.raw + "”"); }
      if (place.location) { parts.push(place.location); }
      return parts.join(" · ");
    }

    function follow(k) {
      if (!current || panel.hidden || !k) { return; }
      var place = current.cells[k];
      where.textContent = describe(place);
      Array.prototype.forEach.call(body.querySelectorAll(".nb-src-hit"), function (n) { n.classList.remove("nb-src-hit"); });
      if (current.kind === "pdf") {
        var img = body.querySelector("#nb-src-img"), box = body.querySelector("#nb-src-box");
        var page = place && place.page ? place.page : (shownPage || 1);
        if (page !== shownPage) {
          img.src = current.page_url + page + ".png";
          shownPage = page;
        }
        body.dataset.page = String(page);
        if (place && place.box && place.page) {
          box.style.left = (place.box[0] * 100) + "%";
          box.style.top = (place.box[1] * 100) + "%";
          box.style.width = ((place.box[2] - place.box[0]) * 100) + "%";
          box.style.height = ((place.box[3] - place.box[1]) * 100) + "%";
          box.hidden = false;
          box.dataset.key = k;
          var reveal = function () { box.scrollIntoView({ block: "center", inline: "nearest" }); };
          if (img.complete) { reveal(); } else { img.onload = reveal; }
        } else {
          box.hidden = true;
          box.dataset.key = "";
        }
        return;
      }
      var hit = null;
      if (place && place.table !== undefined && place.row !== undefined && place.col !== undefined) {
        hit = body.querySelector("#nb-src-t" + place.table + "-" + place.row + "-" + place.col);
      } else if (place && place.line) {
        hit = body.querySelector("#nb-src-l" + place.line);
      }
      if (hit) {
        hit.classList.add("nb-src-hit");
        hit.dataset.key = k;
        hit.scrollIntoView({ block: "center", inline: "nearest" });
      }
    }

    document.addEventListener("nb:cell", function (event) {
      key = event.detail.key;
      follow(key);
    });
    select.addEventListener("change", function () { load(select.value); });
    panel.querySelector(".nb-src-close").addEventListener("click", function () { open(false); });
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function (e) { e.preventDefault(); open(panel.hidden); });
    }
    document.addEventListener("keydown", function (event) {
      if (event.altKey && !event.ctrlKey && (event.key === "o" || event.key === "O")) {
        event.preventDefault();
        open(panel.hidden);
      }
    });
    var wanted = "";
    try { wanted = window.localStorage.getItem(STORE) || ""; } catch (e) { /* private mode */ }
    if (wanted === "open") { open(true); }
    window.NianbaoSourcePanel = { open: open, follow: follow };
  });
})();
