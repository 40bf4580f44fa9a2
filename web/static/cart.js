// The cart's countdown: the time left to hold the seats, a warning two minutes before
// it runs out (WCAG 2.2.1: the patron can ask for more time with the form above it).
(function () {
  "use strict";
  var counter = document.getElementById("countdown");
  var warning = document.getElementById("hold-warning");
  if (!counter) { return; }
  var ends = Date.now() + 1000 * parseInt(counter.getAttribute("data-seconds"), 10);
  function tick() {
    var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    counter.textContent = Math.floor(left / 60) + " min " + (left % 60) + " s";
    if (warning && left <= 120) { warning.hidden = false; }
    if (left > 0) { window.setTimeout(tick, 1000); }
    else { counter.textContent = "no time"; }
  }
  tick();
}());
