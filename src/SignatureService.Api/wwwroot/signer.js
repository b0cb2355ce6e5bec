// Signer pages: pending queue, document view, batch approval on the security key, rejection, history with verification, keys.
// Every text from the server goes through textContent (never innerHTML); every state change carries X-CSRF-Token.
import { api, getAssertion, createCredential } from './webauthn.js';
import { $, el, createShell, loadOrder } from './ui.js';

const text = {
  ja: {
    skip: '本文へ移動', title: '電子署名サービス', logout: 'ログアウト', queue: '承認待ち', history: '署名済み', keys: 'セキュリティキー',
    docType: '文書の種類', all: 'すべて', client: '依頼元', refresh: '更新', queueCaption: '承認待ちの依頼（新しい順）', select: '選択',
    received: '受付', documents: '文書', expires: '期限', empty: '承認待ちの依頼はありません。', approveSelected: '選択した依頼を承認して署名',
    confirmHeading: '署名する文書の確認', touchKey: 'セキュリティキーで署名する', cancel: 'やめる', detail: '依頼の内容',
    approveThis: 'この依頼を承認して署名', reason: '却下の理由', reject: '却下する', back: '一覧へ戻る', signedAt: '署名日時',
    verification: '検証', emptyHistory: '署名済みの文書はありません。', addKey: '予備のキーを追加', open: '内容を見る', verify: '検証する',
    download: '署名済みXML', valid: '有効', invalid: '無効', selected: n => `${n} 件の依頼を選択中`,
    confirmCount: (d, r) => `${r} 件の依頼、合計 ${d} 通の文書に署名します。`, approved: n => `${n} 通の文書を承認しました。署名処理中です。`,
    rejected: '依頼を却下しました。', signedIn: (name, roles) => `${name}（${roles}）`, expiresIn: m => `セッション残り ${m} 分`,
    expired: 'セッションの有効期限が切れました。再度ログインしてください。', failed: c => `失敗しました: ${c}`, keyAdded: 'キーを追加しました。',
    revoke: '失効させる', keyActive: '有効', keyRevoked: '失効', status: s => ({ 'pending-approval': '承認待ち', approved: '承認済み', signing: '署名中', signed: '署名済み', rejected: '却下', cancelled: '取消', expired: '期限切れ', failed: '失敗' })[s] ?? s,
    'type.prescription': '処方箋', 'type.dispensing-record': '調剤結果', 'type.death-certificate': '死亡診断書',
    'type.postmortem-certificate': '死体検案書', 'type.attachment': '添付文書', lang: 'English',
  },
  en: {
    skip: 'Skip to content', title: 'Signature service', logout: 'Sign out', queue: 'Pending', history: 'Signed', keys: 'Security keys',
    docType: 'Document type', all: 'All', client: 'Requested by', refresh: 'Refresh', queueCaption: 'Pending requests, newest first', select: 'Select',
    received: 'Received', documents: 'Documents', expires: 'Expires', empty: 'No pending requests.', approveSelected: 'Approve and sign selected',
    confirmHeading: 'Check what you are signing', touchKey: 'Sign with security key', cancel: 'Cancel', detail: 'Request',
    approveThis: 'Approve and sign this request', reason: 'Reason for rejection', reject: 'Reject', back: 'Back to list', signedAt: 'Signed at',
    verification: 'Verification', emptyHistory: 'No signed documents.', addKey: 'Add a backup key', open: 'Open', verify: 'Verify',
    download: 'Signed XML', valid: 'Valid', invalid: 'Invalid', selected: n => `${n} request(s) selected`,
    confirmCount: (d, r) => `You are signing ${d} document(s) in ${r} request(s).`, approved: n => `${n} document(s) approved; signing now.`,
    rejected: 'Request rejected.', signedIn: (name, roles) => `${name} (${roles})`, expiresIn: m => `Session: ${m} min left`,
    expired: 'Your session has expired. Please sign in again.', failed: c => `Failed: ${c}`, keyAdded: 'Key added.',
    revoke: 'Revoke', keyActive: 'active', keyRevoked: 'revoked', status: s => s,
    'type.prescription': 'Prescription', 'type.dispensing-record': 'Dispensing record', 'type.death-certificate': 'Death certificate',
    'type.postmortem-certificate': 'Postmortem certificate', 'type.attachment': 'Attachment', lang: '日本語',
  },
};

const shell = createShell(text, '/signer.html');
const { t, show, call, guard } = shell;
const when = iso => shell.when(iso);
let selected = new Set();
let currentDetail = null;
const queueCache = new Map();

function switchView(name) {
  shell.switchTo(['queue', 'detail', 'history', 'keys'], name);
  if (name === 'queue') return loadQueue();
  if (name === 'history') return loadHistory();
  if (name === 'keys') return loadKeys();
  return undefined;
}

function typesOf(request) {
  return request.documents.map(d => `${t(`type.${d.type}`)} ${d.documentId}`).join('、');
}

const queueLoads = loadOrder();
const historyLoads = loadOrder();
const keyLoads = loadOrder();

async function loadQueue() {
  const isNewest = queueLoads();
  const params = new URLSearchParams({ status: 'pending-approval' });
  if ($('filter-type').value) params.set('type', $('filter-type').value);
  if ($('filter-client').value) params.set('client', $('filter-client').value);
  const page = await call('GET', `/v1/me/signature-requests?${params}`);
  if (!isNewest()) return;
  const rows = $('queue-rows');
  rows.replaceChildren();
  selected = new Set([...selected].filter(id => page.items.some(r => r.id === id)));
  for (const r of page.items) {
    queueCache.set(r.id, r);
    const box = el('input', { type: 'checkbox', 'data-request': r.id, 'aria-label': `${t('select')}: ${typesOf(r)}` });
    box.checked = selected.has(r.id);
    box.addEventListener('change', () => { if (box.checked) selected.add(r.id); else selected.delete(r.id); updateSelection(); });
    rows.append(el('tr', { 'data-request-row': r.id },
      el('td', {}, box), el('td', { text: when(r.createdAt) }), el('td', { text: r.client.name }),
      el('td', { text: typesOf(r) }), el('td', { text: when(r.expiresAt) }),
      el('td', {}, el('button', { type: 'button', text: t('open'), 'data-open': r.id, onclick: guard(() => openDetail(r.id)) }))));
  }
  $('queue-empty').hidden = page.items.length > 0;
  const clients = $('filter-client');
  for (const r of page.items) {
    if (![...clients.options].some(o => o.value === r.client.clientId)) clients.append(el('option', { value: r.client.clientId, text: r.client.name + ' (' + r.client.clientId + ')' }));
  }
  updateSelection();
}

function updateSelection() {
  $('approve').disabled = selected.size === 0;
  $('selection').textContent = selected.size ? t('selected', selected.size) : '';
}

function confirmApproval(ids) {
  const list = $('confirm-list');
  list.replaceChildren();
  let count = 0;
  for (const id of ids) {
    const r = queueCache.get(id);
    if (!r) continue;
    for (const d of r.documents) { count++; list.append(el('li', { text: `${t(`type.${d.type}`)} ${d.documentId} — ${d.summary}` })); }
  }
  $('confirm-count').textContent = t('confirmCount', count, ids.length);
  $('confirm').hidden = false;
  $('confirm').dataset.ids = JSON.stringify(ids);
  $('confirm-go').focus();
}

async function approve(ids) {
  const options = await call('POST', '/v1/approvals', { body: { requestIds: ids } });
  $('confirm-count').textContent = t('confirmCount', options.summary.documentCount, options.summary.requestCount);
  const credential = await getAssertion(options.publicKey);
  const result = await call('POST', `/v1/approvals/${options.approvalId}/assertion`, { body: { credential } });
  $('confirm').hidden = true;
  selected.clear();
  show(t('approved', result.documentCount));
  await switchView('queue');
}

// ---- Document rendering (from the stored bytes' display model) ----

function field(grid, label, value) {
  if (value === null || value === undefined || value === '') return;
  grid.append(el('dt', { text: label }), el('dd', { text: String(value) }));
}

const sexes = { ja: { 1: '男', 2: '女' }, en: { 1: 'Male', 2: 'Female' } };
const mannersOfDeath = { 1: '1 病死及び自然死', 2: '2 不慮の外因死（交通事故）', 3: '3 不慮の外因死（転倒・転落）', 4: '4 不慮の外因死（溺水）',
  5: '5 不慮の外因死（煙、火災及び火焔による傷害）', 6: '6 不慮の外因死（窒息）', 7: '7 不慮の外因死（中毒）', 8: '8 不慮の外因死（その他）',
  9: '9 その他及び不詳の外因死（自殺）', 10: '10 その他及び不詳の外因死（他殺）', 11: '11 その他及び不詳の外因死（その他及び不詳の外因）', 12: '12 不詳の死' };
const onsetUnits = { minutes: '分', hours: '時間', days: '日', months: 'か月', years: '年' };
const dosageForms = { 1: '内服', 2: '頓服', 3: '外用', 4: '内服滴剤', 5: '注射', 6: '医療材料', 9: '不明' };

function renderPrescription(d) {
  const box = el('article', { class: 'document prescription', 'aria-label': t('type.prescription') }, el('h3', { text: '処　方　箋' }));
  const grid = el('dl', { class: 'form-grid' });
  const i = d.institution ?? {};
  field(grid, '保険医療機関', i.name);
  field(grid, '所在地', [i.postalCode && `〒${i.postalCode}`, i.address].filter(Boolean).join(' '));
  field(grid, '電話番号', i.phone);
  field(grid, '診療科', i.department);
  field(grid, '医療機関コード', i.code);
  field(grid, '保険医氏名', d.prescriber?.nameKanji);
  const p = d.patient ?? {};
  field(grid, '患者氏名', p.nameKanji + (p.nameKana ? `（${p.nameKana}）` : ''));
  field(grid, '生年月日', p.dateOfBirth);
  field(grid, '性別', p.sex ? sexes[shell.lang][p.sex] : null);
  if (d.insurance) {
    field(grid, '保険者番号', d.insurance.insurerNumber);
    field(grid, '記号・番号', [d.insurance.cardSymbol, d.insurance.cardNumber, d.insurance.cardBranch].filter(Boolean).join(' ・ '));
    for (const pe of d.insurance.publicExpenses ?? []) field(grid, '公費負担者番号', `${pe.payerNumber} / ${pe.recipientNumber ?? ''}`);
  }
  field(grid, '交付年月日', d.issueDate);
  field(grid, '使用期間', d.expiryDate);
  field(grid, '処方箋番号', d.prescriptionId);
  box.append(grid);
  const rps = el('section', { 'aria-label': '処方' }, el('h4', { text: '処方' }));
  for (const rp of d.rps ?? []) {
    const unit = rp.dosageForm === 2 ? '回分' : (rp.dosageForm === 1 || rp.dosageForm === 4 ? '日分' : '');
    const block = el('div', { class: 'rp' }, el('h4', { text: `Rp${rp.number}　${dosageForms[rp.dosageForm] ?? ''}${rp.dosageFormName ? `（${rp.dosageFormName}）` : ''}` }));
    const drugs = el('ul');
    for (const drug of rp.drugs ?? []) {
      drugs.append(el('li', { text: `${drug.name}　${drug.quantity}${drug.unit}${drug.supplements?.length ? `　${drug.supplements.join(' ')}` : ''}` }));
    }
    block.append(drugs, el('p', { text: `用法: ${rp.usageText}${rp.timesPerDay ? `（1日${rp.timesPerDay}回）` : ''}　${rp.quantity}${unit}` }));
    for (const s of rp.usageSupplements ?? []) block.append(el('p', { text: s }));
    rps.append(block);
  }
  box.append(rps);
  if (d.remarks?.length) box.append(el('h4', { text: '備考' }), el('ul', {}, ...d.remarks.map(r => el('li', { text: r }))));
  return box;
}

function renderDeathCertificate(d) {
  const c = d.certificate ?? {};
  const title = d.kind === 4 || d.kind === 'PostmortemCertificate' ? '死体検案書' : '死亡診断書';
  const box = el('article', { class: 'document death-certificate', 'aria-label': title }, el('h3', { text: `${title}（死亡届）` }));
  const grid = el('dl', { class: 'form-grid' });
  const p = c.deceased ?? {};
  field(grid, '氏名', p.name + (p.nameKana ? `（${p.nameKana}）` : ''));
  field(grid, '性別', p.sex ? sexes[shell.lang][p.sex] : null);
  field(grid, '生年月日', p.dateOfBirth);
  field(grid, '死亡時の年齢', p.ageAtDeath);
  const death = c.death ?? {};
  field(grid, '死亡したとき', `${death.date ?? ''} ${death.time ?? ''}${death.timeEstimated ? '（推定）' : ''}`);
  field(grid, '死亡したところ', [death.place?.facilityName, death.place?.address].filter(Boolean).join('　'));
  const chain = c.causes?.chainOfEvents ?? [];
  const labels = ['(ア) 直接死因', '(イ) (ア)の原因', '(ウ) (イ)の原因', '(エ) (ウ)の原因'];
  chain.forEach((cause, index) => field(grid, labels[index] ?? `(${index + 1})`,
    `${cause.description}${cause.onsetToDeath ? `　発病から死亡まで ${cause.onsetToDeath.value}${onsetUnits[cause.onsetToDeath.unit] ?? cause.onsetToDeath.unit}` : ''}`));
  for (const other of c.causes?.otherSignificantConditions ?? []) field(grid, 'Ⅱ その他', other.description ?? other);
  field(grid, '手術', c.surgery?.performed ? (c.surgery.findings ?? '有') : '無');
  field(grid, '解剖', c.autopsy?.performed ? (c.autopsy.findings ?? '有') : '無');
  field(grid, '死因の種類', mannersOfDeath[c.mannerOfDeath] ?? c.mannerOfDeath);
  field(grid, '診断（検案）年月日', c.diagnosisOrExaminationDate);
  field(grid, '発行年月日', c.issueDate);
  field(grid, '病院等の名称・所在地', [c.physician?.institutionName, c.physician?.institutionAddress].filter(Boolean).join('　'));
  field(grid, '医師氏名', c.physician?.name);
  box.append(grid);
  return box;
}

function renderGeneric(doc) {
  const box = el('article', { class: 'document' }, el('h3', { text: t(`type.${doc.type}`) }));
  box.append(el('pre', { text: JSON.stringify(doc.display, null, 2) }));
  return box;
}

function renderDocument(doc) {
  const kind = doc.display?.documentType;
  const body = kind === 'prescription' ? renderPrescription(doc.display)
    : kind === 'death-or-postmortem-certificate' ? renderDeathCertificate(doc.display) : renderGeneric(doc);
  body.prepend(el('p', { class: 'meta', text: `${doc.index}. ${t(`type.${doc.type}`)} ${doc.documentId} — SHA-256 ${doc.sha256}` }));
  return body;
}

async function openDetail(id) {
  const request = await call('GET', `/v1/me/signature-requests/${id}`);
  currentDetail = request;
  queueCache.set(id, request);
  $('detail-meta').textContent = `${request.client.name} · ${t('received')} ${when(request.createdAt)} · ${t('status', request.status)}`;
  $('detail-documents').replaceChildren(...request.documents.map(renderDocument));
  $('detail-actions').hidden = request.status !== 'pending-approval';
  for (const v of ['queue', 'history', 'keys']) $(`view-${v}`).hidden = true;
  $('view-detail').hidden = false;
  $('detail-heading').focus();
}

async function reject() {
  await call('POST', `/v1/signature-requests/${currentDetail.id}/rejection`, { body: { reason: $('reject-reason').value.trim() || null } });
  $('reject-reason').value = '';
  show(t('rejected'));
  await switchView('queue');
}

async function loadHistory() {
  const isNewest = historyLoads();
  const page = await call('GET', '/v1/me/signature-requests?status=signed');
  if (!isNewest()) return;
  const rows = $('history-rows');
  rows.replaceChildren();
  for (const r of page.items) {
    for (const d of r.documents) {
      const result = el('span', { 'aria-live': 'polite' });
      const href = `/v1/me/signature-requests/${r.id}/documents/${d.index}/signed`;
      rows.append(el('tr', { 'data-signed': `${r.id}/${d.index}` },
        el('td', { text: when(d.signedAt ?? r.updatedAt) }), el('td', { text: r.client.name }),
        el('td', {}, `${t(`type.${d.type}`)} ${d.documentId} `, el('a', { href, download: '', text: t('download') })),
        el('td', {}, el('button', { type: 'button', text: t('verify'), onclick: guard(() => verify(href, result)) }), ' ', result)));
    }
  }
  $('history-empty').hidden = page.items.length > 0;
}

async function verify(href, target) {
  const signed = await (await call('GET', href, { raw: true })).blob();
  const report = await api('POST', '/v1/verifications', { body: signed, contentType: 'application/xml' });
  target.textContent = report.valid ? t('valid') : `${t('invalid')} (${report.errorCode ?? ''})`;
  target.className = report.valid ? 'ok' : 'bad';
}

async function loadKeys() {
  const isNewest = keyLoads();
  const keys = await call('GET', '/v1/me/keys');
  if (!isNewest()) return;
  const list = $('key-list');
  list.replaceChildren();
  for (const k of keys.items ?? keys) {
    const item = el('li', { text: `${k.nickname} — ${k.status === 'active' ? t('keyActive') : t('keyRevoked')} — ${when(k.createdAt)} ` });
    if (k.status === 'active') {
      item.append(el('button', { type: 'button', text: t('revoke'), onclick: guard(async () => { await call('POST', `/v1/me/keys/${k.id}/revoke`); await loadKeys(); }) }));
    }
    list.append(item);
  }
}

async function addKey() {
  const { publicKey } = await call('POST', '/v1/me/keys/options');
  const credential = await createCredential(publicKey);
  await call('POST', '/v1/me/keys', { body: { nickname: 'Backup key', credential } });
  show(t('keyAdded'));
  await loadKeys();
}

async function start() {
  if (!await shell.start('signer')) return;
  for (const b of document.querySelectorAll('[data-view]')) b.addEventListener('click', guard(() => switchView(b.dataset.view)));
  $('filters').addEventListener('submit', guard(loadQueue));
  $('approve').addEventListener('click', () => confirmApproval([...selected]));
  $('confirm-go').addEventListener('click', guard(() => approve(JSON.parse($('confirm').dataset.ids))));
  $('confirm-cancel').addEventListener('click', () => { $('confirm').hidden = true; $('approve').focus(); });
  $('detail-approve').addEventListener('click', guard(async () => {
    await switchView('queue');
    confirmApproval([currentDetail.id]);
  }));
  $('reject-form').addEventListener('submit', guard(reject));
  $('detail-back').addEventListener('click', guard(() => switchView('queue')));
  $('add-key').addEventListener('click', guard(addKey));
  await loadQueue();
}

start().catch(error => show(t('failed', shell.describe(error)), true));
