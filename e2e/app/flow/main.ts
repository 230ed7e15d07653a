import { mountFlowPage } from './relayFlowPage.ts';

(window as unknown as { relay: unknown }).relay = mountFlowPage(document.getElementById('root')!);
