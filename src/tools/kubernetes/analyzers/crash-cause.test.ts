import { describe, expect, it } from 'vitest';
import { addressIn, classifyLog } from './crash-cause.ts';

describe('classifyLog', () => {
  it.each([
    [
      'Go',
      'dial tcp 10.96.14.3:5432: connect: connection refused',
      'it cannot connect to 10.96.14.3:5432: connection refused',
    ],
    [
      'Node',
      'Error: connect ECONNREFUSED 127.0.0.1:6379',
      'it cannot connect to 127.0.0.1:6379: connection refused',
    ],
    [
      'psycopg2',
      'psycopg2.OperationalError: connection to server at "orders-db" (10.0.0.5), port 5432 failed: Connection refused',
      'it cannot connect to orders-db:5432: connection refused',
    ],
  ])('names the address a %s connection is refused on', (_runtime, line, cause) => {
    const found = classifyLog(['2026-12-07T10:00:00Z starting', line]);

    expect(found?.kind).toBe('connection-refused');
    expect(found?.cause).toContain(cause);
    expect(found?.lines).toEqual([line]);
  });

  it('names the address a connection times out to', () => {
    const found = classifyLog([
      '2026-12-07T10:00:01Z WARN  session store: dial tcp gateway-sessions.gateway.svc:6379: i/o timeout',
    ]);

    expect(found?.kind).toBe('timeout');
    expect(found?.cause).toContain('gateway-sessions.gateway.svc:6379');
  });

  it.each([
    [
      'dial tcp: lookup orders-db.orders.svc.cluster.local on 10.96.0.10:53: no such host',
      'orders-db.orders.svc.cluster.local',
    ],
    ['Error: getaddrinfo ENOTFOUND redis-master', 'redis-master'],
    ['java.net.UnknownHostException: kafka-0.kafka', 'kafka-0.kafka'],
    ['could not translate host name "pg" to address: Name or service not known', 'pg'],
  ])('names the host that does not resolve: %s', (line, host) => {
    const found = classifyLog([line]);

    expect(found?.kind).toBe('dns');
    expect(found?.cause).toBe(`the host name ${host} does not resolve (DNS lookup fails)`);
  });

  it.each([
    ['FATAL:  password authentication failed for user "orders"', 'orders'],
    ["ERROR 1045 (28000): Access denied for user 'app'@'10.244.1.7' (using password: YES)", 'app'],
  ])('sees a refused login and its user: %s', (line, user) => {
    const found = classifyLog([line]);

    expect(found?.kind).toBe('auth');
    expect(found?.cause).toContain(`(user ${user})`);
  });

  it('sees a 401 from an upstream as an authentication failure', () => {
    expect(classifyLog(['fetching rates: upstream answered 401 Unauthorized'])?.kind).toBe('auth');
  });

  it.each([
    ["KeyError: 'DATABASE_URL'", 'DATABASE_URL'],
    ['Error: environment variable STRIPE_KEY is not set', 'STRIPE_KEY'],
    [
      'level=error msg="config: ORDERS_DB_URL is required (renamed from DATABASE_URL in 1.5.0)"',
      'ORDERS_DB_URL',
    ],
    ['fatal: missing required environment variable "SMTP_HOST"', 'SMTP_HOST'],
  ])('names a missing environment variable: %s', (line, name) => {
    const found = classifyLog([line]);

    expect(found?.kind).toBe('missing-env');
    expect(found?.cause).toContain(name);
  });

  it('does not take a line that merely speaks of the environment for a missing variable', () => {
    expect(classifyLog(['INFO loading environment variables from /etc/app/env'])).toBeUndefined();
  });

  it.each([
    [
      "Error: ENOENT: no such file or directory, open '/etc/app/config.yaml'",
      '/etc/app/config.yaml',
    ],
    ['open /etc/app/config.yaml: no such file or directory', '/etc/app/config.yaml'],
    ["FileNotFoundError: [Errno 2] No such file or directory: '/certs/tls.crt'", '/certs/tls.crt'],
  ])('names a missing file: %s', (line, path) => {
    const found = classifyLog([line]);

    expect(found?.kind).toBe('missing-file');
    expect(found?.cause).toContain(`the file ${path} it needs does not exist`);
  });

  it('tells an entrypoint that cannot run from a missing data file', () => {
    const found = classifyLog(['exec /usr/local/bin/server: no such file or directory']);

    expect(found?.kind).toBe('missing-file');
    expect(found?.cause).toContain('its command /usr/local/bin/server cannot be run');
  });

  it('names the path it is denied', () => {
    const found = classifyLog(['open /data/cache/index.db: permission denied']);

    expect(found?.kind).toBe('permission-denied');
    expect(found?.cause).toContain('/data/cache/index.db');
  });

  it.each([
    ['Error: listen EADDRINUSE: address already in use :::8080', '8080'],
    ['listen tcp :9090: bind: address already in use', '9090'],
  ])('names the port already in use: %s', (line, port) => {
    const found = classifyLog([line]);

    expect(found?.kind).toBe('port-in-use');
    expect(found?.cause).toContain(`port ${port} is already in use`);
  });

  it('sees a binary for another architecture', () => {
    expect(classifyLog(['exec /app/server: exec format error'])?.kind).toBe('wrong-architecture');
  });

  it('gives a Go panic with the first file and line of its goroutine', () => {
    const found = classifyLog([
      'panic: runtime error: invalid memory address or nil pointer dereference',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6f1d2a]',
      'goroutine 1 [running]:',
      'main.(*Server).Start(0x0)',
      '\t/src/cmd/server/main.go:87 +0x2a',
      'main.main()',
      '\t/src/cmd/server/main.go:23 +0x1d',
    ]);

    expect(found?.kind).toBe('panic');
    expect(found?.cause).toBe(
      'it panics: panic: runtime error: invalid memory address or nil pointer dereference at /src/cmd/server/main.go:87 +0x2a',
    );
  });

  it("gives a Python traceback's last line and innermost frame", () => {
    const found = classifyLog([
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 40, in <module>',
      '    main()',
      '  File "/app/settings.py", line 12, in load',
      '    workers = int(raw)',
      "ValueError: invalid literal for int() with base 10: 'four'",
    ]);

    expect(found?.kind).toBe('exception');
    expect(found?.lines).toEqual([
      "ValueError: invalid literal for int() with base 10: 'four'",
      '  File "/app/settings.py", line 12, in load',
    ]);
  });

  it('gives a Java exception and its first frame', () => {
    const found = classifyLog([
      'Exception in thread "main" java.lang.IllegalStateException: No route configured',
      '\tat com.acme.Router.start(Router.java:42)',
      '\tat com.acme.Main.main(Main.java:10)',
    ]);

    expect(found?.cause).toBe(
      'it throws an uncaught exception: Exception in thread "main" java.lang.IllegalStateException: No route configured at com.acme.Router.start(Router.java:42)',
    );
  });

  it('gives a Node error and its first frame', () => {
    const found = classifyLog([
      '/app/server.js:12',
      '  const port = config.http.port;',
      "TypeError: Cannot read properties of undefined (reading 'port')",
      '    at Object.<anonymous> (/app/server.js:12:27)',
      '    at Module._compile (node:internal/modules/cjs/loader:1554:14)',
    ]);

    expect(found?.kind).toBe('exception');
    expect(found?.lines[1]).toBe('    at Object.<anonymous> (/app/server.js:12:27)');
  });

  it('prefers a specific cause to the panic it ends in', () => {
    const found = classifyLog([
      'level=info msg="orders-api 1.5.0 starting"',
      'level=error msg="config: ORDERS_DB_URL is required (renamed from DATABASE_URL in 1.5.0)"',
      'panic: invalid configuration',
    ]);

    expect(found?.kind).toBe('missing-env');
    expect(found?.cause).toBe('the environment variable ORDERS_DB_URL it needs is not set');
  });

  it('takes the last line of a kind when several show it', () => {
    const found = classifyLog([
      'dial tcp 10.0.0.1:5432: connect: connection refused',
      'retrying',
      'dial tcp 10.0.0.2:5432: connect: connection refused',
    ]);

    expect(found?.cause).toContain('10.0.0.2:5432');
  });

  it('takes the last specific line when the program met several failures', () => {
    const found = classifyLog([
      'WARN cache login failed: NOAUTH Authentication required, going on without a cache',
      'INFO connecting to postgres',
      'FATAL dial tcp 10.0.0.1:5432: connect: connection refused',
      'INFO shutting down',
    ]);

    expect(found?.kind).toBe('connection-refused');
  });

  it('names an address the failing line leaves out from the lines around it', () => {
    const found = classifyLog([
      '[ioredis] Unhandled error event: Error: connect ETIMEDOUT',
      '    at Socket.<anonymous> (/app/node_modules/ioredis/built/Redis.js:170:41)',
      'FATAL redis not reachable after 10000ms (10.0.3.12:6379), exiting',
    ]);

    expect(found?.kind).toBe('timeout');
    expect(found?.cause).toContain('its connection to 10.0.3.12:6379 times out');
    expect(found?.quote).toBe('[ioredis] Unhandled error event: Error: connect ETIMEDOUT');
  });

  it('reads the port of an error printed as an object over several lines', () => {
    const found = classifyLog([
      'Error: listen EADDRINUSE: address already in use :::3000',
      "  code: 'EADDRINUSE',",
      '  port: 3000',
    ]);

    expect(found?.kind).toBe('port-in-use');
    expect(found?.cause).toMatch(/^port 3000 is already in use/);
  });

  it('tells a server it cannot reach from one that refuses', () => {
    const found = classifyLog([
      'E, [2026-12-07T09:57:12.425 #1] ERROR -- : Bunny::TCPConnectionFailedForAllHosts: could not establish TCP connection to any of the configured hosts (rabbitmq.orders.svc:5672)',
    ]);

    expect(found?.kind).toBe('unreachable');
    expect(found?.cause).toContain('it cannot reach rabbitmq.orders.svc:5672');
  });

  it('takes an invalid configuration only when no line names a more specific cause', () => {
    const plugin = classifyLog([
      "[error] [config] section 'output' tried to instance a plugin name that doesn't exist: elasticsearchh",
      '[error] configuration file contains errors, aborting.',
    ]);

    expect(plugin?.kind).toBe('bad-config');
    expect(plugin?.cause).toContain("plugin name that doesn't exist: elasticsearchh");
  });

  it('tells a certificate the program does not trust, and where it dialled', () => {
    const found = classifyLog([
      '{"level":"ERROR","msg":"health check failed","err":"Get \\"https://search-es-http.search.svc:9200/_cluster/health\\": tls: failed to verify certificate: x509: certificate signed by unknown authority"}',
    ]);

    expect(found?.kind).toBe('tls');
    expect(found?.cause).toContain('search-es-http.search.svc:9200');
    expect(found?.cause).toContain('authority it does not trust');
  });

  it('tells a full filesystem and the path it could not write', () => {
    const found = classifyLog([
      'ERROR ingest::wal: failed to create segment path=/var/lib/ingest/wal/813.seg error=No space left on device (os error 28)',
      'Error: write-ahead log unavailable',
      'Caused by:',
      '    No space left on device (os error 28)',
    ]);

    expect(found?.kind).toBe('disk-full');
    expect(found?.cause).toContain('(/var/lib/ingest/wal/813.seg) is full');
  });

  it('finds nothing in lines that say nothing wrong', () => {
    expect(classifyLog(['INFO started', 'INFO GET /health 200 1ms'])).toBeUndefined();
  });

  it('reads empty, binary, huge and malformed input without throwing', () => {
    const junk = [
      '\u0000\u0001\u00ff\ufffd',
      'x'.repeat(1_000_000),
      '',
      ...([null, 7] as unknown as string[]),
    ];

    expect(classifyLog([])).toBeUndefined();
    expect(classifyLog(junk)).toBeUndefined();
    expect(classifyLog([`${'a'.repeat(500_000)} connection refused`])?.kind).toBeUndefined();
    expect(classifyLog([`dial tcp db:5432: connection refused ${'a'.repeat(500_000)}`])?.kind).toBe(
      'connection-refused',
    );
  });
});

describe('addressIn', () => {
  it('does not take a timestamp for an address', () => {
    expect(addressIn('2026-12-07T10:00:01Z connection refused')).toBeUndefined();
  });

  it('takes the host and port of a URL without its credentials', () => {
    expect(addressIn('connecting to postgres://app:pw@db.shop.svc:5432/app')).toBe(
      'db.shop.svc:5432',
    );
  });
});
