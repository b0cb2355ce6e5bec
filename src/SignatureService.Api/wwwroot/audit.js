// Auditor page: browse the audit trail newest first with filters and paging, open one event with its stored details and chain
// position, and verify the whole trail (hash chain and signed checkpoints). Read-only; texts go through textContent only.
import { $, el, createShell, loadOrder } from './ui.js';

const text = {
  ja: {
    title: '電子署名サービス — 監査', events: '監査証跡', verify: '証跡を検証する', action: '操作', actorType: '実行者の種別',
    all: 'すべて', actorId: '実行者ID', subject: '対象ID', from: '開始日時', to: '終了日時（含まない）', limit: '件数', search: '検索',
    actionHelp: '完全一致。末尾を * にすると前方一致（例: certificate.*）。', eventsCaption: '監査イベント（新しい順）',
    sequence: '番号', at: '日時', actor: '実行者', outcome: '結果', chain: 'チェーン', noEvents: '該当するイベントはありません。',
    newer: '新しいイベントへ', older: '古いイベントへ', event: 'イベントの詳細', details: '記録された内容（JSON）',
    'actor.operator': '運用者', 'actor.signer': '署名者', 'actor.client': '電子カルテ', 'actor.cli': 'コマンド', 'actor.system': 'システム',
    'actor.anonymous': '未認証', 'outcome.success': '成功', 'outcome.failure': '失敗',
    sealed: '封印済み', chained: 'チェーン済み（署名待ち）', unsealed: '未連結', open: '詳細',
    traceId: 'トレースID', position: 'チェーン上の位置', hash: 'ハッシュ（SHA-256）', subjectType: '対象の種別', none: '—',
    pageInfo: (n, c) => `${n} ページ目（${c} 件）`, loaded: n => `${n} 件のイベントを表示しています。`,
    intact: '検証成功: 改ざんや欠落は見つかりませんでした。', broken: '検証失敗: 証跡に問題があります。',
    eventsVerified: '検証したイベント', checkpointsVerified: '検証したチェックポイント', lastCheckpoint: '最新のチェックポイントの位置',
    unsealedEvents: 'まだ連結されていないイベント', problemKind: '問題の種類', problemPosition: '位置', problemEvent: 'イベント番号',
    problemDescription: '説明', verifying: '検証しています…',
  },
  en: {
    title: 'Signature service — Audit', events: 'Audit trail', verify: 'Verify the trail', action: 'Action', actorType: 'Actor type',
    all: 'All', actorId: 'Actor id', subject: 'Subject id', from: 'From', to: 'To (exclusive)', limit: 'Per page', search: 'Search',
    actionHelp: 'Exact match; end with * for a prefix (e.g. certificate.*).', eventsCaption: 'Audit events, newest first',
    sequence: 'No.', at: 'When', actor: 'Actor', outcome: 'Outcome', chain: 'Chain', noEvents: 'No events match.',
    newer: 'Newer events', older: 'Older events', event: 'Event', details: 'Recorded details (JSON)',
    'actor.operator': 'Operator', 'actor.signer': 'Signer', 'actor.client': 'EHR client', 'actor.cli': 'Command line', 'actor.system': 'System',
    'actor.anonymous': 'Anonymous', 'outcome.success': 'Success', 'outcome.failure': 'Failure',
    sealed: 'Sealed', chained: 'Chained (checkpoint pending)', unsealed: 'Not yet chained', open: 'Open',
    traceId: 'Trace id', position: 'Chain position', hash: 'Hash (SHA-256)', subjectType: 'Subject type', none: '—',
    pageInfo: (n, c) => `Page ${n} (${c})`, loaded: n => `Showing ${n} event(s).`,
    intact: 'Verified: no alteration or gap found.', broken: 'Verification failed: the trail has a problem.',
    eventsVerified: 'Events verified', checkpointsVerified: 'Checkpoints verified', lastCheckpoint: 'Newest checkpoint position',
    unsealedEvents: 'Events not yet chained', problemKind: 'Problem', problemPosition: 'Position', problemEvent: 'Event number',
    problemDescription: 'Description', verifying: 'Verifying…',
  },
};

const shell = createShell(text, '/audit.html');
const { t, show, call, guard } = shell;
const views = ['events', 'event'];
const when = iso => (iso
  ? new Date(iso).toLocaleString(shell.lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium', timeStyle: 'medium' })
  : t('none'));
const chainState = e => (e.sealed ? t('sealed') : e.chainPosition !== null ? t('chained') : t('unsealed'));

let filters = new URLSearchParams();
let cursors = [null];
const shown = new Map();

/** A datetime-local value (the browser's local time) as RFC 3339 in UTC, which the API requires. */
const rfc3339 = local => new Date(local).toISOString();

function readFilters() {
  const params = new URLSearchParams();
  for (const [id, name] of [['filter-action', 'action'], ['filter-actor-type', 'actorType'], ['filter-actor-id', 'actorId'], ['filter-subject', 'subject']]) {
    const value = $(id).value.trim();
    if (value) params.set(name, value);
  }
  if ($('filter-from').value) params.set('from', rfc3339($('filter-from').value));
  if ($('filter-to').value) params.set('to', rfc3339($('filter-to').value));
  params.set('limit', $('filter-limit').value);
  return params;
}

const eventLoads = loadOrder();

/** Shows the current page of events; returns its row count, or null when a later load has overtaken this one. */
async function loadEvents() {
  const isNewest = eventLoads();
  const params = new URLSearchParams(filters);
  const cursor = cursors[cursors.length - 1];
  if (cursor) params.set('cursor', cursor);
  const page = await call('GET', `/v1/audit/events?${params}`);
  if (!isNewest()) return null;
  const rows = $('event-rows');
  rows.replaceChildren();
  shown.clear();
  for (const e of page.items) {
    shown.set(e.sequence, e);
    rows.append(el('tr', { 'data-sequence': e.sequence, 'data-action': e.action },
      el('td', {}, el('button', {
        type: 'button', class: 'link mono', text: String(e.sequence), 'aria-label': `${t('open')}: ${e.sequence} ${e.action}`,
        onclick: () => openEvent(e.sequence),
      })),
      el('td', { class: 'nowrap', text: when(e.occurredAt) }),
      el('td', { class: 'id' }, `${t(`actor.${e.actor.type}`)} `, el('span', { class: 'mono', text: e.actor.id })),
      el('td', { class: 'nowrap', text: e.action }),
      el('td', { class: 'mono id', text: e.subject?.id ?? t('none') }),
      el('td', { class: e.outcome === 'success' ? 'nowrap' : 'nowrap bad', text: t(`outcome.${e.outcome}`) }),
      el('td', { text: chainState(e) })));
  }
  $('events-empty').hidden = page.items.length > 0;
  $('events-previous').disabled = cursors.length === 1;
  $('events-next').disabled = !page.nextCursor;
  $('events-next').dataset.cursor = page.nextCursor ?? '';
  $('events-page').textContent = t('pageInfo', cursors.length, page.items.length);
  return page.items.length;
}

let opened = null;

function openEvent(sequence) {
  const e = shown.get(sequence);
  opened = sequence;
  const fields = $('event-fields');
  fields.replaceChildren();
  const field = (label, value, cls) => fields.append(el('dt', { text: label }), el('dd', { text: value ?? t('none'), class: cls }));
  field(t('sequence'), String(e.sequence), 'mono');
  field(t('at'), `${when(e.occurredAt)} (${e.occurredAt})`);
  field(t('actor'), `${t(`actor.${e.actor.type}`)} — ${e.actor.id}`);
  field(t('action'), e.action, 'mono');
  field(t('subjectType'), e.subject?.type, 'mono');
  field(t('subject'), e.subject?.id, 'mono');
  field(t('outcome'), t(`outcome.${e.outcome}`));
  field(t('traceId'), e.traceId, 'mono');
  field(t('chain'), chainState(e));
  field(t('position'), e.chainPosition === null ? null : String(e.chainPosition), 'mono');
  field(t('hash'), e.hash, 'mono');
  $('event-details').textContent = JSON.stringify(e.details, null, 2);
  shell.switchTo(views, 'event');
  $('event-heading').focus();
}

async function verifyTrail() {
  show(t('verifying'));
  const report = await call('GET', '/v1/audit/verification');
  const fields = $('verification-fields');
  fields.replaceChildren();
  const field = (label, value) => fields.append(el('dt', { text: label }), el('dd', { text: value === null || value === undefined ? t('none') : String(value) }));
  $('verification-heading').textContent = report.intact ? t('intact') : t('broken');
  $('verification-heading').className = report.intact ? 'ok' : 'bad';
  $('verification').dataset.intact = String(report.intact);
  field(t('eventsVerified'), report.eventsVerified);
  field(t('checkpointsVerified'), report.checkpointsVerified);
  field(t('lastCheckpoint'), report.lastCheckpointPosition);
  field(t('unsealedEvents'), report.unsealedEvents);
  if (report.firstProblem) {
    field(t('problemKind'), report.firstProblem.kind);
    field(t('problemPosition'), report.firstProblem.position);
    field(t('problemEvent'), report.firstProblem.eventId);
    field(t('problemDescription'), report.firstProblem.description);
  }
  $('verification').hidden = false;
  show(report.intact ? t('intact') : t('broken'), !report.intact);
  $('verification-heading').focus();
}

async function start() {
  if (!await shell.start('auditor')) return;
  shell.onLanguage = () => {
    if (!$('view-events').hidden) loadEvents().catch(() => {});
    if (!$('view-event').hidden && shown.has(opened)) openEvent(opened);
  };
  $('filters').addEventListener('submit', guard(async () => {
    filters = readFilters();
    cursors = [null];
    const count = await loadEvents();
    if (count !== null) show(t('loaded', count));
  }));
  $('events-next').addEventListener('click', guard(async () => {
    cursors.push($('events-next').dataset.cursor);
    await loadEvents();
  }));
  $('events-previous').addEventListener('click', guard(async () => {
    if (cursors.length > 1) cursors.pop();
    await loadEvents();
  }));
  $('verify').addEventListener('click', guard(verifyTrail));
  $('event-back').addEventListener('click', () => {
    shell.switchTo(views, 'events');
    $('events-heading').focus();
  });
  filters = readFilters();
  shell.switchTo(views, 'events');
  await loadEvents();
}

start().catch(error => show(t('failed', shell.describe(error)), true));
