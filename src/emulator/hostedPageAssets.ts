/** The hosted inquiry page's stylesheet and script, served same-origin so the page CSP needs no inline code. */
import { pageMessageTag } from './widget/protocol.ts';

/** Served at `{basePath}/relay/inquiry.css`. */
export const inquiryCss = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
:root[data-theme="light"] { color-scheme: light; }
:root[data-theme="dark"] { color-scheme: dark; }
body { margin: 0; padding: 1.5rem; max-width: 32rem; }
h1 { font-size: 1.25rem; margin: 0 0 1rem; }
fieldset { border: 1px solid #8888; border-radius: 0.5rem; margin: 0 0 1rem; padding: 0.75rem 1rem; }
legend { font-weight: 600; padding: 0 0.25rem; }
label { display: block; margin: 0.25rem 0; }
select, button { font: inherit; padding: 0.5rem 0.75rem; border-radius: 0.375rem; }
button { border: 1px solid #4448; cursor: pointer; }
button[type="submit"] { background: #1a56db; color: #fff; border-color: #1a56db; }
.actions { display: flex; gap: 0.75rem; }
[role="alert"] { border-left: 4px solid #c81e1e; padding-left: 0.75rem; }
:focus-visible { outline: 3px solid #1a56db; outline-offset: 2px; }
`;

/**
 * Served at `{basePath}/relay/inquiry.js`; posts widget/protocol.ts messages to the parent (EmulatorRelay),
 * and only to the origin the server vouched for.
 */
export const inquiryJs = `
(() => {
  const data = document.body.dataset;
  const origin = data.origin || '';
  const post = (event, extra) => {
    if (origin && window.parent !== window) window.parent.postMessage({ tag: ${JSON.stringify(pageMessageTag)}, event, ...extra }, origin);
  };
  const show = (id) => {
    for (const section of document.querySelectorAll('[data-screen]')) section.hidden = section.id !== id;
    const heading = document.querySelector('#' + id + ' h1');
    if (heading) heading.focus();
  };
  if (data.event) post(data.event, data.errorCode ? { code: data.errorCode } : {});
  const form = document.getElementById('inquiry-form');
  if (!form) return;
  const send = async (body) => {
    const response = await fetch(data.decisionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, token: data.token }),
      credentials: 'omit',
    });
    const answer = await response.json().catch(() => ({}));
    return { ok: response.ok, answer };
  };
  const fail = (answer) => {
    const expired = answer && answer.reason === 'expired';
    show(expired ? 'expired-screen' : 'error-screen');
    if (expired) post('expire');
    // For the developer's onError, not for the person: English whatever the page's language.
    else post('error', { code: 'decision-failed', message: 'The inquiry could not be recorded.' });
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    const { ok, answer } = await send({ action: 'complete', outcome: fields.get('outcome'), method: fields.get('method') }).catch(() => ({ ok: false }));
    if (!ok) return fail(answer);
    const done = document.getElementById('done-status');
    if (done) done.textContent = (answer.status === 'completed' ? done.dataset.passed : done.dataset.failed) || done.textContent;
    show('done-screen');
    post('complete');
  });
})();
`;
