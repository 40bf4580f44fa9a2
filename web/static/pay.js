// The card payment form (templates/_pay.html). The card is typed into the provider's own
// form (Stripe.js mounts it) and goes from the browser to the provider, never to us.
//
// Real Stripe.js: the Payment Element, confirmed in the browser with confirmPayment.
// A stand-in stripe.js (localstripe's, for tests) has no Payment Element and cannot
// confirm a payment itself: it offers a plain card form and createToken, so the token
// goes to our confirm_url, the server confirms the payment with it, and the stand-in's
// confirmCardPayment then plays 3-D Secure if the card asks for it.
//
// Either way the page then goes to return_url, where the server asks the provider
// whether the payment went through: this script's word is never taken for it.
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form) return;
  var message = document.getElementById("pay-message");
  var button = document.getElementById("pay-button");
  var data = form.dataset;

  function say(text) { message.textContent = text; }
  function busy(yes) {
    button.disabled = yes;
    form.setAttribute("aria-busy", yes ? "true" : "false");
  }
  function done(intentId) {
    var to = new URL(data.returnUrl, window.location.href);
    if (intentId) to.searchParams.set("payment_intent", intentId);
    window.location.assign(to.toString());
  }

  if (typeof window.Stripe !== "function") {
    say("The card form could not be loaded. Check your connection and reload the page.");
    return;
  }
  var stripe = window.Stripe(data.publishableKey);
  var full = typeof stripe.confirmPayment === "function";
  var elements = stripe.elements({ clientSecret: data.clientSecret });
  var field = elements.create(full ? "payment" : "card");
  field.mount("#pay-card");
  busy(false);

  async function payInBrowser() {
    var result = await stripe.confirmPayment({
      elements: elements,
      confirmParams: { return_url: new URL(data.returnUrl, window.location.href).toString() },
      redirect: "if_required",
    });
    if (result.error) throw new Error(result.error.message || "The payment failed.");
    done(result.paymentIntent && result.paymentIntent.id);
  }

  async function payWithToken() {
    if (!data.confirmUrl) throw new Error("Card payment is not available on this page.");
    var made = await stripe.createToken(field);
    if (made.error) throw new Error(made.error.message || "Check the card's details.");
    var body = new URLSearchParams(new FormData(form));
    body.set("token", made.token.id);
    var answer = await fetch(data.confirmUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" },
    });
    var said = await answer.json().catch(function () { return {}; });
    if (!answer.ok) throw new Error(said.message || "The payment failed.");
    if (said.status === "requires_action") {
      var checked = await stripe.confirmCardPayment(data.clientSecret);
      if (checked.error) throw new Error(checked.error.message || "The card was not verified.");
    }
    done(said.intent);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    busy(true);
    say("Paying…");
    (full ? payInBrowser() : payWithToken()).catch(function (error) {
      // a TypeError is the network (fetch) or a half-typed stand-in form, not a refusal
      say(error instanceof TypeError || !error.message
        ? "The payment could not be sent: check the card's details and your connection, then try again."
        : error.message);
      busy(false);
      button.focus();
    });
  });
})();
