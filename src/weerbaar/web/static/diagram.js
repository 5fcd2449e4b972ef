// Draws the dashboard's risk diagram from the figure data the page carries; without
// JavaScript the page links to the same diagram as an image.
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("diagram-data");
    var target = document.getElementById("risk-diagram");
    if (!data || !target || typeof Plotly === "undefined") {
      return;
    }
    var spec = JSON.parse(data.textContent);
    Plotly.newPlot(target, spec.figure.data, spec.figure.layout, spec.config).then(function () {
      target.setAttribute("role", "img");
      target.setAttribute("aria-label", "Risk diagram: scenarios by likelihood and aggregated impact");
      var fallback = document.getElementById("diagram-fallback");
      if (fallback) {
        fallback.textContent = "";
        var link = document.createElement("a");
        link.href = "/diagram.png";
        link.textContent = "Open the diagram as an image (PNG)";
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
