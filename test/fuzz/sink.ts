import net, { type AddressInfo } from 'node:net';

export interface Sink {
  port: number;
  close(): Promise<void>;
}

/**
 * Where the socket fuzz tests point every data connection: a listener on 127.0.0.1 that takes
 * each connection, sends `data` and closes it, so that no fuzzed address reaches some other
 * program's port on this machine.
 */
export async function startSink(data = ''): Promise<Sink> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.resume();
    socket.end(data);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
