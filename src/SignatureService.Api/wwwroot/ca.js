// CA operator page: certificate search with paging, a certificate's details and status history, revoke / suspend / resume behind
// a confirmation naming the serial and subject, the license registry import, and CRL status per CA with "issue now".
// Every text from the server goes through textContent (never innerHTML); every state change carries X-CSRF-Token.
import { $, el, createShell, loadOrder } from './ui.js';

const reasonsJa = {
  unspecified: '指定なし', keyCompromise: '鍵の危殆化', cACompromise: '認証局の危殆化', affiliationChanged: '所属の変更',
  superseded: '新しい証明書への置換', cessationOfOperation: '業務の停止', certificateHold: '一時停止', privilegeWithdrawn: '資格の取消',
  aACompromise: '属性局の危殆化',
};
const reasonsEn = {
  unspecified: 'Unspecified', keyCompromise: 'Key compromise', cACompromise: 'CA compromise', affiliationChanged: 'Affiliation changed',
  superseded: 'Superseded', cessationOfOperation: 'Cessation of operation', certificateHold: 'Certificate hold',
  privilegeWithdrawn: 'Privilege withdrawn', aACompromise: 'AA compromise',
};
const prefixed = (prefix, map) => Object.fromEntries(Object.entries(map).map(([k, v]) => [`${prefix}.${k}`, v]));

const text = {
  ja: {
    title: '電子署名サービス — 認証局', certificates: '証明書', licenses: '資格登録簿', crls: 'CRL', serial: 'シリアル番号',
    signer: '署名者ID', statusLabel: '状態', all: 'すべて', hcRole: '資格（hcRole）', kind: '種類', search: '検索',
    certificatesCaption: '証明書（発行順）', subject: '主体者', notAfter: '有効期限', noCertificates: '該当する証明書はありません。',
    certificate: '証明書の詳細', historyHeading: '状態の履歴', event: '出来事', at: '日時', reason: '理由',
    invalidityDate: '鍵の危殆化等の日時', revokeReason: '失効理由（RFC 5280）', invalidityOptional: '鍵の危殆化等の日時（任意）',
    revoke: '失効させる…', suspend: '一時停止する…', resume: '一時停止を解除する…', confirmHeading: '操作の確認', confirmGo: '実行する',
    licensesHelp: 'CSV（UTF-8）。1行目は profession,license_number,registration_date,name,date_of_birth,status。1行でも誤りがあれば何も取り込みません。',
    csvFile: 'CSVファイル', import: '取り込む', crlsCaption: '認証局ごとの最新のCRL', ca: '認証局', crlNumber: 'CRL番号',
    thisUpdate: '発行日時', nextUpdate: '次回更新予定', entries: '掲載数', crlState: '状況', issuer: '発行者', validity: '有効期間',
    issuedAt: '発行日時', open: '詳細', pageInfo: (n, c) => `${n} ページ目（${c} 件）`, none: '—',
    'status.good': '有効', 'status.on-hold': '一時停止', 'status.revoked': '失効',
    'role.Medical Doctor': '医師', 'role.Dentist': '歯科医師', 'role.Pharmacist': '薬剤師',
    'kind.signer': '署名用', 'kind.authentication': '認証用', 'kind.ca': '認証局', 'kind.ocsp-responder': 'OCSPレスポンダ',
    'kind.timestamping': 'タイムスタンプ',
    'event.issued': '発行', 'event.suspended': '一時停止', 'event.resumed': '一時停止の解除', 'event.revoked': '失効',
    ...prefixed('reason', reasonsJa),
    confirmRevoke: (serial, subject, reason) => `シリアル番号 ${serial}（${subject}）の証明書を「${reason}」の理由で失効させます。失効は取り消せません。`,
    confirmSuspend: (serial, subject) => `シリアル番号 ${serial}（${subject}）の証明書を一時停止します。`,
    confirmResume: (serial, subject) => `シリアル番号 ${serial}（${subject}）の証明書の一時停止を解除します。`,
    revoked: (serial, crl) => `${serial} を失効させました。CRL番号 ${crl} に掲載しました。`,
    suspended: (serial, crl) => `${serial} を一時停止しました。CRL番号 ${crl} に掲載しました。`,
    resumed: (serial, crl) => `${serial} の一時停止を解除しました。CRL番号 ${crl} を発行しました。`,
    imported: '取り込みが完了しました', importFailed: '取り込めませんでした（何も変更されていません）',
    rows: '行数', added: '追加', updated: '更新', licensesRevoked: '資格の取消', suspendedCertificates: '一時停止した証明書',
    chooseFile: 'CSVファイルを選んでください。', overdue: '期限超過', current: '最新', notIssued: '未発行', issueNow: '今すぐ発行',
    crlIssued: (ca, n) => `${ca} のCRL（番号 ${n}）を発行しました。`, 'ca.root': 'ルート（ARL）', 'ca.signing': '署名用', 'ca.authentication': '認証用',
    loaded: n => `${n} 件の証明書を表示しています。`,
  },
  en: {
    title: 'Signature service — CA', certificates: 'Certificates', licenses: 'License registry', crls: 'CRLs', serial: 'Serial number',
    signer: 'Signer id', statusLabel: 'Status', all: 'All', hcRole: 'Qualification (hcRole)', kind: 'Kind', search: 'Search',
    certificatesCaption: 'Certificates in issuance order', subject: 'Subject', notAfter: 'Valid until', noCertificates: 'No certificates match.',
    certificate: 'Certificate', historyHeading: 'Status history', event: 'Event', at: 'When', reason: 'Reason',
    invalidityDate: 'Invalidity date', revokeReason: 'Revocation reason (RFC 5280)', invalidityOptional: 'Invalidity date (optional)',
    revoke: 'Revoke…', suspend: 'Suspend…', resume: 'Resume…', confirmHeading: 'Please confirm', confirmGo: 'Go ahead',
    licensesHelp: 'CSV (UTF-8) with the header profession,license_number,registration_date,name,date_of_birth,status. One bad row rejects the whole file.',
    csvFile: 'CSV file', import: 'Import', crlsCaption: 'Newest CRL per CA', ca: 'CA', crlNumber: 'CRL number',
    thisUpdate: 'Issued', nextUpdate: 'Next update', entries: 'Entries', crlState: 'State', issuer: 'Issuer', validity: 'Validity',
    issuedAt: 'Issued at', open: 'Open', pageInfo: (n, c) => `Page ${n} (${c})`, none: '—',
    'status.good': 'Good', 'status.on-hold': 'On hold', 'status.revoked': 'Revoked',
    'role.Medical Doctor': 'Medical Doctor', 'role.Dentist': 'Dentist', 'role.Pharmacist': 'Pharmacist',
    'kind.signer': 'Signing', 'kind.authentication': 'Authentication', 'kind.ca': 'CA', 'kind.ocsp-responder': 'OCSP responder',
    'kind.timestamping': 'Time-stamping',
    'event.issued': 'Issued', 'event.suspended': 'Suspended', 'event.resumed': 'Resumed', 'event.revoked': 'Revoked',
    ...prefixed('reason', reasonsEn),
    confirmRevoke: (serial, subject, reason) => `Revoke certificate ${serial} (${subject}) for "${reason}". Revocation cannot be undone.`,
    confirmSuspend: (serial, subject) => `Suspend certificate ${serial} (${subject}).`,
    confirmResume: (serial, subject) => `Lift the suspension of certificate ${serial} (${subject}).`,
    revoked: (serial, crl) => `${serial} revoked; listed on CRL number ${crl}.`,
    suspended: (serial, crl) => `${serial} suspended; listed on CRL number ${crl}.`,
    resumed: (serial, crl) => `${serial} resumed; CRL number ${crl} issued.`,
    imported: 'Import complete', importFailed: 'Import refused (nothing was changed)',
    rows: 'Rows', added: 'Added', updated: 'Updated', licensesRevoked: 'Licenses revoked', suspendedCertificates: 'Certificates suspended',
    chooseFile: 'Choose a CSV file.', overdue: 'Overdue', current: 'Current', notIssued: 'Not issued', issueNow: 'Issue now',
    crlIssued: (ca, n) => `CRL number ${n} of ${ca} issued.`, 'ca.root': 'Root (ARL)', 'ca.signing': 'Signing', 'ca.authentication': 'Authentication',
    loaded: n => `Showing ${n} certificate(s).`,
  },
};

const shell = createShell(text, '/ca.html');
const { t, show, call, guard } = shell;
const views = ['certificates', 'certificate', 'licenses', 'crls'];
const when = iso => (iso
  ? new Date(iso).toLocaleString(shell.lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium', timeStyle: 'medium' })
  : t('none'));

// Search state: the filters of the current search and the cursors of the pages seen so far (the API pages forward only).
let search = new URLSearchParams();
let cursors = [null];
let current = null;
let pending = null;

function switchView(name) {
  shell.switchTo(views, name);
  $(`${name}-heading`).focus();
  if (name === 'certificates') return loadCertificates();
  if (name === 'crls') return loadCrls();
  return undefined;
}

function readSearch() {
  const params = new URLSearchParams();
  const serial = $('search-serial').value.trim().replace(/:/g, '');
  if (serial) params.set('serial', serial);
  if ($('search-signer').value.trim()) params.set('signer', $('search-signer').value.trim());
  for (const [id, name] of [['search-status', 'status'], ['search-role', 'hcRole'], ['search-kind', 'kind']]) {
    if ($(id).value) params.set(name, $(id).value);
  }
  return params;
}

const certificateLoads = loadOrder();

/** Shows the current page of certificates; returns its row count, or null when a later load has overtaken this one. */
async function loadCertificates() {
  const isNewest = certificateLoads();
  const params = new URLSearchParams(search);
  params.set('limit', '20');
  const cursor = cursors[cursors.length - 1];
  if (cursor) params.set('cursor', cursor);
  const page = await call('GET', `/v1/ca/certificates?${params}`);
  if (!isNewest()) return null;
  const rows = $('certificate-rows');
  rows.replaceChildren();
  for (const c of page.items) {
    rows.append(el('tr', { 'data-serial': c.serialNumber },
      el('td', {}, el('button', {
        type: 'button', class: 'link mono', text: c.serialNumber, 'aria-label': `${t('open')}: ${c.serialNumber}`,
        onclick: guard(() => openCertificate(c.serialNumber)),
      })),
      el('td', { text: t(`kind.${c.kind}`) }),
      el('td', { text: c.subject }),
      el('td', { text: c.hcRoles.map(r => t(`role.${r}`)).join('、') || t('none') }),
      el('td', {}, el('span', { class: `state state-${c.status}`, text: t(`status.${c.status}`) })),
      el('td', { text: when(c.notAfter) })));
  }
  $('certificates-empty').hidden = page.items.length > 0;
  $('certificates-previous').disabled = cursors.length === 1;
  $('certificates-next').disabled = !page.nextCursor;
  $('certificates-next').dataset.cursor = page.nextCursor ?? '';
  $('certificates-page').textContent = t('pageInfo', cursors.length, page.items.length);
  return page.items.length;
}

async function openCertificate(serial) {
  const details = await call('GET', `/v1/ca/certificates/${encodeURIComponent(serial)}`);
  current = details.certificate;
  const c = details.certificate;
  const fields = $('certificate-fields');
  fields.replaceChildren();
  const field = (label, value, cls) => fields.append(el('dt', { text: label }), el('dd', { text: value, class: cls }));
  field(t('serial'), c.serialNumber, 'mono');
  field(t('subject'), c.subject);
  field(t('issuer'), c.issuer);
  field(t('kind'), t(`kind.${c.kind}`));
  field(t('hcRole'), c.hcRoles.map(r => t(`role.${r}`)).join('、') || t('none'));
  field(t('signer'), c.signerUserId ?? t('none'), 'mono');
  field(t('validity'), `${when(c.notBefore)} – ${when(c.notAfter)}`);
  field(t('statusLabel'), t(`status.${c.status}`), `state state-${c.status}`);
  const rows = $('history-rows');
  rows.replaceChildren();
  for (const h of details.history) {
    rows.append(el('tr', { 'data-event': h.event },
      el('td', { text: t(`event.${h.event}`) }), el('td', { text: when(h.at) }),
      el('td', { text: h.reason ? t(`reason.${h.reason}`) : t('none') }), el('td', { text: h.invalidityDate ? when(h.invalidityDate) : t('none') })));
  }
  $('revoke-form').hidden = c.status === 'revoked';
  $('suspend').hidden = c.status !== 'good';
  $('resume').hidden = c.status !== 'on-hold';
  $('confirm').hidden = true;
  shell.switchTo(views, 'certificate');
  $('certificate-heading').focus();
}

/** Shows the confirmation step naming the serial and subject; the action runs only from its "go ahead" button. */
function confirmChange(kind) {
  const c = current;
  if (kind === 'revoke') {
    const reason = $('revoke-reason').value;
    const local = $('revoke-invalidity').value;
    pending = { kind, body: { reason, invalidityDate: local ? new Date(local).toISOString() : undefined } };
    $('confirm-text').textContent = t('confirmRevoke', c.serialNumber, c.subject, t(`reason.${reason}`));
  } else {
    pending = { kind };
    $('confirm-text').textContent = t(kind === 'suspend' ? 'confirmSuspend' : 'confirmResume', c.serialNumber, c.subject);
  }
  $('confirm').hidden = false;
  $('confirm-go').focus();
}

async function applyChange() {
  const { kind, body } = pending;
  const serial = current.serialNumber;
  const path = { revoke: 'revocation', suspend: 'suspension', resume: 'resumption' }[kind];
  const result = await call('POST', `/v1/ca/certificates/${encodeURIComponent(serial)}/${path}`, kind === 'revoke' ? { body } : {});
  pending = null;
  await openCertificate(serial);
  show(t({ revoke: 'revoked', suspend: 'suspended', resume: 'resumed' }[kind], result.serialNumber, result.crlNumber));
}

/** Posts the CSV as text/csv; a refused import shows the server's line-numbered reasons (error.problem). */
async function importLicenses() {
  const file = $('license-file').files[0];
  if (!file) { show(t('chooseFile'), true); return; }
  const counts = $('license-counts');
  const errors = $('license-errors');
  counts.replaceChildren();
  errors.replaceChildren();
  try {
    const body = await shell.call('POST', '/v1/ca/licenses/import', { body: file, contentType: 'text/csv' });
    $('license-result-heading').textContent = t('imported');
    for (const key of ['rows', 'added', 'updated', 'revoked', 'suspendedCertificates']) {
      counts.append(el('dt', { text: t(key === 'revoked' ? 'licensesRevoked' : key) }), el('dd', { text: String(body[key]), 'data-count': key }));
    }
    show(t('imported'));
  } catch (error) {
    if (error.status === 401) return;
    const problem = error.problem ?? {};
    $('license-result-heading').textContent = `${t('importFailed')}: ${error.message}`;
    if (problem.detail) errors.append(el('li', { text: problem.detail }));
    for (const [line, reasons] of Object.entries(problem.errors ?? {})) {
      errors.append(el('li', { 'data-line': line, text: `${line}: ${reasons.join(' / ')}` }));
    }
    show(`${t('importFailed')}: ${error.message}`, true);
  }
  $('license-result').hidden = false;
  $('license-result-heading').focus();
}

const crlLoads = loadOrder();

async function loadCrls() {
  const isNewest = crlLoads();
  const crls = await call('GET', '/v1/ca/crls');
  if (!isNewest()) return;
  const rows = $('crl-rows');
  rows.replaceChildren();
  for (const crl of crls) {
    const overdue = crl.nextUpdate && new Date(crl.nextUpdate) <= Date.now();
    const state = crl.crlNumber === null ? t('notIssued') : overdue ? t('overdue') : t('current');
    rows.append(el('tr', { 'data-ca': crl.ca, class: overdue ? 'overdue' : undefined },
      el('th', { scope: 'row', text: `${t(`ca.${crl.ca}`)} (${crl.ca})` }),
      el('td', { text: crl.crlNumber ?? t('none'), 'data-crl-number': crl.crlNumber ?? '' }),
      el('td', { text: when(crl.thisUpdate) }),
      el('td', { text: when(crl.nextUpdate) }),
      el('td', { text: crl.entries ?? t('none') }),
      el('td', {}, el('span', { class: overdue || crl.crlNumber === null ? 'bad' : 'ok', text: state })),
      el('td', {}, el('button', {
        type: 'button', text: t('issueNow'), 'aria-label': `${t('issueNow')}: ${t(`ca.${crl.ca}`)}`,
        onclick: guard(async () => {
          const issued = await call('POST', `/v1/ca/crls/${encodeURIComponent(crl.ca)}`);
          await loadCrls();
          show(t('crlIssued', t(`ca.${crl.ca}`), issued.crlNumber));
        }),
      }))));
  }
}

async function start() {
  if (!await shell.start('ca-operator')) return;
  $('tabs').hidden = false;
  shell.onLanguage = () => {
    if (!$('view-certificates').hidden) loadCertificates().catch(() => {});
    if (!$('view-crls').hidden) loadCrls().catch(() => {});
    if (!$('view-certificate').hidden && current) openCertificate(current.serialNumber).catch(() => {});
  };
  for (const b of document.querySelectorAll('[data-view]')) b.addEventListener('click', guard(() => switchView(b.dataset.view)));
  $('search').addEventListener('submit', guard(async () => {
    search = readSearch();
    cursors = [null];
    const count = await loadCertificates();
    if (count !== null) show(t('loaded', count));
  }));
  $('certificates-next').addEventListener('click', guard(async () => {
    cursors.push($('certificates-next').dataset.cursor);
    await loadCertificates();
  }));
  $('certificates-previous').addEventListener('click', guard(async () => {
    if (cursors.length > 1) cursors.pop();
    await loadCertificates();
  }));
  $('revoke-form').addEventListener('submit', guard(() => confirmChange('revoke')));
  $('suspend').addEventListener('click', () => confirmChange('suspend'));
  $('resume').addEventListener('click', () => confirmChange('resume'));
  $('confirm-go').addEventListener('click', guard(applyChange));
  $('confirm-cancel').addEventListener('click', () => { $('confirm').hidden = true; pending = null; $('certificate-heading').focus(); });
  $('certificate-back').addEventListener('click', guard(() => switchView('certificates')));
  $('license-form').addEventListener('submit', guard(importLicenses));
  $('crls-refresh').addEventListener('click', guard(loadCrls));
  await switchView('certificates');
}

start().catch(error => show(t('failed', shell.describe(error)), true));
