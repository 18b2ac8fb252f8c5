/* Report page, scanned sources: the picture of the cell under the pointer (or with the focus), cut out of the
   scan it was read from, in a small panel beside the grid — so a reviewer compares the value with the page. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var data = document.getElementById("nb-cell-crops");
  var panel = document.getElementById("nb-crop");
  if (!data || !panel) { return; }
  var crops = JSON.parse(data.textContent);
  var img = panel.querySelector("img");
  var title = panel.querySelector(".nb-crop-title");
  var shown = null;
  // A cell is small on a page scanned at 150-200 dpi: shown at twice its size, so its digits are plain.
  img.addEventListener("load", function () { img.style.width = Math.min(img.naturalWidth * 2, 640) + "px"; });
  function show(cell) {
    var key = cell && cell.getAttribute("data-key");
    if (!key || !crops[key] || key === shown) { return; }
    shown = key;
    img.src = crops[key].url;
    title.textContent = "原件图像：" + crops[key].caption;
    panel.hidden = false;
  }
  document.addEventListener("focusin", function (event) { show(event.target.closest("td[data-key]")); });
  document.addEventListener("mouseover", function (event) { show(event.target.closest("td[data-key]")); });
});
