/**
 * Fixture: frames `/persona/relay` with the session token from `?token=` and records the messages the
 * hosted page posts, keeping only those from that frame and from the emulator's origin.
 */
const params = new URLSearchParams(location.search);
const emulatorBase = params.get('emulator') ?? '/persona';
const frame = document.createElement('iframe');
frame.title = 'Verification';
frame.width = '480';
frame.height = '420';
const src = new URL(`${emulatorBase}/relay`, location.href);
src.searchParams.set('relay-session-access-token', params.get('token') ?? '');
if (params.get('origin') !== 'none') src.searchParams.set('origin', params.get('origin') ?? location.origin);
frame.src = src.href;

const list = document.getElementById('messages');
const received: unknown[] = [];
(window as unknown as { relayMessages: unknown[] }).relayMessages = received;
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (event.source !== frame.contentWindow || event.origin !== src.origin) return;
  received.push(event.data);
  const item = document.createElement('li');
  item.textContent = JSON.stringify(event.data);
  list?.append(item);
});
document.getElementById('frame-slot')?.append(frame);
