import { PRIVACY_PASS_TOKEN_TYPE } from '../privacy-pass/index.ts';
self.postMessage(PRIVACY_PASS_TOKEN_TYPE);
