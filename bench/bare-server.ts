import { createServer } from 'node:http';

// The baseline for the webhook benchmark: Node's own HTTP server reading the body and answering
// 200, with nothing else in the way.
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `listening ${typeof address === 'object' && address !== null ? address.port : ''}\n`,
  );
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
