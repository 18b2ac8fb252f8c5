/* Report page: the workflow, comment and 已核实 buttons post the page's form to their own URLs, which do not
   save the grid. Typed-in values would be thrown away without a word: stop and say so instead, and warn before
   leaving the page with unsaved values. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.getElementById("report_form");
  if (!form) { return; }
  // Fields that belong to those buttons, not to the report.
  var own = /^(nb_reason|nb_override|nb_comment_key|nb_comment_text|accept_comment_.*)$/;
  var dirty = false;
  var submitting = false;
  function mark(event) {
    var name = event.target && event.target.name;
    if (name && !own.test(name)) { dirty = true; }
  }
  form.addEventListener("input", mark);
  form.addEventListener("change", mark);
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[formaction], input[formaction]");
    if (!button || !dirty) { return; }
    event.preventDefault();
    var label = (button.textContent || button.value || "").trim();
    window.alert("您有未保存的修改。请先点“保存并继续编辑”保存数值，再" + (label ? "点“" + label + "”" : "执行此操作") + "。");
  });
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });
});
