//! The Stripe.js stand-in served at `/v3/`: the slice of Stripe.js's API checkout uses
//! (`Stripe(key)`, `elements({clientSecret})`, `create('payment').mount(…)`, `confirmPayment`,
//! `retrievePaymentIntent`) and the saving of a card (`confirmSetup`), talking to this emulator from the browser. Card details go from the
//! browser to the emulator only, as with Stripe; the 3-D Secure challenge is a dialog with
//! "Complete" and "Fail", like Stripe's test challenge page.

pub const STRIPE_JS: &str = r#"(function () {
  "use strict";
  var BASE = new URL(document.currentScript.src).origin;

  function post(path, params) {
    return fetch(BASE + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params).toString()
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    });
  }

  function intentId(secret) { return String(secret || "").split("_secret_")[0]; }

  function field(host, name) {
    var input = host && host.querySelector('[data-card="' + name + '"]');
    return input ? input.value.trim() : "";
  }

  function validation(message, param) {
    return { error: { type: "validation_error", code: "incomplete_" + param, message: message } };
  }

  function challenge() {
    return new Promise(function (resolve) {
      var overlay = document.createElement("div");
      overlay.className = "stripe-standin-challenge";
      overlay.setAttribute("role", "dialog");
      overlay.setAttribute("aria-modal", "true");
      overlay.setAttribute("aria-labelledby", "stripe-standin-challenge-title");
      overlay.style.cssText = "position:fixed;inset:0;background:rgba(0,0,0,.45);display:grid;place-items:center;z-index:9999";
      overlay.innerHTML =
        '<div style="background:#fff;color:#222;padding:1.5rem;border-radius:8px;max-width:26rem;font:16px system-ui,sans-serif">' +
        '<h2 id="stripe-standin-challenge-title" style="margin-top:0;font-size:1.2rem">3D Secure test payment</h2>' +
        "<p>Your bank asks you to confirm this payment. (Stripe emulator: choose the outcome.)</p>" +
        '<p style="display:flex;gap:.75rem"><button type="button" data-outcome="complete">Complete authentication</button>' +
        '<button type="button" data-outcome="fail">Fail authentication</button></p></div>';
      overlay.addEventListener("click", function (event) {
        var outcome = event.target && event.target.getAttribute("data-outcome");
        if (!outcome) { return; }
        overlay.remove();
        resolve(outcome);
      });
      document.body.appendChild(overlay);
      var first = overlay.querySelector("button");
      if (first) { first.focus(); }
    });
  }

  // Reads the mounted card form and confirms the intent (`path` + id) with it, through the
  // 3-D Secure challenge when the bank asks; resolves with the settled intent or `{error}`.
  function confirm(args, path, kind, lastError) {
    var elements = args.elements;
    var host = elements._host();
    var secret = elements._clientSecret;
    var key = elements._key;
    var id = intentId(secret);
    var number = field(host, "number").replace(/\s+/g, "");
    var expiry = field(host, "expiry").replace(/\s+/g, "");
    var cvc = field(host, "cvc");
    if (!number) { return Promise.resolve(validation("Your card number is incomplete.", "number")); }
    var parts = expiry.split("/");
    var month = parseInt(parts[0], 10);
    var year = parseInt(parts[1], 10);
    if (parts.length !== 2 || !(month >= 1 && month <= 12) || !(year >= 0)) {
      return Promise.resolve(validation("Your card's expiration date is incomplete.", "expiry"));
    }
    if (year < 100) { year += 2000; }
    var now = new Date();
    if (year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1)) {
      return Promise.resolve(validation("Your card's expiration year is in the past.", "expiry"));
    }
    if (!/^[0-9]{3,4}$/.test(cvc)) {
      return Promise.resolve(validation("Your card's security code is incomplete.", "cvc"));
    }
    var returnUrl = (args.confirmParams && args.confirmParams.return_url) || "";
    return post(path + id + "/confirm", {
      key: key,
      client_secret: secret,
      "payment_method_data[type]": "card",
      "payment_method_data[card][number]": number,
      "payment_method_data[card][exp_month]": String(month),
      "payment_method_data[card][exp_year]": String(year),
      "payment_method_data[card][cvc]": cvc,
      return_url: returnUrl
    }).then(function (answer) {
      if (!answer.ok) { return { error: answer.body.error }; }
      var intent = answer.body;
      if (intent.status !== "requires_action") { return intent; }
      return challenge().then(function (outcome) {
        return post("/_emulator/3ds/" + id, { client_secret: secret, outcome: outcome });
      }).then(function (settled) { return settled.body; });
    }).then(function (result) {
      if (result.error) { return result; }
      if (result.status === "requires_payment_method") { return { error: result[lastError] }; }
      if (args.redirect !== "if_required" && returnUrl) {
        var sep = returnUrl.indexOf("?") < 0 ? "?" : "&";
        window.location.assign(returnUrl + sep + kind + "=" + encodeURIComponent(id) +
          "&" + kind + "_client_secret=" + encodeURIComponent(secret) + "&redirect_status=" + result.status);
      }
      return result;
    }, function () {
      return { error: { type: "api_connection_error", message: "We couldn't reach the payment service. Check your connection and try again." } };
    });
  }

  function Stripe(key) {
    if (!key) { throw new Error("Stripe(): a publishable key is required"); }
    return {
      elements: function (options) {
        var clientSecret = options && options.clientSecret;
        var host = null;
        return {
          _clientSecret: clientSecret,
          _key: key,
          _host: function () { return host; },
          create: function () {
            return {
              mount: function (target) {
                host = typeof target === "string" ? document.querySelector(target) : target;
                host.innerHTML =
                  '<div class="stripe-standin">' +
                  '<label>Card number<input data-card="number" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234"></label>' +
                  '<label>Expiry<input data-card="expiry" inputmode="numeric" autocomplete="cc-exp" placeholder="MM / YY"></label>' +
                  '<label>CVC<input data-card="cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="CVC"></label>' +
                  '<p class="stripe-standin__note">Test mode (Stripe emulator): 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined, 4000 0025 0000 3155 asks for 3D Secure.</p>' +
                  "</div>";
              },
              on: function () {},
              unmount: function () { if (host) { host.innerHTML = ""; } }
            };
          },
          submit: function () { return Promise.resolve({}); }
        };
      },

      confirmPayment: function (args) {
        return confirm(args, "/v1/payment_intents/", "payment_intent", "last_payment_error")
          .then(function (result) { return result.error ? result : { paymentIntent: result }; });
      },

      confirmSetup: function (args) {
        return confirm(args, "/v1/setup_intents/", "setup_intent", "last_setup_error")
          .then(function (result) { return result.error ? result : { setupIntent: result }; });
      },

      retrievePaymentIntent: function (secret) {
        var id = intentId(secret);
        var query = new URLSearchParams({ key: key, client_secret: secret }).toString();
        return fetch(BASE + "/v1/payment_intents/" + id + "?" + query)
          .then(function (r) { return r.json(); })
          .then(function (body) { return body.error ? { error: body.error } : { paymentIntent: body }; });
      }
    };
  }

  window.Stripe = Stripe;
})();
"#;
