// Draws the portfolio page's heatmap from the figure data the page carries; without
// JavaScript the page shows the same numbers in its table and links to an image.
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("portfolio-data");
    var target = document.getElementById("portfolio-heatmap");
    if (!data || !target || typeof Plotly === "undefined") {
      return;
    }
    var spec = JSON.parse(data.textContent);
    Plotly.newPlot(target, spec.figure.data, spec.figure.layout, spec.config).then(function () {
      target.setAttribute("role", "img");
      target.setAttribute("aria-label", "Heatmap: covering measures per scenario and ministry");
      var fallback = document.getElementById("heatmap-fallback");
      if (fallback) {
        fallback.textContent = "";
        var link = document.createElement("a");
        link.href = target.getAttribute("data-png") || "/portfolio.png";
        link.textContent = "Open the heatmap as an image (PNG)";
        fallback.appendChild(link);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
