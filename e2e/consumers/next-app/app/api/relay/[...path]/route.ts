import { relay } from '../../../../lib/relay';

export const POST = relay;
export const GET = relay;
