// WebAuthn helpers shared by the signer pages (ES module; the strict CSP allows only same-origin scripts).
export const base64url = {
  encode(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  },
  decode(value) {
    const text = atob(value.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((value.length + 3) % 4));
    return Uint8Array.from(text, c => c.charCodeAt(0)).buffer;
  },
};

/** Turns server request options (base64url strings) into navigator.credentials.get() options and returns the assertion JSON. */
export async function getAssertion(publicKey) {
  publicKey.challenge = base64url.decode(publicKey.challenge);
  publicKey.allowCredentials = (publicKey.allowCredentials ?? []).map(c => ({ ...c, id: base64url.decode(c.id) }));
  const credential = await navigator.credentials.get({ publicKey });
  return {
    id: credential.id,
    rawId: base64url.encode(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: base64url.encode(credential.response.clientDataJSON),
      authenticatorData: base64url.encode(credential.response.authenticatorData),
      signature: base64url.encode(credential.response.signature),
      userHandle: credential.response.userHandle ? base64url.encode(credential.response.userHandle) : null,
    },
  };
}

/** Turns server creation options into navigator.credentials.create() options and returns the attestation JSON. */
export async function createCredential(publicKey) {
  publicKey.challenge = base64url.decode(publicKey.challenge);
  publicKey.user.id = base64url.decode(publicKey.user.id);
  publicKey.excludeCredentials = (publicKey.excludeCredentials ?? []).map(c => ({ ...c, id: base64url.decode(c.id) }));
  const credential = await navigator.credentials.create({ publicKey });
  return {
    id: credential.id,
    rawId: base64url.encode(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: base64url.encode(credential.response.clientDataJSON),
      attestationObject: base64url.encode(credential.response.attestationObject),
    },
  };
}

/** JSON fetch: same-origin cookie, anti-forgery header on every state change, problem+json codes as errors. */
export async function api(method, url, { body, csrf, raw, contentType } = {}) {
  const headers = {};
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = contentType ?? 'application/json';
  const response = await fetch(url, {
    method, credentials: 'same-origin', headers,
    body: body === undefined ? undefined : (contentType ? body : JSON.stringify(body)),
  });
  if (response.status === 401) {
    const error = new Error('session-expired');
    error.status = 401;
    throw error;
  }
  if (!response.ok) {
    let code = String(response.status);
    let problem = null;
    try { problem = await response.json(); code = problem.code ?? code; } catch { /* not JSON */ }
    const error = new Error(code);
    error.status = response.status;
    error.problem = problem; // the whole problem+json: field errors, unmet requirements
    throw error;
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}
