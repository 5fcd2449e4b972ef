// Security keys and passkeys: a form with data-webauthn="create" adds one, with
// data-webauthn="get" signs with one. The options come from the server in
// data-options; the key's answer goes back in the form's "credential" field.
"use strict";

(function () {
  function say(form, text) {
    const out = form.querySelector("[data-webauthn-status]");
    if (out) out.textContent = text;
  }

  async function ask(form) {
    const options = JSON.parse(form.dataset.options);
    const mode = form.dataset.webauthn;
    if (!window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) {
      say(form, form.dataset.unsupported || "This browser cannot use security keys.");
      return;
    }
    const credential = mode === "create"
      ? await navigator.credentials.create({
          publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
        })
      : await navigator.credentials.get({
          publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
        });
    form.elements.credential.value = JSON.stringify(credential.toJSON());
    form.submit();
  }

  document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.elements.credential.value) return;
      event.preventDefault();
      say(form, form.dataset.waiting || "Touch your security key…");
      ask(form).catch(function (error) {
        say(form, (form.dataset.failed || "The security key did not answer") + ": " + error.message);
      });
    });
  });
})();
