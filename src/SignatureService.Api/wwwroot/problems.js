// Readable texts for the problem codes the pages can meet (RFC 9457 problem+json `code`). The server's `title` is English; the
// pages are Japanese first, so the Japanese texts live here. The code itself is always shown too, for support calls.
const ja = {
  'request.validation-failed': '入力内容に誤りがあります。',
  'request.malformed-body': '送信内容を読み取れませんでした。',
  'request.payload-too-large': '送信内容が大きすぎます。',
  'request.rate-limited': '操作が多すぎます。しばらく待ってからやり直してください。',
  'dependency.database-unavailable': 'サービスを一時的に利用できません（データベース）。しばらく待ってからやり直してください。',
  'dependency.hsm-unavailable': 'サービスを一時的に利用できません（HSM）。しばらく待ってからやり直してください。',
  'identity.enrollment-invalid': '登録IDまたはワンタイムコードが正しくありません。',
  'identity.enrollment-locked': '誤ったコードが続いたため、この登録はロックされました。窓口にお問い合わせください。',
  'identity.challenge-unknown': '手続きをもう一度最初からやり直してください。',
  'identity.challenge-consumed': 'この手続きは既に使われました。もう一度やり直してください。',
  'identity.challenge-expired': '時間切れです。もう一度やり直してください。',
  'identity.credential-already-registered': 'このセキュリティキーは既に登録されています。',
  'identity.credential-not-usable': 'このセキュリティキーではログインできません。',
  'identity.last-active-credential': '有効なセキュリティキーを少なくとも1つ残す必要があります。',
  'identity.fresh-login-required': 'この操作には、セキュリティキーでの再ログインが必要です。',
  'identity.csrf-token-invalid': 'ページを再読み込みしてからやり直してください。',
  'webauthn.user-not-verified': 'セキュリティキーでの本人確認（PIN・生体認証）が行われませんでした。',
  'webauthn.user-not-present': 'セキュリティキーへのタッチが確認できませんでした。',
  'webauthn.backup-eligible': '同期されるパスキーは使えません。ハードウェアのセキュリティキーを使ってください。',
  'webauthn.unknown-aaguid': 'このセキュリティキーの機種は認められていません。',
  'webauthn.attestation-untrusted': 'このセキュリティキーの証明を確認できませんでした。',
  'webauthn.authenticator-not-hardware-bound': 'ハードウェアに鍵を保持するセキュリティキーを使ってください。',
  'webauthn.sign-count-regressed': 'セキュリティキーの複製の疑いがあるため、このキーを停止しました。窓口にお問い合わせください。',
  'webauthn.signature-invalid': 'セキュリティキーの署名を確認できませんでした。',
  'webauthn.credential-mismatch': '別のセキュリティキーが使われました。',
  'approval.batch-too-large': '一度に承認できるのは1〜100通の文書です。',
  'approval.request-unknown': '選択した依頼の中に、あなた宛てでないものがあります。',
  'approval.request-not-pending': '選択した依頼の中に、承認待ちでないものがあります。一覧を更新してください。',
  'approval.consumed': 'この承認は既に使われました。',
  'approval.expired': '承認の有効期限（5分）が切れました。もう一度選んで承認してください。',
  'approval.document-changed': '承認の準備後に文書が変更されました。内容を確認し直してください。',
  'approval.credential-not-allowed': 'このセキュリティキーではこの承認はできません。',
  'signing.signer-not-qualified': 'この種類の文書に署名する資格（hcRole）がありません。',
  'signing.signer-without-valid-certificate': '有効な署名用証明書がないため、今は署名できません。',
  'certificate.not-found': '証明書が見つかりません。',
  'certificate.already-revoked': 'この証明書は既に失効しています。',
  'certificate.already-suspended': 'この証明書は既に一時停止中です。',
  'certificate.not-on-hold': 'この証明書は一時停止中ではありません。',
  'certificate.signer-not-qualified': '署名者に確認済みの資格がありません（免許が無効の可能性があります）。',
  'license.import-invalid': '免許台帳のファイルに誤りのある行があります。何も取り込んでいません。',
  'proofing.license-unknown': 'この免許番号は、この職種の台帳にありません。',
  'proofing.license-mismatch': '台帳の記載が申請者の情報と一致しません。',
  'proofing.license-revoked': 'この免許は台帳上で取り消されています。',
  'proofing.evidence-insufficient': '本人確認書類がプロファイルの要件を満たしていません。',
  'proofing.assurance-below-minimum': '達成した保証レベルが登録に必要な水準に達していません。',
  'proofing.dual-control': 'この申請は別のRAオペレーターが判断する必要があります。',
  'proofing.application-decided': 'この申請は既に判断済みです。',
  'proofing.application-not-verified': 'この申請はまだ確認されていません。',
  'proofing.signer-already-suspended': 'この署名者は既に停止中です。',
  'proofing.signer-not-suspended': 'この署名者は停止中ではありません。',
  'proofing.jpki-signature-invalid': 'マイナンバーカードの署名を確認できませんでした。',
  'proofing.jpki-not-configured': 'JPKIのルート証明書が設定されていないため、オンライン申請は使えません。',
  'proofing.jpki-revocation-unknown': '最新のJPKI失効リストがないため確認できません。管理者に更新を依頼してください。',
  'proofing.binding-not-attested': '先にRAオペレーターによる本人とキーの結び付けの確認（対面または生体照合）が必要です。',
};

/**
 * A sentence for a failed call: the Japanese text for the code (Japanese pages), else the server's title, followed by the code
 * (e.g. "承認の有効期限（5分）が切れました。… (approval.expired)"). Falls back to the bare code.
 */
export function describeProblem(error, lang) {
  const code = error?.message ?? '';
  const text = (lang === 'ja' ? ja[code] : null) ?? error?.problem?.title;
  return text ? `${text} (${code})` : code;
}
