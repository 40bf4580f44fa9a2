// Live availability: ask the performance's state every few seconds (an unchanged map
// costs a 304) and grey out the seats taken. Hand-written and small; the page works
// without it.
(function () {
  "use strict";
  var map = document.getElementById("map");
  if (!map || !window.fetch) { return; }
  var url = map.getAttribute("data-state");
  var tag = null;
  function paint(taken) {
    var set = {};
    taken.forEach(function (key) { set["s-" + key] = true; });
    map.querySelectorAll("circle.seat").forEach(function (seat) {
      seat.classList.toggle("taken", !!set[seat.id]);
    });
  }
  function poll() {
    var headers = tag ? { "If-None-Match": tag } : {};
    fetch(url, { headers: headers, cache: "no-cache" }).then(function (response) {
      if (response.status === 200) {
        tag = response.headers.get("ETag");
        return response.json().then(function (state) { paint(state.taken); });
      }
    }).catch(function () { /* offline for a moment: try again at the next tick */ })
      .finally(function () { window.setTimeout(poll, 4000); });
  }
  poll();
}());
