// RA operator page: list and search applications, record one, add evidence, verify against the profile, approve under dual
// control (a second operator), print the enrollment letter with the one-time code, attest the key binding, reject, and suspend
// or reinstate the signer. Server text goes through textContent only; every state change carries X-CSRF-Token.
import { $, el, createShell, loadOrder } from './ui.js';

const requirementTexts = {
  ja: {
    'evidence-strength': '書類の強度（SUPERIOR 1点、STRONG 2点、または STRONG 1点 + FAIR 1点）',
    'attended-session': '対面または立会いのある遠隔での確認', 'biometric-with-consent': '本人の同意を得た顔画像の取得',
    'postal-notification': '確認済みの住所への通知の郵送', 'photo-id-or-two-ids': '顔写真付き身分証 1点、またはその他の身分証 2点',
    'resident-record': '住民票', 'seal-registration-certificate': '印鑑登録証明書（郵送の場合）', 'jpki-signature': 'マイナンバーカードによる署名（JPKI）',
  },
  en: {
    'evidence-strength': 'Evidence strength (1 SUPERIOR, 2 STRONG, or 1 STRONG + 1 FAIR)',
    'attended-session': 'An attended session (in person or supervised remote)', 'biometric-with-consent': 'A facial image captured with consent',
    'postal-notification': 'A notification sent to the validated postal address', 'photo-id-or-two-ids': 'One photo ID or two other IDs',
    'resident-record': 'A resident record', 'seal-registration-certificate': 'A seal-registration certificate (mail route)',
    'jpki-signature': 'The My Number card signature (JPKI)',
  },
};

const text = {
  ja: {
    title: '電子署名サービス — 登録局', views: '画面', list: '申請一覧', new: '新規申請の記録', statusFilter: '状態', all: 'すべて',
    'st.recorded': '記録済み', 'st.verified': '確認済み', 'st.approved': '承認済み', 'st.enrolled': '登録完了', 'st.rejected': '却下',
    search: '氏名（漢字・カナの先頭）または免許番号', searchButton: '検索', listCaption: '申請（新しい順）', recordedAt: '記録日時',
    name: '氏名', profession: '職種', licenseNumber: '免許番号', ial: '達成IAL', operators: '記録 / 確認 / 決定', empty: '該当する申請はありません。',
    more: 'さらに表示', open: '開く', newHelp: '本人確認書類と照合した内容を入力してください。免許は記録時に資格台帳と照合されます。',
    fsMethod: '本人確認の方式', profile: '確認プロファイル', 'pf.nist-800-63a-4-ial3': 'NIST SP 800-63A-4 IAL3', 'pf.mhlw-guideline': '厚生労働省ガイドライン',
    route: '確認の経路', 'rt.in-person': '対面', 'rt.attended-remote': '立会いのある遠隔（キオスク）', 'rt.online-my-number-card': 'オンライン（マイナンバーカード）',
    'rt.mail': '郵送', fsBasic: '基本4情報', familyName: '氏（漢字）', givenName: '名（漢字）', familyNameKana: '氏（カナ）', givenNameKana: '名（カナ）',
    nameRomaji: '氏名（ローマ字、証明書用）', dateOfBirth: '生年月日', sex: '性別', choose: '選択してください', 'sx.male': '男', 'sx.female': '女',
    'sx.not-applicable': '適用不能', postalCode: '郵便番号（NNN-NNNN）', address: '住所（住民票のとおり）', fsContact: '連絡先（いずれか必須）',
    phone: '電話番号', email: 'メールアドレス', fsLicense: '資格', 'pr.doctor': '医師', 'pr.dentist': '歯科医師', 'pr.pharmacist': '薬剤師',
    licenseRegistrationDate: '免許登録年月日', fsFacility: '勤務先', facilityName: '施設名', facilityNameRomaji: '施設名（ローマ字）',
    record: '申請を記録する', detail: '申請の内容', dualControl: '二者確認（デュアルコントロール）', evidence: '本人確認書類',
    'ev.kind': '種類', 'ev.strength': '強度', 'ev.issuer': '発行者', 'ev.number': '番号（マスク済み）', 'ev.expiresOn': '有効期限', 'ev.method': '確認方法',
    'ev.validated': '確認者・日時', addEvidence: '書類を追加', 'ev.numberInput': '書類の番号（保存時にマスクされ、再表示されません）',
    'ev.scanFile': 'スキャン画像（この端末でSHA-256だけを計算し、送信しません）', 'ev.scanSha256': 'スキャンのSHA-256（16進64桁）',
    'ek.my-number-card': 'マイナンバーカード', 'ek.drivers-licence': '運転免許証', 'ek.passport': '旅券', 'ek.residence-card': '在留カード',
    'ek.health-insurance-card': '健康保険証', 'ek.pension-book': '年金手帳', 'ek.resident-record': '住民票',
    'ek.seal-registration-certificate': '印鑑登録証明書', 'ek.jpki-signature': 'JPKI署名', 'es.superior': 'SUPERIOR', 'es.strong': 'STRONG', 'es.fair': 'FAIR',
    'vm.visual-inspection': '目視', 'vm.ic-chip-read': 'ICチップ読取り', 'vm.issuer-confirmation': '発行元への照会', 'vm.signature-verification': '署名検証',
    verification: '確認（プロファイルとの照合）', biometricConsent: '顔画像の取得に本人が同意し、同意を記録した',
    biometricFile: '顔画像（この端末でSHA-256だけを計算し、送信しません）', biometricSha: '顔画像のSHA-256（16進64桁）',
    postalSent: '確認済みの住所へ本人確認の通知を郵送した', verify: '確認を記録する', approval: '承認', approve: '承認して登録コードを発行する',
    attestation: 'キー登録の立会い（IAL3）', attestHelp: '申請者が最初のセキュリティキーを登録する直前（30分以内）に記録してください。',
    attestMethod: '方法', 'am.attended-session': '対面で立ち会う', 'am.biometric-rematch': '顔画像の再照合', sampleSha: '再照合した画像のSHA-256（再照合のとき）',
    attest: '立会いを記録する', rejection: '却下', rejectReason: '却下の理由（個人情報を書かない）', reject: '却下する',
    signerLifecycle: '署名者の一時停止・再開', suspendReason: '一時停止の理由', suspend: '一時停止する', reinstate: '再開する',
    print: '印刷する', letterDone: '申請に戻る', codeOnce: '登録コードはこの画面に一度だけ表示されます。再表示はできません。印刷してから画面を閉じてください。',
    // Dynamic texts.
    you: n => `あなた（${n}）`, none: '—', at: (who, when) => `${who}　${when}`, recordedBy: '記録', verifiedBy: '確認', decidedBy: '決定（承認・却下）',
    dualRule: '承認は、確認したオペレーターとは別のオペレーターが行います。',
    notYou: '別のオペレーターが承認します（あなたがこの申請を確認しました）。',
    status: '状態', purpose: '目的', nameKana: '氏名（カナ）', postal: '住所', licenseCheck: '資格台帳との照合', enrollmentId: '登録ID',
    signerId: '署名者ID', checkMatched: t => `一致（${t}）`, profileIs: p => `プロファイル: ${p}`, achieved: l => `達成した保証レベル: ${l}`,
    notVerified: '未確認：証拠を追加してから確認を記録してください。', recorded: '申請を記録しました。', evidenceAdded: '書類を追加しました（番号はマスクして保存）。',
    verified: l => `確認を記録しました。達成IAL: ${l}`, unmet: '確認できません：プロファイルの要件を満たしていません。',
    approved: '承認しました。登録通知書を印刷してください。', refusedApproval: c => `承認できません（${c}）`, attested: (m, w) => `立会いを記録しました（${m}、${w}）。`,
    rejected: '申請を却下しました。', suspended: s => `署名者を一時停止しました（${s}）。`, reinstated: s => `署名者を再開しました（${s}）。`,
    invalid: n => `入力を確認してください（${n} 項目）。`, required: '必須です。', tooLong: n => `${n} 文字以内で入力してください。`,
    kanaOnly: 'カナ（ひらがな・カタカナ）で入力してください。', romajiOnly: '半角英字・空白・ハイフン・アポストロフィ・ピリオドで入力してください。',
    dateFormat: '日付を入力してください。', age: '年齢が18歳から120歳になる生年月日を入力してください。', postalFormat: 'NNN-NNNN の形で入力してください。',
    phoneFormat: '数字・+・-・( )・空白で20文字以内。', emailFormat: 'メールアドレスの形で入力してください。', contactRequired: '電話番号かメールアドレスのどちらかが必要です。',
    licenseFormat: '半角英数字とハイフンで20文字以内。', registrationDate: '未来の日付や、生年月日から18年未満の日付は入力できません。',
    docNumberFormat: '半角英数字・空白・ハイフンで40文字以内（先頭は英数字）。', expired: '有効期限が切れています。', hexFormat: '16進数64桁で入力してください。',
    jpki: 'マイナンバーカードによる署名（オンライン）', jpkiHelp: '申請者はこのデータにマイナンバーカードの署名用電子証明書で署名し（分離型CMS）、その結果を貼り付けます。',
    jpkiInput: '署名するデータを表示', jpkiData: '署名するデータ（base64）', jpkiCms: '申請者の署名（CMS、base64）', jpkiSubmit: '署名を検証して記録する',
    jpkiAdded: 'マイナンバーカードの署名を検証し、証拠として記録しました。', base64Format: 'base64 で入力してください（32 KiB まで）。',
    consentNeeded: '顔画像の参照値には本人の同意が必要です。', sampleRequired: '再照合では画像のSHA-256が必要です。', hashing: 'SHA-256を計算しました（ファイルは送信しません）。',
  },
  en: {
    title: 'Signature service — Registration authority', views: 'Views', list: 'Applications', new: 'Record an application', statusFilter: 'Status', all: 'All',
    'st.recorded': 'Recorded', 'st.verified': 'Verified', 'st.approved': 'Approved', 'st.enrolled': 'Enrolled', 'st.rejected': 'Rejected',
    search: 'Name (start, kanji or kana) or license number', searchButton: 'Search', listCaption: 'Applications, newest first', recordedAt: 'Recorded',
    name: 'Name', profession: 'Profession', licenseNumber: 'License number', ial: 'IAL achieved', operators: 'Recorded / verified / decided by',
    empty: 'No applications found.', more: 'Show more', open: 'Open',
    newHelp: 'Enter the facts as checked against the identity documents. The license is checked against the registry when you record.',
    fsMethod: 'How the applicant is proofed', profile: 'Proofing profile', 'pf.nist-800-63a-4-ial3': 'NIST SP 800-63A-4 IAL3', 'pf.mhlw-guideline': 'MHLW guideline',
    route: 'Route', 'rt.in-person': 'In person', 'rt.attended-remote': 'Attended remote (kiosk)', 'rt.online-my-number-card': 'Online (My Number card)',
    'rt.mail': 'Mail', fsBasic: 'Basic four facts', familyName: 'Family name (kanji)', givenName: 'Given name (kanji)', familyNameKana: 'Family name (kana)',
    givenNameKana: 'Given name (kana)', nameRomaji: 'Name in romaji (for the certificate)', dateOfBirth: 'Date of birth', sex: 'Sex', choose: 'Choose',
    'sx.male': 'Male', 'sx.female': 'Female', 'sx.not-applicable': 'Not applicable', postalCode: 'Postal code (NNN-NNNN)',
    address: 'Address (as on the resident record)', fsContact: 'Contact (one of the two)', phone: 'Phone', email: 'E-mail', fsLicense: 'License',
    'pr.doctor': 'Doctor', 'pr.dentist': 'Dentist', 'pr.pharmacist': 'Pharmacist', licenseRegistrationDate: 'License registration date',
    fsFacility: 'Facility', facilityName: 'Facility name', facilityNameRomaji: 'Facility name (romaji)', record: 'Record the application',
    detail: 'Application', dualControl: 'Dual control', evidence: 'Evidence', 'ev.kind': 'Kind', 'ev.strength': 'Strength', 'ev.issuer': 'Issuer',
    'ev.number': 'Number (masked)', 'ev.expiresOn': 'Expires', 'ev.method': 'Validation', 'ev.validated': 'Validated by / at', addEvidence: 'Add evidence',
    'ev.numberInput': 'Document number (stored masked; never shown again)', 'ev.scanFile': 'Scan (only its SHA-256 is computed here; the file is not sent)',
    'ev.scanSha256': 'SHA-256 of the scan (64 hex digits)', 'ek.my-number-card': 'My Number card', 'ek.drivers-licence': "Driver's licence",
    'ek.passport': 'Passport', 'ek.residence-card': 'Residence card', 'ek.health-insurance-card': 'Health insurance card', 'ek.pension-book': 'Pension book',
    'ek.resident-record': 'Resident record', 'ek.seal-registration-certificate': 'Seal-registration certificate', 'ek.jpki-signature': 'JPKI signature',
    'es.superior': 'SUPERIOR', 'es.strong': 'STRONG', 'es.fair': 'FAIR', 'vm.visual-inspection': 'Visual inspection', 'vm.ic-chip-read': 'IC chip read',
    'vm.issuer-confirmation': 'Issuer confirmation', 'vm.signature-verification': 'Signature verification',
    verification: 'Verification against the profile', biometricConsent: 'The applicant consented to the facial image capture (consent recorded)',
    biometricFile: 'Facial image (only its SHA-256 is computed here; the file is not sent)', biometricSha: 'SHA-256 of the facial image (64 hex digits)',
    postalSent: 'A proofing notification was mailed to the validated address', verify: 'Record the verification', approval: 'Approval',
    approve: 'Approve and issue the enrollment code', attestation: 'Key binding attestation (IAL3)',
    attestHelp: 'Record this just before the applicant registers their first security key (within 30 minutes).', attestMethod: 'Method',
    'am.attended-session': 'Attended session', 'am.biometric-rematch': 'Biometric re-match', sampleSha: 'SHA-256 of the re-matched sample (for a re-match)',
    attest: 'Record the attestation', rejection: 'Rejection', rejectReason: 'Reason (no personal data)', reject: 'Reject',
    signerLifecycle: 'Suspend or reinstate the signer', suspendReason: 'Reason for suspension', suspend: 'Suspend', reinstate: 'Reinstate',
    print: 'Print', letterDone: 'Back to the application',
    codeOnce: 'The enrollment code is shown on this screen once only and cannot be shown again. Print the letter before you leave.',
    you: n => `you (${n})`, none: '—', at: (who, when) => `${who}  ${when}`, recordedBy: 'Recorded by', verifiedBy: 'Verified by',
    decidedBy: 'Decided by (approved / rejected)', dualRule: 'The approver must be a different operator from the one who verified.',
    notYou: 'Another operator must approve (you verified this application).',
    status: 'Status', purpose: 'Purpose', nameKana: 'Name (kana)', postal: 'Address', licenseCheck: 'License registry check', enrollmentId: 'Enrollment id',
    signerId: 'Signer id', checkMatched: t => `matched (${t})`, profileIs: p => `Profile: ${p}`, achieved: l => `Assurance level achieved: ${l}`,
    notVerified: 'Not verified yet: add evidence, then record the verification.', recorded: 'Application recorded.',
    evidenceAdded: 'Evidence added (the number is stored masked).', verified: l => `Verification recorded. IAL achieved: ${l}`,
    unmet: 'Cannot verify: the profile requirements are not met.', approved: 'Approved. Print the enrollment letter now.',
    refusedApproval: c => `Cannot approve (${c})`, attested: (m, w) => `Attestation recorded (${m}, ${w}).`, rejected: 'Application rejected.',
    suspended: s => `Signer suspended (${s}).`, reinstated: s => `Signer reinstated (${s}).`, invalid: n => `Please check the form (${n} field(s)).`,
    required: 'Required.', tooLong: n => `At most ${n} characters.`, kanaOnly: 'Kana only (hiragana or katakana).',
    romajiOnly: 'ASCII letters, spaces, hyphens, apostrophes and periods only.', dateFormat: 'Enter a date.', age: 'The age must be 18 to 120 years.',
    postalFormat: 'Use the form NNN-NNNN.', phoneFormat: 'Digits, +, -, ( ) and spaces; at most 20.', emailFormat: 'Enter an e-mail address.',
    contactRequired: 'A phone number or an e-mail address is required.', licenseFormat: 'Up to 20 of 0-9, A-Z, a-z and hyphens.',
    registrationDate: 'Not in the future, and at least 18 years after the date of birth.',
    docNumberFormat: 'Up to 40 of 0-9, A-Z, a-z, spaces and hyphens (starting with a letter or digit).', expired: 'The document has expired.',
    hexFormat: 'Enter 64 hex digits.', jpki: 'My Number card signature (online)',
    jpkiHelp: 'The applicant signs these bytes with the My Number card\u2019s signing certificate (detached CMS); paste the result.',
    jpkiInput: 'Show the bytes to sign', jpkiData: 'Bytes to sign (base64)', jpkiCms: 'The applicant\u2019s signature (CMS, base64)',
    jpkiSubmit: 'Verify and record the signature', jpkiAdded: 'The My Number card signature was verified and recorded as evidence.',
    base64Format: 'Enter base64 (at most 32 KiB).', consentNeeded: 'A facial image reference needs the applicant\u2019s consent.',
    sampleRequired: 'A re-match needs the SHA-256 of the sample.', hashing: 'SHA-256 computed (the file was not sent).',
  },
};

const shell = createShell(text, '/ra.html');
const { t, show, call, guard } = shell;
const when = iso => shell.when(iso);
const views = ['list', 'new', 'detail', 'letter'];
const names = new Map();
let current = null;
let currentView = 'list';
let nextCursor = null;
let lastUnmet = null;

// ---- Plumbing ----

/** shell.call with an optional JSON body; a refusal keeps the whole problem (error.problem) for field errors and unmet requirements. */
async function send(method, url, body) {
  return shell.call(method, url, body === undefined ? {} : { body });
}

function switchView(name, focus = true) {
  currentView = name;
  shell.switchTo(views, name);
  if (focus) $(`${name}-heading`).focus();
}

function me() { return shell.session?.userId; }

function operatorName(id) {
  if (!id) return t('none');
  if (id === me()) return t('you', shell.session.displayName);
  return names.get(id) || id;
}

function operatorNode(id, at) {
  if (!id) return el('span', { text: t('none') });
  return el('span', { class: id === me() ? 'me' : undefined, 'data-operator': id }, t('at', operatorName(id), when(at)));
}

function remember(ref) { if (ref?.id && ref.displayName) names.set(ref.id, ref.displayName); }

function fullName(a) {
  return a.familyName ? `${a.familyName} ${a.givenName}` : t('none');
}

async function sha256Hex(file) {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, '0')).join('');
}

// ---- Field validation (mirrors ApplicantRules on the server; the server decides) ----

const kanaPattern = /^[\u3041-\u3096\u30A1-\u30FA\u30FC\u30FB\u309D\u309E\u30FD\u30FE\uFF66-\uFF9F \u3000]+$/;
const romajiPattern = /^[A-Za-z][A-Za-z .'-]{0,63}$/;
const postalPattern = /^[0-9]{3}-[0-9]{4}$/;
const phonePattern = /^[0-9+()\- ]{1,20}$/;
const emailPattern = /^[^@\s\p{Cc}]{1,64}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/u;
const licensePattern = /^[0-9A-Za-z-]{1,20}$/;
const documentNumberPattern = /^[0-9A-Za-z][0-9A-Za-z -]{0,39}$/;
const hexPattern = /^[0-9A-Fa-f]{64}$/;
const controlPattern = /[\u0000-\u001F\u007F-\u009F]/;

function todayUtc() { return new Date().toISOString().slice(0, 10); }

function addYears(iso, years) { return `${String(Number(iso.slice(0, 4)) + years).padStart(4, '0')}${iso.slice(4)}`; }

function checkText(errors, field, value, max, required = true) {
  if (!value) { if (required) errors[field] = t('required'); return; }
  if (value.length > max || controlPattern.test(value)) errors[field] = t('tooLong', max);
}

function checkPattern(errors, field, value, pattern, message, required = true) {
  if (!value) { if (required) errors[field] = t('required'); return; }
  if (!pattern.test(value)) errors[field] = t(message);
}

function validateApplication(b) {
  const errors = {};
  const today = todayUtc();
  checkText(errors, 'familyName', b.familyName, 50);
  checkText(errors, 'givenName', b.givenName, 50);
  for (const f of ['familyNameKana', 'givenNameKana']) {
    checkText(errors, f, b[f], 50);
    if (!errors[f] && !kanaPattern.test(b[f])) errors[f] = t('kanaOnly');
  }
  for (const f of ['nameRomaji', 'facilityNameRomaji']) checkPattern(errors, f, b[f], romajiPattern, 'romajiOnly');
  if (!b.dateOfBirth) errors.dateOfBirth = t('dateFormat');
  else if (b.dateOfBirth > today || addYears(b.dateOfBirth, 18) > today || addYears(b.dateOfBirth, 121) <= today) errors.dateOfBirth = t('age');
  if (!b.sex) errors.sex = t('required');
  checkPattern(errors, 'postalCode', b.postalCode, postalPattern, 'postalFormat');
  checkText(errors, 'address', b.address, 200);
  checkPattern(errors, 'phone', b.phone, phonePattern, 'phoneFormat', false);
  checkPattern(errors, 'email', b.email, emailPattern, 'emailFormat', false);
  if (!b.phone && !b.email) errors.phone = t('contactRequired');
  checkPattern(errors, 'licenseNumber', b.licenseNumber, licensePattern, 'licenseFormat');
  if (!b.licenseRegistrationDate) errors.licenseRegistrationDate = t('dateFormat');
  else if (b.licenseRegistrationDate > today || (b.dateOfBirth && b.licenseRegistrationDate < addYears(b.dateOfBirth, 18))) {
    errors.licenseRegistrationDate = t('registrationDate');
  }
  checkText(errors, 'facilityName', b.facilityName, 64);
  return errors;
}

function validateEvidence(b) {
  const errors = {};
  checkText(errors, 'issuer', b.issuer, 100);
  checkPattern(errors, 'number', b.number, documentNumberPattern, 'docNumberFormat', false);
  if (b.expiresOn && b.expiresOn < todayUtc()) errors.expiresOn = t('expired');
  checkPattern(errors, 'scanSha256', b.scanSha256, hexPattern, 'hexFormat', false);
  return errors;
}

/** Shows field errors next to their inputs (`prefix-field`), marks them invalid, and focuses the first; returns the count. */
function showErrors(form, prefix, errors) {
  for (const node of form.querySelectorAll('.field-error[data-added]')) node.remove();
  for (const node of form.querySelectorAll('.field-error:not([data-added])')) node.textContent = '';
  for (const node of form.querySelectorAll('[aria-invalid]')) { node.removeAttribute('aria-invalid'); node.removeAttribute('aria-describedby'); }
  let first = null;
  let count = 0;
  for (const [field, message] of Object.entries(errors)) {
    const input = $(`${prefix}-${field}`);
    count++;
    if (!input) continue;
    const note = el('span', { class: 'field-error', 'data-added': true, id: `${prefix}-${field}-error`, text: Array.isArray(message) ? message.join(' ') : message });
    input.after(note);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', note.id);
    first ??= input;
  }
  if (count) {
    show(t('invalid', count), true);
    first?.focus();
  }
  return count;
}

function serverErrors(form, prefix, error) {
  if (error.status === 400 && error.problem?.errors) {
    showErrors(form, prefix, error.problem.errors);
    show(`${t('invalid', Object.keys(error.problem.errors).length)} (${error.message})`, true);
    return true;
  }
  return false;
}

const value = id => $(id).value.trim();
const orNull = v => (v === '' ? null : v);

// ---- List ----

const listLoads = loadOrder();

async function loadList(append = false) {
  const isNewest = listLoads();
  const params = new URLSearchParams({ limit: '50' });
  if ($('filter-status').value) params.set('status', $('filter-status').value);
  if (value('filter-q')) params.set('q', value('filter-q'));
  if (append && nextCursor) params.set('cursor', nextCursor);
  const page = await call('GET', `/v1/proofing/applications?${params}`);
  if (!isNewest()) return;
  const rows = $('app-rows');
  if (!append) rows.replaceChildren();
  for (const a of page.items) {
    remember(a.recordedBy); remember(a.verifiedBy); remember(a.decidedBy);
    const operators = el('td', {}, operatorName(a.recordedBy?.id), ' / ', operatorName(a.verifiedBy?.id), ' / ', operatorName(a.decidedBy?.id));
    rows.append(el('tr', { 'data-application-row': a.id },
      el('td', { text: when(a.recordedAt) }),
      el('td', {}, fullName(a), el('br'), el('span', { class: 'small', text: a.familyNameKana ? `${a.familyNameKana} ${a.givenNameKana}` : '' })),
      el('td', { text: t(`pr.${a.profession}`) }), el('td', { text: a.licenseNumber ?? t('none') }),
      el('td', { text: t(`st.${a.status}`) }), el('td', { text: a.achievedIal ?? t('none') }), operators,
      el('td', {}, el('button', { type: 'button', text: t('open'), 'data-open': a.id, 'aria-label': `${t('open')}: ${fullName(a)}`, onclick: guard(() => openDetail(a.id)) }))));
  }
  nextCursor = page.nextCursor;
  $('more').hidden = !nextCursor;
  $('list-empty').hidden = rows.children.length > 0;
}

// ---- Detail ----

function fact(grid, label, content) {
  grid.append(el('dt', { text: label }), el('dd', {}, content === null || content === undefined || content === '' ? t('none') : content));
}

function requirementsOf(a) {
  if (a.profile === 'nist-800-63a-4-ial3') return ['evidence-strength', 'attended-session', 'biometric-with-consent', 'postal-notification'];
  if (a.route === 'online-my-number-card') return ['jpki-signature'];
  return a.route === 'mail' ? ['photo-id-or-two-ids', 'resident-record', 'seal-registration-certificate'] : ['photo-id-or-two-ids', 'resident-record'];
}

function renderChecks(a) {
  const list = $('checks');
  list.replaceChildren();
  const done = a.achievedIal !== null && a.achievedIal !== undefined;
  for (const r of requirementsOf(a)) {
    const state = done ? 'ok' : lastUnmet ? (lastUnmet.includes(r) ? 'bad' : 'ok') : 'pending';
    list.append(el('li', { class: state, 'data-requirement': r, 'data-result': state }, requirementTexts[shell.lang][r] ?? r));
  }
  $('ial-result').textContent = done ? t('achieved', a.achievedIal) : t('notVerified');
}

function render(a) {
  current = a;
  const grid = $('detail-facts');
  grid.replaceChildren();
  fact(grid, t('status'), el('strong', { id: 'detail-status', 'data-status': a.status, text: t(`st.${a.status}`) }));
  fact(grid, t('profile'), t(`pf.${a.profile}`));
  fact(grid, t('route'), t(`rt.${a.route}`));
  fact(grid, t('name'), fullName(a));
  fact(grid, t('nameKana'), a.familyNameKana ? `${a.familyNameKana} ${a.givenNameKana}` : null);
  fact(grid, t('nameRomaji'), a.nameRomaji);
  fact(grid, t('dateOfBirth'), a.dateOfBirth);
  fact(grid, t('sex'), a.sex ? t(`sx.${a.sex}`) : null);
  fact(grid, t('postal'), a.postalCode ? `〒${a.postalCode} ${a.address ?? ''}` : a.address);
  fact(grid, t('phone'), a.phone);
  fact(grid, t('email'), a.email);
  fact(grid, t('profession'), t(`pr.${a.profession}`));
  fact(grid, t('licenseNumber'), a.licenseNumber);
  fact(grid, t('licenseRegistrationDate'), a.licenseRegistrationDate);
  fact(grid, t('licenseCheck'), a.licenseCheck === 'matched' ? t('checkMatched', when(a.licenseCheckedAt)) : a.licenseCheck);
  fact(grid, t('facilityName'), a.facilityName ? `${a.facilityName}（${a.facilityNameRomaji ?? ''}）` : null);
  fact(grid, t('ial'), a.achievedIal);
  if (a.subjectUserId) fact(grid, t('signerId'), el('span', { class: 'mono', text: a.subjectUserId }));

  const dual = $('dual-control');
  dual.replaceChildren(
    el('dt', { text: t('recordedBy') }), el('dd', { id: 'recorded-by' }, operatorNode(a.createdBy, a.createdAt)),
    el('dt', { text: t('verifiedBy') }), el('dd', { id: 'verified-by' }, operatorNode(a.verifiedBy, a.verifiedAt)),
    el('dt', { text: t('decidedBy') }), el('dd', { id: 'decided-by' }, operatorNode(a.decidedBy, a.decidedAt)));

  const rows = $('evidence-rows');
  rows.replaceChildren(...a.evidence.map(e => el('tr', { 'data-evidence': e.id },
    el('td', { text: t(`ek.${e.kind}`) }), el('td', { text: t(`es.${e.strength}`) }), el('td', { text: e.issuer }),
    el('td', { class: 'mono', 'data-masked': '', text: e.numberMasked ?? t('none') }), el('td', { text: e.expiresOn ?? t('none') }),
    el('td', { text: t(`vm.${e.validationMethod}`) }), el('td', {}, operatorNode(e.validatedBy, e.validatedAt)))));
  const open = a.status === 'recorded';
  $('evidence-form').hidden = !open;
  $('verify-form').hidden = !open;
  $('jpki-section').hidden = !(open && a.route === 'online-my-number-card');
  $('verify-profile').textContent = t('profileIs', t(`pf.${a.profile}`));
  renderChecks(a);

  $('approve-section').hidden = a.status !== 'verified';
  const ownVerification = a.verifiedBy === me();
  $('approve').disabled = ownVerification;
  $('approve-reason').textContent = ownVerification ? t('notYou') : t('dualRule');
  $('approve-reason').classList.toggle('reason', ownVerification);

  $('attest-section').hidden = !(a.status === 'approved' && a.profile === 'nist-800-63a-4-ial3');
  $('reject-section').hidden = !(a.status === 'recorded' || a.status === 'verified');
  $('signer-section').hidden = !(a.subjectUserId && (a.status === 'approved' || a.status === 'enrolled'));
}

async function openDetail(id) {
  lastUnmet = null;
  $('attested').textContent = '';
  $('signer-state').textContent = '';
  $('j-signingInput').value = '';
  for (const form of ['evidence-form', 'jpki-form', 'verify-form', 'attest-form', 'reject-form', 'suspend-form']) showErrors($(form), 'x', {});
  render(await call('GET', `/v1/proofing/applications/${id}`));
  switchView('detail');
}

async function refresh() { render(await call('GET', `/v1/proofing/applications/${current.id}`)); }

// ---- Actions ----

async function recordApplication() {
  const form = $('new-form');
  const body = {};
  for (const input of form.querySelectorAll('[name]')) body[input.name] = input.value.trim();
  if (showErrors(form, 'a', validateApplication(body))) return;
  for (const k of ['phone', 'email']) body[k] = orNull(body[k]);
  try {
    const created = await send('POST', '/v1/proofing/applications', body);
    form.reset();
    await openDetail(created.id);
    show(t('recorded'));
  } catch (error) {
    if (!serverErrors(form, 'a', error)) throw error;
  }
}

async function addEvidence() {
  const form = $('evidence-form');
  const body = {
    kind: $('e-kind').value, strength: $('e-strength').value, issuer: value('e-issuer'), number: orNull(value('e-number')),
    expiresOn: orNull($('e-expiresOn').value), scanSha256: orNull(value('e-scanSha256').toLowerCase()), validationMethod: $('e-validationMethod').value,
  };
  if (showErrors(form, 'e', validateEvidence(body))) return;
  try {
    await send('POST', `/v1/proofing/applications/${current.id}/evidence`, body);
  } catch (error) {
    if (!serverErrors(form, 'e', error)) throw error;
    return;
  } finally {
    // Note: the full document number never stays on the page; the list above shows the masked form the server keeps.
    $('e-number').value = '';
  }
  form.reset();
  showErrors(form, 'e', {});
  await refresh();
  show(t('evidenceAdded'));
}

async function showSigningInput() {
  const input = await call('GET', `/v1/proofing/applications/${current.id}/signing-input`);
  $('j-signingInput').value = input.signingInput;
  $('j-signingInput').focus();
}

async function addJpkiSignature() {
  const form = $('jpki-form');
  const cms = $('j-cms').value.replace(/\s+/g, '');
  if (showErrors(form, 'j', !cms || cms.length > 44000 || !/^[A-Za-z0-9+/]+={0,2}$/.test(cms) ? { cms: t('base64Format') } : {})) return;
  try {
    await send('POST', `/v1/proofing/applications/${current.id}/jpki-signature`, { cms });
  } catch (error) {
    if (error.status === 400) { showErrors(form, 'j', { cms: error.message }); show(t('failed', error.message), true); return; }
    throw error;
  }
  $('j-cms').value = '';
  await refresh();
  show(t('jpkiAdded'));
}

async function verifyApplication() {
  const form = $('verify-form');
  const sha = value('v-biometricReferenceSha256').toLowerCase();
  const errors = {};
  checkPattern(errors, 'biometricReferenceSha256', sha, hexPattern, 'hexFormat', false);
  if (sha && !$('v-biometricConsent').checked) errors.biometricReferenceSha256 = t('consentNeeded');
  if (showErrors(form, 'v', errors)) return;
  try {
    const a = await send('POST', `/v1/proofing/applications/${current.id}/verification`, {
      biometricConsent: $('v-biometricConsent').checked, biometricReferenceSha256: orNull(sha), postalNotificationSent: $('v-postalNotificationSent').checked,
    });
    lastUnmet = null;
    render(a);
    show(t('verified', a.achievedIal));
  } catch (error) {
    if (error.problem?.errors?.requirements) {
      lastUnmet = error.problem.errors.requirements;
      renderChecks(current);
      show(`${t('unmet')} (${error.message})`, true);
      $('verify-heading').scrollIntoView();
      return;
    }
    if (!serverErrors(form, 'v', error)) throw error;
  }
}

async function approve() {
  try {
    const approval = await send('POST', `/v1/proofing/applications/${current.id}/approval`);
    names.set(me(), shell.session.displayName);
    await refresh();
    showLetter(approval);
  } catch (error) {
    if (error.status === 401) throw error;
    $('approve-reason').textContent = t('refusedApproval', error.message);
    $('approve-reason').classList.add('reason');
    show(t('refusedApproval', error.message), true);
  }
}

function showLetter(approval) {
  $('letter-name').textContent = `${fullName(current)} 様`;
  $('letter-url').textContent = `${location.origin}/enroll.html`;
  $('letter-enrollment-id').textContent = approval.enrollmentId;
  $('letter-code').textContent = approval.enrollmentCode;
  $('letter-expires').textContent = new Date(approval.expiresAt).toLocaleString('ja-JP', { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  switchView('letter');
  show(t('approved'));
}

function leaveLetter() {
  // Note: the code is not kept anywhere once the letter is closed; it cannot be shown again.
  $('letter-code').textContent = '';
  $('letter-enrollment-id').textContent = '';
  switchView('detail');
}

async function attest() {
  const form = $('attest-form');
  const method = $('b-method').value;
  const sample = value('b-biometricSampleSha256').toLowerCase();
  const errors = {};
  checkPattern(errors, 'biometricSampleSha256', sample, hexPattern, 'hexFormat', false);
  if (method === 'biometric-rematch' && !sample) errors.biometricSampleSha256 = t('sampleRequired');
  if (showErrors(form, 'b', errors)) return;
  try {
    await send('POST', `/v1/proofing/applications/${current.id}/binding-attestation`, { method, biometricSampleSha256: orNull(sample) });
  } catch (error) {
    if (!serverErrors(form, 'b', error)) throw error;
    return;
  }
  await refresh();
  const message = t('attested', t(`am.${method}`), when(new Date().toISOString()));
  $('attested').textContent = message;
  show(message);
}

function reasonOf(input, note) {
  const reason = value(input);
  const error = !reason ? t('required') : reason.length > 500 || controlPattern.test(reason) ? t('tooLong', 500) : '';
  $(note).textContent = error;
  if (error) { $(input).setAttribute('aria-invalid', 'true'); $(input).setAttribute('aria-describedby', note); $(input).focus(); show(error, true); return null; }
  $(input).removeAttribute('aria-invalid');
  return reason;
}

async function reject() {
  const reason = reasonOf('reject-reason', 'reject-error');
  if (!reason) return;
  render(await call('POST', `/v1/proofing/applications/${current.id}/rejection`, { body: { reason } }));
  $('reject-reason').value = '';
  show(t('rejected'));
}

async function suspend() {
  const reason = reasonOf('suspend-reason', 'suspend-error');
  if (!reason) return;
  const result = await call('POST', `/v1/proofing/signers/${current.subjectUserId}/suspension`, { body: { reason } });
  $('suspend-reason').value = '';
  $('signer-state').textContent = t('suspended', result.status);
  show(t('suspended', result.status));
}

async function reinstate() {
  const result = await call('POST', `/v1/proofing/signers/${current.subjectUserId}/reinstatement`);
  $('signer-state').textContent = t('reinstated', result.status);
  show(t('reinstated', result.status));
}

function hashInto(fileInput, target) {
  $(fileInput).addEventListener('change', guard(async () => {
    const file = $(fileInput).files[0];
    if (!file) return;
    $(target).value = await sha256Hex(file);
    show(t('hashing'));
  }));
}

async function start() {
  shell.onLanguage = () => {
    if (currentView === 'detail' && current) render(current);
    if (currentView === 'list' && shell.session) loadList().catch(() => {});
  };
  if (!await shell.start('ra-operator')) {
    // Note: a signed-in user without the role sees the message only; no view (and no data) is shown.
    for (const v of views) $(`view-${v}`).hidden = true;
    for (const b of document.querySelectorAll('[data-view]')) b.disabled = true;
    return;
  }
  names.set(me(), shell.session.displayName);
  for (const b of document.querySelectorAll('[data-view]')) {
    b.addEventListener('click', guard(async () => {
      if (b.dataset.view === 'list') await loadList();
      switchView(b.dataset.view);
    }));
  }
  $('filters').addEventListener('submit', guard(() => loadList()));
  $('more').addEventListener('click', guard(() => loadList(true)));
  $('new-form').addEventListener('submit', guard(recordApplication));
  $('evidence-form').addEventListener('submit', guard(addEvidence));
  $('verify-form').addEventListener('submit', guard(verifyApplication));
  $('jpki-input').addEventListener('click', guard(showSigningInput));
  $('jpki-form').addEventListener('submit', guard(addJpkiSignature));
  $('approve').addEventListener('click', guard(approve));
  $('attest-form').addEventListener('submit', guard(attest));
  $('reject-form').addEventListener('submit', guard(reject));
  $('suspend-form').addEventListener('submit', guard(suspend));
  $('reinstate').addEventListener('click', guard(reinstate));
  $('detail-back').addEventListener('click', guard(async () => { await loadList(); switchView('list'); }));
  $('print').addEventListener('click', () => window.print());
  $('letter-done').addEventListener('click', leaveLetter);
  hashInto('e-scanFile', 'e-scanSha256');
  hashInto('v-biometricFile', 'v-biometricReferenceSha256');
  await loadList();
  switchView('list', false);
}

start().catch(error => show(t('failed', shell.describe(error)), true));
