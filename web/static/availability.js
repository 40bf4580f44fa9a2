// Live availability and click-to-choose. Ask the performance's state every few seconds
// (an unchanged map costs a 304) and grey out the seats taken; a click on a free seat
// chooses it (the same as ticking it in the list below the map). Hand-written and small;
// the page works without it.
(function () {
  "use strict";
  var map = document.getElementById("map");
  if (!map || !window.fetch) { return; }
  var form = document.getElementById("choose");
  var count = document.getElementById("chosen-count");
  var url = map.getAttribute("data-state");
  var tag = null;
  var chosen = {};

  function say(extra) {
    var n = Object.keys(chosen).length;
    if (count) {
      count.textContent = (n === 0 ? "No seat chosen." : n === 1 ? "1 seat chosen." :
        n + " seats chosen.") + (extra ? " " + extra : "");
    }
  }
  function input(key) {
    var box = document.getElementById("c-" + key);
    if (box) { return box; }
    var hidden = form.querySelector('input[type=hidden][value="' + key + '"]');
    if (!hidden) {
      hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "seat";
      hidden.value = key;
      hidden.disabled = true;
      form.appendChild(hidden);
    }
    return hidden;
  }
  function choose(key, on) {
    var seat = document.getElementById("s-" + key);
    var field = input(key);
    if (field.type === "checkbox") { field.checked = on; } else { field.disabled = !on; }
    if (seat) { seat.classList.toggle("chosen", on); }
    if (on) { chosen[key] = true; } else { delete chosen[key]; }
  }
  if (form) {
    map.addEventListener("click", function (event) {
      var seat = event.target.closest ? event.target.closest("circle.seat") : null;
      if (!seat || seat.classList.contains("taken") || !count) { return; }
      var key = seat.id.slice(2);
      choose(key, !chosen[key]);
      say("");
    });
    form.addEventListener("change", function (event) {
      var box = event.target;
      if (box.name === "seat") { choose(box.value, box.checked); say(""); }
    });
  }
  function paint(taken) {
    var set = {};
    var lost = 0;
    taken.forEach(function (key) { set["s-" + key] = true; });
    map.querySelectorAll("circle.seat").forEach(function (seat) {
      var gone = !!set[seat.id];
      seat.classList.toggle("taken", gone);
      if (gone && chosen[seat.id.slice(2)]) { choose(seat.id.slice(2), false); lost += 1; }
    });
    if (lost) { say("A seat you chose was just taken: pick another."); }
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
