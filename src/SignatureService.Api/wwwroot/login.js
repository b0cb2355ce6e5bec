// Minimal sign-in page: WebAuthn registration (with an enrollment code), login and logout. An ES module (strict CSP: no inline
// script); the WebAuthn encoding is webauthn.js's, shared with the signer pages.
import { createCredential, getAssertion } from './webauthn.js';
import { pages } from './ui.js';

let csrfToken = null;

function show(text) {
  document.getElementById('status').textContent = text;
}

async function post(url, body, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body ?? {}),
  });
  const json = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(json && json.code ? json.code : String(response.status));
  return json;
}

async function register() {
  const enrollmentId = document.getElementById('enrollment-id').value.trim();
  const code = document.getElementById('enrollment-code').value.trim();
  const { publicKey } = await post('/v1/identity/registration/options', { enrollmentId, code });
  const credential = await createCredential(publicKey);
  await post('/v1/identity/registration', { enrollmentId, code, credential });
  show('Security key registered. You can sign in now.');
}

async function login() {
  const { publicKey } = await post('/v1/identity/login/options', {});
  const session = await post('/v1/identity/login', { credential: await getAssertion(publicKey) });
  csrfToken = session.csrfToken;
  // Only the product's own pages are places to return to (no open redirect).
  const next = new URLSearchParams(location.search).get('next');
  if (pages.includes(next)) {
    location.assign(next);
    return;
  }
  show(`Signed in as ${session.displayName} (${session.roles.join(', ')}, ${session.acr}).`);
}

async function logout() {
  if (!csrfToken) {
    const me = await fetch('/v1/me', { credentials: 'same-origin' });
    if (!me.ok) { show('Not signed in.'); return; }
    csrfToken = (await me.json()).csrfToken;
  }
  await post('/v1/identity/logout', null, { 'X-CSRF-Token': csrfToken });
  csrfToken = null;
  show('Signed out.');
}

function guard(action) {
  return () => action().catch(error => show(`Failed: ${error.message}`));
}

if (sessionStorage.getItem('signsvc.expired')) {
  sessionStorage.removeItem('signsvc.expired');
  show('セッションの有効期限が切れました。再度ログインしてください。 / Your session has expired. Please sign in again.');
}

document.getElementById('register').addEventListener('click', guard(register));
document.getElementById('login').addEventListener('click', guard(login));
document.getElementById('logout').addEventListener('click', guard(logout));
