import { startRelayStack } from './relayStack.ts';

// Runs the emulator and the handler in a plain Node process: under jsdom the server code would meet
// jsdom's globals (Uint8Array, Request) instead of Node's. Prints its URLs, stops when stdin closes.
const stack = await startRelayStack();
process.stdout.write(`${JSON.stringify({ baseUrl: stack.baseUrl, emulatorUrl: stack.emulator.url })}\n`);
const stop = () => {
  void stack.close().then(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
