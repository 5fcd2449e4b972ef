// Draws the infrastructure pages' figures from the data each page carries: every
// element with data-figure names the script element holding {"figure", "config"}.
// In the dependency graph (data-links) a click on a process opens its record.
(function () {
  "use strict";
  function drawOne(target) {
    var data = document.getElementById(target.getAttribute("data-figure"));
    if (!data) {
      return;
    }
    var spec = JSON.parse(data.textContent);
    Plotly.newPlot(target, spec.figure.data, spec.figure.layout, spec.config).then(function () {
      target.setAttribute("data-drawn", "true");
      if (target.getAttribute("data-links") === "true") {
        target.on("plotly_click", function (event) {
          var point = event && event.points && event.points[0];
          var link = point && point.customdata && point.customdata[1];
          if (typeof link === "string" && link.charAt(0) === "/") {
            window.location.assign(link);
          }
        });
      }
    });
  }
  function draw() {
    if (typeof Plotly === "undefined") {
      return;
    }
    var targets = document.querySelectorAll("[data-figure]");
    for (var i = 0; i < targets.length; i++) {
      drawOne(targets[i]);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
