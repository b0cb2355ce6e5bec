// Signer enrollment: the enrollment id and code from the proofing letter bind a new security key (POST /v1/proofing/binding),
// which issues the signer's HPKI signing certificate. Japanese first with an English switch; the status line is role=status.
import { api, createCredential } from './webauthn.js';
import { describeProblem } from './problems.js';

const texts = {
  ja: {
    skip: '本文へ移動', title: '電子署名サービス', lang: 'English', heading: 'セキュリティキーの登録',
    help: '登録通知書に記載の登録IDとワンタイムコードを入力し、セキュリティキーに触れてください。登録と同時に署名用の電子証明書が発行されます。',
    enrollmentId: '登録ID', enrollmentCode: 'ワンタイムコード', nickname: 'キーの名前（任意）', submit: '登録する', toLogin: 'ログインページへ',
    working: 'セキュリティキーに触れてください…', missing: '登録IDとワンタイムコードを入力してください。',
    done: serial => `登録しました。署名用証明書（シリアル ${serial}）を発行しました。ログインしてください。`,
    failed: error => `登録できませんでした: ${describeProblem(error, 'ja')}`, defaultNickname: 'セキュリティキー',
  },
  en: {
    skip: 'Skip to content', title: 'Signature service', lang: '日本語', heading: 'Register your security key',
    help: 'Enter the enrollment id and one-time code from your enrollment letter, then touch your security key. Your signing certificate is issued at the same time.',
    enrollmentId: 'Enrollment id', enrollmentCode: 'Enrollment code', nickname: 'Key name (optional)', submit: 'Register', toLogin: 'Go to sign-in',
    working: 'Touch your security key…', missing: 'Enter the enrollment id and the one-time code.',
    done: serial => `Registered. Your signing certificate (serial ${serial}) is issued. Please sign in.`,
    failed: error => `Registration failed: ${describeProblem(error, 'en')}`, defaultNickname: 'Security key',
  },
};

const $ = id => document.getElementById(id);
let lang = localStorage.getItem('signsvc.lang') === 'en' ? 'en' : 'ja';
let lastStatus = null;
const t = (key, ...args) => {
  const v = texts[lang][key];
  return typeof v === 'function' ? v(...args) : (v ?? key);
};

function show(key, ...args) {
  lastStatus = [key, ...args];
  $('status').textContent = t(key, ...args);
  $('status').classList.toggle('error', key === 'failed' || key === 'missing');
}

function applyLanguage() {
  document.documentElement.lang = lang;
  document.title = `${t('title')} — ${t('heading')}`;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  $('lang').textContent = t('lang');
  $('lang').lang = lang === 'ja' ? 'en' : 'ja';
  if (lastStatus) show(...lastStatus);
}

$('lang').addEventListener('click', () => {
  lang = lang === 'ja' ? 'en' : 'ja';
  localStorage.setItem('signsvc.lang', lang);
  applyLanguage();
});

$('enroll').addEventListener('submit', async event => {
  event.preventDefault();
  const enrollmentId = $('enrollment-id').value.trim();
  const code = $('enrollment-code').value.trim();
  if (!enrollmentId || !code) {
    show('missing');
    (enrollmentId ? $('enrollment-code') : $('enrollment-id')).focus();
    return;
  }
  const nickname = $('nickname').value.trim() || t('defaultNickname');
  $('enroll-submit').disabled = true;
  try {
    show('working');
    const { publicKey } = await api('POST', '/v1/proofing/binding/options', { body: { enrollmentId, code } });
    const credential = await createCredential(publicKey);
    const bound = await api('POST', '/v1/proofing/binding', { body: { enrollmentId, code, nickname, credential } });
    show('done', bound.certificateSerialNumber);
    $('enroll').reset();
    $('to-login').focus();
  } catch (error) {
    show('failed', error);
    $('status').focus();
  } finally {
    $('enroll-submit').disabled = false;
  }
});

applyLanguage();
