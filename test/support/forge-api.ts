import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local forge answering what Octokit (GitHub) and gitea-js (Gitea, Forgejo) send for pull
 * requests. GitHub: `POST /repos/{owner}/{repo}/pulls`, and `GET …/pulls?state=all&head=owner:branch`
 * to list them; Gitea: the same under `/api/v1`, and `GET …/pulls/{base}/{head…}` to look one up
 * (the head keeps its slashes, as Gitea's `pulls/{base}/*` route takes it). `prefix` puts GitHub's
 * API under a path, as a GitHub Enterprise Server serves it under `/api/v3`.
 *
 * Both forges take `Authorization: token …` and `Bearer …` (Octokit sends the first, gitea-js the
 * second): anything else is 401. A head branch missing from the bare repository (`branchExists`)
 * is 422 (GitHub) or 404 (Gitea); a second pull request from the same head is refused as the
 * forges do (GitHub 422, Gitea 409); otherwise 201 with `number` and `html_url`. `refuse` makes it
 * answer 403, as a forge does to a token without rights.
 */
export type ForgeRequest = { path: string; authorization: string | undefined; body: unknown };

export type ForgeApi = {
  url: string;
  requests: ForgeRequest[];
  refuse: boolean;
  close(): Promise<void>;
};

type ForgeType = 'github' | 'gitea';
type Pull = {
  number: number;
  html_url: string;
  state: 'open';
  head: { ref: string };
  base: { ref: string };
  title: string;
};
type Forge = {
  type: ForgeType;
  prefix: string;
  token: string;
  branchExists: (branch: string) => Promise<boolean>;
  state: { refuse: boolean; next: number };
  opened: Map<string, Pull>;
};

export async function startForgeApi(options: {
  type: ForgeType;
  token: string;
  branchExists: (branch: string) => Promise<boolean>;
  /** Where GitHub's API is served: '' as api.github.com does, '/api/v3' as an Enterprise Server. */
  prefix?: string;
}): Promise<ForgeApi> {
  const requests: ForgeRequest[] = [];
  const forge: Forge = {
    ...options,
    prefix: options.type === 'gitea' ? '/api/v1' : (options.prefix ?? ''),
    state: { refuse: false, next: 1 },
    opened: new Map(),
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      const path = req.url ?? '';
      requests.push({ path, authorization: req.headers.authorization, body });
      const url = new URL(path, 'http://forge');
      if (!authorised(req.headers.authorization, forge.token))
        return send(res, 401, { message: 'Bad credentials' });
      if (req.method === 'GET') return lookUp(forge, url, res);
      if (req.method === 'POST') return open(forge, url.pathname, body, res);
      send(res, 404, { message: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${forge.type === 'github' ? forge.prefix : ''}`,
    requests,
    get refuse() {
      return forge.state.refuse;
    },
    set refuse(value: boolean) {
      forge.state.refuse = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Both forges read `token …` and `Bearer …` alike, the scheme in any case. */
function authorised(header: string | undefined, token: string): boolean {
  const match = /^(token|bearer) (.+)$/i.exec(header ?? '');
  return match?.[2] === token;
}

async function open(forge: Forge, path: string, body: unknown, res: ServerResponse) {
  const match = new RegExp(`^${forge.prefix}/repos/([^/]+)/([^/]+)/pulls$`).exec(path);
  if (match === null) return send(res, 404, { message: 'Not Found' });
  if (forge.state.refuse)
    return send(res, 403, { message: 'Resource not accessible by personal access token' });
  const { head, base, title } = (body ?? {}) as Record<string, unknown>;
  if (typeof head !== 'string' || typeof base !== 'string' || typeof title !== 'string')
    return send(res, 422, {
      message: 'Validation Failed',
      errors: [{ message: 'head, base and title are required' }],
    });
  const github = forge.type === 'github';
  if (!(await forge.branchExists(head)))
    return github
      ? send(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
        })
      : send(res, 404, { message: 'GetBranchCommitID: object does not exist' });
  if (forge.opened.has(head))
    return github
      ? send(res, 422, {
          message: 'Validation Failed',
          errors: [{ message: `A pull request already exists for ${match[1]}:${head}.` }],
        })
      : send(res, 409, { message: 'pull request already exists for these targets' });
  const number = forge.state.next++;
  // GitHub's page is …/pull/N, Gitea's …/pulls/N.
  const page = github
    ? `https://github.example/${match[1]}/${match[2]}/pull`
    : `https://gitea.example/${match[1]}/${match[2]}/pulls`;
  const pull: Pull = {
    number,
    html_url: `${page}/${number}`,
    state: 'open',
    head: { ref: head },
    base: { ref: base },
    title,
  };
  forge.opened.set(head, pull);
  send(res, 201, pull);
}

function lookUp(forge: Forge, url: URL, res: ServerResponse) {
  if (forge.type === 'github') {
    if (!new RegExp(`^${forge.prefix}/repos/[^/]+/[^/]+/pulls$`).test(url.pathname))
      return send(res, 404, { message: 'Not Found' });
    const head = url.searchParams.get('head')?.split(':')[1] ?? '';
    const base = url.searchParams.get('base');
    const pull = forge.opened.get(head);
    return send(
      res,
      200,
      pull === undefined || (base !== null && pull.base.ref !== base) ? [] : [pull],
    );
  }
  const found = /^\/api\/v1\/repos\/[^/]+\/[^/]+\/pulls\/([^/]+)\/(.+)$/.exec(url.pathname);
  const segments = (text: string) => text.split('/').map(decodeURIComponent).join('/');
  const pull = found === null ? undefined : forge.opened.get(segments(found[2] ?? ''));
  return pull === undefined || pull.base.ref !== decodeURIComponent(found?.[1] ?? '')
    ? send(res, 404, { message: 'pull request does not exist' })
    : send(res, 200, pull);
}

function send(res: ServerResponse, status: number, payload: unknown) {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify(payload));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
