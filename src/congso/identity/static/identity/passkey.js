/*
 * Cổng Số – passkeys (WebAuthn). Progressive enhancement: a form marked data-passkey is
 * hidden until this script finds WebAuthn in the browser. On submit it asks the server for
 * options (data-options-url), lets the browser create or use the passkey, puts the answer in
 * the form's hidden "credential" field and submits the form for real.
 *   data-passkey="register" | "authenticate"; data-mode="passwordless" | "second_factor";
 *   data-error-text: the message shown if anything fails.
 */
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function toBuffer(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBuffer(item.id) });
    });
  }

  function creationOptions(json) {
    return Object.assign({}, json, {
      challenge: toBuffer(json.challenge),
      user: Object.assign({}, json.user, { id: toBuffer(json.user.id) }),
      excludeCredentials: withIds(json.excludeCredentials)
    });
  }

  function requestOptions(json) {
    return Object.assign({}, json, {
      challenge: toBuffer(json.challenge),
      allowCredentials: withIds(json.allowCredentials)
    });
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var result = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toBase64url(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      result.response.attestationObject = toBase64url(response.attestationObject);
      result.response.transports = response.getTransports ? response.getTransports() : [];
    }
    if (response.authenticatorData) {
      result.response.authenticatorData = toBase64url(response.authenticatorData);
      result.response.signature = toBase64url(response.signature);
      result.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
    }
    return result;
  }

  function run(form) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    if (form.dataset.mode) {
      body.append("mode", form.dataset.mode);
    }
    return fetch(form.dataset.optionsUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("options " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var options = JSON.parse(data.options);
        if (form.dataset.passkey === "register") {
          return navigator.credentials.create({ publicKey: creationOptions(options) });
        }
        return navigator.credentials.get({ publicKey: requestOptions(options) });
      })
      .then(function (credential) {
        form.elements.credential.value = JSON.stringify(credentialJSON(credential));
        HTMLFormElement.prototype.submit.call(form);
      });
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    var error = form.querySelector("[data-passkey-error]");
    var button = form.querySelector("button[type=submit]");
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (error) {
        error.hidden = true;
      }
      button.disabled = true;
      run(form).catch(function () {
        button.disabled = false;
        if (error) {
          error.textContent = form.dataset.errorText || "";
          error.hidden = false;
        }
      });
    });
  });
})();
