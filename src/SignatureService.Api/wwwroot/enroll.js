// Signer enrollment: the enrollment id and code from the proofing letter bind a new security key (POST /v1/proofing/binding).
import { api, createCredential } from './webauthn.js';

const status = document.getElementById('status');
document.getElementById('enroll').addEventListener('submit', async event => {
  event.preventDefault();
  const enrollmentId = document.getElementById('enrollment-id').value.trim();
  const code = document.getElementById('enrollment-code').value.trim();
  try {
    const { publicKey } = await api('POST', '/v1/proofing/binding/options', { body: { enrollmentId, code } });
    const credential = await createCredential(publicKey);
    await api('POST', '/v1/proofing/binding', { body: { enrollmentId, code, nickname: 'Security key', credential } });
    status.textContent = '登録しました。ログインしてください。/ Registered. Please sign in.';
  } catch (error) {
    status.textContent = `登録できませんでした / Registration failed: ${error.message}`;
  }
});
