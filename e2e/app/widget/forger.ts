import { pageMessageTag } from '../../../src/emulator/widget/protocol.ts';

// Loaded into the widget's own iframe by the spec: the right window, the wrong origin. It posts what
// the emulator page posts on completion, to any origin.
window.parent.postMessage({ tag: pageMessageTag, event: 'complete' }, '*');
document.body.dataset.posted = 'true';
