/* The import preview settles everything before anything is written: 确认导入 stays disabled while a ticked file
 * has no agency (the server refuses it too); the agency picker searches names, short names, aliases and pinyin
 * (initials too); a choice can be applied to every file naming itself the same; 新建机关 is never preselected and
 * asks for its name only when chosen. */
(function () {
  "use strict";
  var form = document.querySelector("#content-main form");
  var confirm = document.getElementById("nb-confirm");
  var why = document.getElementById("nb-confirm-why");
  if (!form || !confirm) { return; }
  var files = Array.prototype.slice.call(form.querySelectorAll("fieldset.nb-preview"));

  function parts(fs) {
    return {
      include: fs.querySelector(".nb-include"),
      select: fs.querySelector("select.nb-agency"),
      search: fs.querySelector(".nb-agency-search"),
      mark: fs.querySelector(".nb-unresolved"),
      fresh: fs.querySelector(".nb-new-agency"),
      name: fs.querySelector('input[name^="new_name_"]'),
      pick: fs.querySelector(".nb-agency-pick")
    };
  }

  function unresolved(p) {
    if (!p.include || !p.include.checked || !p.select) { return false; }
    if (p.select.value === "new") { return !(p.name && p.name.value.trim()); }
    return p.select.value === "";
  }

  function update() {
    var open = [];
    files.forEach(function (fs) {
      var p = parts(fs);
      if (!p.select) { return; }
      var bad = unresolved(p);
      if (p.mark) { p.mark.hidden = !bad; }
      if (p.fresh) { p.fresh.hidden = p.select.value !== "new"; }
      fs.classList.toggle("nb-needs-agency", bad);
      if (bad) { open.push(fs.querySelector("h2").textContent.split(" — ")[0]); }
    });
    confirm.disabled = open.length > 0;
    why.hidden = !open.length;
    why.textContent = open.length ? "还有 " + open.length + " 个勾选的文件未确定机关（请选择机关或取消勾选）：" + open.join("、") : "";
  }

  files.forEach(function (fs) {
    var p = parts(fs);
    if (!p.select) { return; }
    p.select.addEventListener("change", function () {
      if (p.select.value && p.include && !p.include.checked && p.include.dataset.touched !== "1") { p.include.checked = true; }
      update();
    });
    if (p.include) { p.include.addEventListener("change", function () { p.include.dataset.touched = "1"; update(); }); }
    if (p.name) { p.name.addEventListener("input", update); }
    if (p.search) {
      p.search.addEventListener("input", function () {
        var q = p.search.value.trim().toLowerCase(), first = null;
        Array.prototype.forEach.call(p.select.querySelectorAll("option[data-search]"), function (o) {
          var hit = !q || o.dataset.search.indexOf(q) >= 0 || o.textContent.indexOf(p.search.value.trim()) >= 0;
          o.hidden = !hit;
          if (hit && !first) { first = o; }
        });
        if (q && first) { p.select.value = first.value; update(); }
      });
      p.search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); p.select.focus(); } });
    }
    var apply = fs.querySelector(".nb-apply-same");
    if (apply) {
      apply.addEventListener("click", function () {
        var name = p.pick.dataset.name;
        files.forEach(function (other) {
          var q = parts(other);
          if (other === fs || !q.select || !q.pick || q.pick.dataset.name !== name) { return; }
          q.select.value = p.select.value;
          if (q.name && p.name) { q.name.value = p.name.value; }
          if (q.include && p.select.value) { q.include.checked = true; }
        });
        update();
      });
    }
  });
  form.addEventListener("submit", function (e) { update(); if (confirm.disabled) { e.preventDefault(); } });
  update();
})();
