/**
 * Thrown (or rejected) by a fetch-style handler that wants the connection cut without any answer,
 * the way a flaky network does. `toNodeListener` turns it into `socket.destroy()`.
 */
export class ConnectionDrop extends Error {
  override name = 'ConnectionDrop';

  constructor() {
    super('connection dropped on purpose');
  }
}
