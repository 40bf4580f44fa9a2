// The line's page: ask every 10 s where this patron stands and say it in the live region;
// when their turn comes, say so with the way to the seats. Without it, "Check my place"
// does the same by hand.
(function () {
  "use strict";
  var place = document.getElementById("queue-place");
  if (!place || !window.fetch) { return; }
  function words(state) {
    if (state.ahead === 0) { return "You are next."; }
    if (state.ahead === 1) { return "One person is ahead of you."; }
    return state.ahead + " people are ahead of you.";
  }
  function check() {
    fetch(place.getAttribute("data-status"), { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.admitted) {
          place.innerHTML = "It's your turn: <a href=\"/\">choose your seats now</a>.";
          return;
        }
        if (state.ahead !== null) { place.textContent = words(state); }
        window.setTimeout(check, 10000);
      })
      .catch(function () { window.setTimeout(check, 10000); });
  }
  window.setTimeout(check, 10000);
}());
