// Mounts Stripe's card form into the page's payment panel ([data-payment]) and confirms the
// payment with it (or, with data-mode="setup", saves the card for later payments). Card details go from this form to Stripe (or, locally, the Stripe emulator)
// and never to Olivine. The panel carries the client secret, the publishable key, which
// Stripe.js to load and where to go once paid.
(function () {
  "use strict";
  var loading = {};

  function loadStripe(src) {
    if (window.Stripe) { return Promise.resolve(window.Stripe); }
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window.Stripe); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading[src];
  }

  function mount(panel) {
    panel.setAttribute("data-mounted", "true");
    var form = panel.querySelector("form");
    var status = panel.querySelector("[data-payment-status]");
    var button = panel.querySelector("[data-payment-submit]");
    var say = function (text, state) {
      status.textContent = text;
      status.setAttribute("data-state", state);
    };
    loadStripe(panel.dataset.stripeJs).then(function (Stripe) {
      var stripe = Stripe(panel.dataset.publishableKey);
      var elements = stripe.elements({ clientSecret: panel.dataset.clientSecret });
      elements.create("payment").mount(panel.querySelector("[data-payment-element]"));
      button.disabled = false;
      // A payment (checkout) or the saving of a card for later (`data-mode="setup"`).
      var setup = panel.dataset.mode === "setup";
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        button.disabled = true;
        say(setup ? "Checking the card…" : "Paying…", "busy");
        var returnUrl = new URL(panel.dataset.returnUrl, window.location.href).href;
        var confirm = setup
          ? function (args) { return stripe.confirmSetup(args); }
          : function (args) { return stripe.confirmPayment(args); };
        confirm({
          elements: elements,
          redirect: "if_required",
          confirmParams: { return_url: returnUrl }
        }).then(function (result) {
          if (result.error) {
            say((result.error.message || (setup ? "The card wasn't saved." : "The payment didn't go through.")) +
              (setup ? " You can try again or use another card." :
                " Nothing was charged; you can try again or use another card."), "error");
            button.disabled = false;
            return;
          }
          if (setup) {
            say("Card checked. Saving it…", "done");
            var back = new URL(returnUrl);
            back.searchParams.set("setup_intent", result.setupIntent.id);
            window.location.assign(back.href);
            return;
          }
          say("Paid. Taking you to your order…", "done");
          window.location.assign(returnUrl);
        });
      });
    }, function () {
      say("We couldn't load the payment form. Check your connection and reload the page.", "error");
    });
  }

  function scan() {
    document.querySelectorAll("[data-payment]:not([data-mounted])").forEach(mount);
  }

  new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
  scan();
})();
