import type * as Http from 'node:http';
import { createRequire } from 'node:module';

// `node:http` through `require`, not `import`: an ES import of a built-in module reads every
// export to build its namespace, and `node:http`'s lazy `WebSocket`, `MessageEvent` and
// `CloseEvent` then load Node's bundled undici, about 12 MiB resident that the HTTP server never
// uses (nodejs/node#59686). Types still come from `node:http`.
export const { createServer } = createRequire(import.meta.url)('node:http') as typeof Http;
