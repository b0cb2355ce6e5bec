// Shared page plumbing for the signer and operator pages (ES module; the strict CSP allows only same-origin scripts):
// element building through textContent only, the Japanese-first / English text switch, the status line, the session banner with
// its expiry, and API calls that carry the anti-forgery header and send an expired session back to the sign-in page.
import { api } from './webauthn.js';
import { describeProblem } from './problems.js';

/** Pages the sign-in page may return to (no open redirect): keep in step with login.js. */
export const pages = ['/signer.html', '/ra.html', '/ca.html', '/audit.html'];

const $ = id => document.getElementById(id);
export { $ };

/** Builds an element; `text` sets textContent, `onX` adds a listener, other props become attributes. Never uses innerHTML. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

/**
 * Keeps one view's loads in order. Call the returned function when a load starts; it gives back `isNewest()`, true until a later
 * load of the same view starts. A loader renders only while its load is the newest, so the slow answer to an earlier search (or
 * to the first load, still in flight when the user searches) never replaces the answer to a later one.
 */
export function loadOrder() {
  let latest = 0;
  return () => {
    const mine = ++latest;
    return () => mine === latest;
  };
}

/**
 * One page's shell: `texts` is `{ ja: {...}, en: {...} }` (values are strings or functions of arguments); `page` is this page's
 * path, returned to after sign-in. The page needs elements #status, #who, #expiry, #lang and #logout.
 */
export function createShell(texts, page) {
  const shell = {
    lang: localStorage.getItem('signsvc.lang') === 'en' ? 'en' : 'ja',
    session: null,
    onLanguage: () => {},
  };

  shell.t = (key, ...args) => {
    const v = texts[shell.lang][key] ?? common[shell.lang][key];
    return typeof v === 'function' ? v(...args) : (v ?? key);
  };

  shell.when = iso => (iso
    ? new Date(iso).toLocaleString(shell.lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' })
    : '');

  shell.show = (message, error = false) => {
    $('status').textContent = message;
    $('status').classList.toggle('error', error);
  };

  /** A failed call as a sentence in the page's language, with the problem code. */
  shell.describe = error => describeProblem(error, shell.lang);

  shell.toLogin = () => {
    sessionStorage.setItem('signsvc.expired', '1');
    location.assign(`/login.html?next=${page}`);
  };

  shell.call = async (method, url, options = {}) => {
    try {
      return await api(method, url, { csrf: shell.session?.csrfToken, ...options });
    } catch (error) {
      if (error.status === 401) shell.toLogin();
      throw error;
    }
  };

  /** Wraps an event handler: no default action, errors shown in the status line (a 401 has already left the page). */
  shell.guard = action => async event => {
    event?.preventDefault?.();
    try { await action(event); } catch (error) { if (error.status !== 401) shell.show(shell.t('failed', shell.describe(error)), true); }
  };

  function showSession() {
    if (!shell.session) return;
    $('who').textContent = shell.t('signedIn', shell.session.displayName, shell.session.roles.join(', '));
    const minutes = Math.max(0, Math.floor((new Date(shell.session.expiresAt) - Date.now()) / 60000));
    $('expiry').textContent = shell.t('expiresIn', minutes);
  }

  shell.applyLanguage = () => {
    document.documentElement.lang = shell.lang;
    for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = shell.t(node.dataset.i18n);
    for (const node of document.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', shell.t(node.dataset.i18nLabel));
    $('lang').textContent = shell.t('lang');
    $('lang').lang = shell.lang === 'ja' ? 'en' : 'ja';
    showSession();
    shell.onLanguage();
  };

  /**
   * Loads the session (or goes to sign-in), checks that it holds `role`, wires the language switch and sign-out, and keeps the
   * expiry shown. Returns false when the page cannot be used.
   */
  shell.start = async role => {
    shell.applyLanguage();
    try {
      shell.session = await api('GET', '/v1/me');
    } catch (error) {
      if (error.status === 401) { shell.toLogin(); return false; }
      throw error;
    }
    showSession();
    // Note: the language switch and sign-out work even for a user without the page's role.
    $('lang').addEventListener('click', () => {
      shell.lang = shell.lang === 'ja' ? 'en' : 'ja';
      localStorage.setItem('signsvc.lang', shell.lang);
      shell.applyLanguage();
    });
    $('logout').addEventListener('click', shell.guard(async () => {
      await shell.call('POST', '/v1/identity/logout');
      location.assign('/login.html');
    }));
    if (role && !shell.session.roles.includes(role)) {
      shell.show(shell.t('wrongRole', role), true);
      return false;
    }
    setInterval(() => {
      if (new Date(shell.session.expiresAt) <= Date.now()) shell.toLogin(); else showSession();
    }, 15000);
    return true;
  };

  /** Shows one `view-<name>` section of `names`, marks its tab current. */
  shell.switchTo = (names, name) => {
    for (const v of names) $(`view-${v}`).hidden = v !== name;
    for (const b of document.querySelectorAll('[data-view]')) {
      if (b.dataset.view === name) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
    }
  };

  return shell;
}

const common = {
  ja: {
    skip: '本文へ移動', logout: 'ログアウト', lang: 'English', refresh: '更新', cancel: 'やめる', back: '一覧へ戻る',
    signedIn: (name, roles) => `${name}（${roles}）`, expiresIn: m => `セッション残り ${m} 分`,
    expired: 'セッションの有効期限が切れました。再度ログインしてください。', failed: c => `失敗しました: ${c}`,
    wrongRole: r => `このページには ${r} の権限が必要です。`, next: '次へ', previous: '前へ',
  },
  en: {
    skip: 'Skip to content', logout: 'Sign out', lang: '日本語', refresh: 'Refresh', cancel: 'Cancel', back: 'Back to list',
    signedIn: (name, roles) => `${name} (${roles})`, expiresIn: m => `Session: ${m} min left`,
    expired: 'Your session has expired. Please sign in again.', failed: c => `Failed: ${c}`,
    wrongRole: r => `This page needs the ${r} role.`, next: 'Next', previous: 'Previous',
  },
};
