/* Keyboard shortcuts of the report page, so a batch can be reviewed without the mouse:
 *   Alt+N / Alt+P   下一份 / 上一份 in the review queue (the filtered changelist the report was opened from)
 *   Alt+K           开始审核
 *   Alt+T           退回 (the reason field first, when it is still empty)
 *   Alt+G           通过;  Alt+Shift+G 通过并打开下一份
 *   Alt+O           原文对照 (source_panel.js);  Ctrl+S 保存 (grid.js)
 * Every button keeps its checks: unsaved values stop a workflow step (report_form.js), the server refuses what
 * it must.
 */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key.toLowerCase();
    function click(selector) {
      var el = document.querySelector(selector);
      if (!el) { return false; }
      event.preventDefault();
      el.click();
      return true;
    }
    if (key === "n") { click("#nb-next"); }
    else if (key === "p") { click("#nb-prev"); }
    else if (key === "k") { click('.nb-step[value="start_review"]'); }
    else if (key === "g") { click(event.shiftKey ? "#nb-approve-next" : '.nb-step[value="approve"]:not(#nb-approve-next)'); }
    else if (key === "t") {
      var reason = document.querySelector('input[name="nb_reason"]');
      if (reason && !reason.value.trim() && document.querySelector('.nb-step[value="return"]')) {
        event.preventDefault();
        reason.focus();
        reason.placeholder = "请先填写退回理由，再按 Alt+T 退回";
        return;
      }
      click('.nb-step[value="return"]');
    }
  });
})();
