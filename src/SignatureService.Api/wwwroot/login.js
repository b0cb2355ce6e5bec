// Sign-in page: log in with a security key (WebAuthn), register an operator's first key with an enrollment code, sign out.
// Japanese first with an English switch. There is no session yet, so ui.js's shell does not apply: this page uses its `el`
// (textContent only) and its `pages` allow-list for `?next=` (no open redirect). An ES module: the strict CSP has no inline script.
import { api, createCredential, getAssertion } from './webauthn.js';
import { el, pages } from './ui.js';
import { describeProblem } from './problems.js';

/** Each role's home page; an operator with several roles chooses. */
const homes = { signer: '/signer.html', 'ra-operator': '/ra.html', 'ca-operator': '/ca.html', auditor: '/audit.html' };

const texts = {
  ja: {
    skip: '本文へ移動', title: '電子署名サービス', lang: 'English', loginHeading: 'ログイン',
    loginHelp: '登録済みのセキュリティキーでログインします。', login: 'セキュリティキーでログイン', logout: 'ログアウト',
    homes: 'ページを選んでください', registerHeading: '運用者のセキュリティキー登録',
    registerHelp: '交付された登録IDとワンタイムコードを入力し、セキュリティキーに触れてください。',
    enrollmentId: '登録ID', enrollmentCode: 'ワンタイムコード', register: 'キーを登録',
    signerEnroll: '署名者（医師・歯科医師・薬剤師）のキー登録はこちら',
    registered: 'セキュリティキーを登録しました。ログインできます。', signedIn: (name, roles, acr) => `${name} としてログインしました（${roles}、${acr}）。`,
    signedOut: 'ログアウトしました。', notSignedIn: 'ログインしていません。', failed: error => `失敗しました: ${describeProblem(error, 'ja')}`,
    expired: 'セッションの有効期限が切れました。再度ログインしてください。 / Your session has expired. Please sign in again.',
    refused: 'このキーではログインできません（未登録または失効したキー）。', missing: '登録IDとワンタイムコードを入力してください。',
    'role.signer': '署名者（承認待ちの文書）', 'role.ra-operator': '登録局（本人確認）', 'role.ca-operator': '認証局（証明書）', 'role.auditor': '監査（監査ログ）',
  },
  en: {
    skip: 'Skip to content', title: 'Signature service', lang: '日本語', loginHeading: 'Sign in',
    loginHelp: 'Sign in with a registered security key.', login: 'Sign in with security key', logout: 'Sign out',
    homes: 'Choose a page', registerHeading: 'Register an operator security key',
    registerHelp: 'Enter the enrollment id and one-time code you were given, then touch your security key.',
    enrollmentId: 'Enrollment id', enrollmentCode: 'Enrollment code', register: 'Register key',
    signerEnroll: 'Signers (physicians, dentists, pharmacists) enrol their key here',
    registered: 'Security key registered. You can sign in now.', signedIn: (name, roles, acr) => `Signed in as ${name} (${roles}, ${acr}).`,
    signedOut: 'Signed out.', notSignedIn: 'Not signed in.', failed: error => `Failed: ${describeProblem(error, 'en')}`,
    expired: 'Your session has expired. Please sign in again.',
    refused: 'This key cannot sign in (not registered, or revoked).', missing: 'Enter the enrollment id and the one-time code.',
    'role.signer': 'Signer (documents to approve)', 'role.ra-operator': 'Registration authority (identity proofing)',
    'role.ca-operator': 'Certificate authority (certificates)', 'role.auditor': 'Audit (audit trail)',
  },
};

const $ = id => document.getElementById(id);
let lang = localStorage.getItem('signsvc.lang') === 'en' ? 'en' : 'ja';
let csrfToken = null;
let lastStatus = null;
let lastRoles = null;

const t = (key, ...args) => {
  const v = texts[lang][key];
  return typeof v === 'function' ? v(...args) : (v ?? key);
};

function show(key, ...args) {
  lastStatus = [key, ...args];
  $('status').textContent = t(key, ...args);
  $('status').classList.toggle('error', ['failed', 'missing', 'refused'].includes(key));
}

function applyLanguage() {
  document.documentElement.lang = lang;
  document.title = `${t('title')} — ${t('loginHeading')}`;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  $('lang').textContent = t('lang');
  $('lang').lang = lang === 'ja' ? 'en' : 'ja';
  if (lastStatus) show(...lastStatus);
  if (lastRoles) showHomes(lastRoles);
}

function showHomes(roles) {
  lastRoles = roles;
  const links = roles.filter(r => homes[r] && pages.includes(homes[r]))
    .map(r => el('li', {}, el('a', { href: homes[r], text: t(`role.${r}`) })));
  $('home-links').replaceChildren(...links);
  $('homes').hidden = links.length === 0;
  $('home-links').querySelector('a')?.focus();
}

async function register() {
  const enrollmentId = $('enrollment-id').value.trim();
  const code = $('enrollment-code').value.trim();
  if (!enrollmentId || !code) {
    show('missing');
    (enrollmentId ? $('enrollment-code') : $('enrollment-id')).focus();
    return;
  }
  const { publicKey } = await api('POST', '/v1/identity/registration/options', { body: { enrollmentId, code } });
  const credential = await createCredential(publicKey);
  await api('POST', '/v1/identity/registration', { body: { enrollmentId, code, credential } });
  show('registered');
  $('login').focus();
}

async function login() {
  const { publicKey } = await api('POST', '/v1/identity/login/options', { body: {} });
  const session = await api('POST', '/v1/identity/login', { body: { credential: await getAssertion(publicKey) } });
  csrfToken = session.csrfToken;
  // Only the product's own pages are places to return to (no open redirect).
  const next = new URLSearchParams(location.search).get('next');
  if (pages.includes(next)) {
    location.assign(next);
    return;
  }
  show('signedIn', session.displayName, session.roles.join(', '), session.acr);
  const own = session.roles.filter(r => homes[r]);
  if (own.length === 1) {
    location.assign(homes[own[0]]);
    return;
  }
  showHomes(own);
}

async function logout() {
  if (!csrfToken) {
    const me = await fetch('/v1/me', { credentials: 'same-origin' });
    if (!me.ok) { show('notSignedIn'); return; }
    csrfToken = (await me.json()).csrfToken;
  }
  await api('POST', '/v1/identity/logout', { csrf: csrfToken });
  csrfToken = null;
  lastRoles = null;
  $('homes').hidden = true;
  show('signedOut');
}

function guard(action) {
  return () => action().catch(error => {
    // Note: webauthn.js turns every 401 into 'session-expired'; on this page a 401 means the key was refused.
    if (error.status === 401) show('refused'); else show('failed', error);
  });
}

applyLanguage();
if (sessionStorage.getItem('signsvc.expired')) {
  sessionStorage.removeItem('signsvc.expired');
  show('expired');
}

$('lang').addEventListener('click', () => {
  lang = lang === 'ja' ? 'en' : 'ja';
  localStorage.setItem('signsvc.lang', lang);
  applyLanguage();
});
$('register').addEventListener('click', guard(register));
$('register-form').addEventListener('submit', event => { event.preventDefault(); guard(register)(); });
$('login').addEventListener('click', guard(login));
$('logout').addEventListener('click', guard(logout));
