import { TOKEN_TYPE_BLIND_RSA } from '../privacy-pass/index.ts';
self.postMessage(TOKEN_TYPE_BLIND_RSA);
