export { PRIVACY_PASS_TOKEN_TYPE } from '../privacy-pass/index.ts';
