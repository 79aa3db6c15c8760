// uWebSockets.js hello world: the ceiling the bidder benchmark compares against.
import uWS from 'uWebSockets.js';

const port = Number(process.argv[2] ?? '0');
uWS
  .App()
  .any('/*', (res) => {
    res.onAborted(() => undefined);
    res.onData((_chunk, isLast) => {
      if (isLast) res.cork(() => res.writeStatus('200 OK').end('hello'));
    });
  })
  .listen('127.0.0.1', port, (sock) => {
    if (!sock) process.exit(1);
    process.stdout.write(
      `listening ${String(uWS.us_socket_local_port(sock as unknown as uWS.us_socket))}\n`,
    );
  });
process.on('SIGTERM', () => process.exit(0));
