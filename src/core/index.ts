export { TOKEN_TYPE_BLIND_RSA } from '../privacy-pass/index.ts';
