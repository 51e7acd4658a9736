import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local forge speaking the pull-request shapes of GitHub (`POST /repos/{owner}/{repo}/pulls`,
 * `Authorization: Bearer`) and Gitea (`POST /api/v1/repos/{owner}/{repo}/pulls`,
 * `Authorization: token`): 401 for a wrong token, 422 (GitHub) or 404 (Gitea) for a head branch
 * missing from the bare repository it checks with `branchExists`, 201 with `number` and
 * `html_url` otherwise; a second pull request from the same head is refused as the forges do
 * (GitHub 422, Gitea 409). Open pull requests are listed as GitHub does (`GET pulls?head=owner:branch`)
 * and looked up as Gitea does (`GET pulls/{base}/{head}`). `refuse` makes it answer 403 as a forge
 * does to a token without rights.
 */
export type ForgeRequest = { path: string; authorization: string | undefined; body: unknown };

export type ForgeApi = {
  url: string;
  requests: ForgeRequest[];
  refuse: boolean;
  close(): Promise<void>;
};

export async function startForgeApi(options: {
  type: 'github' | 'gitea';
  token: string;
  branchExists: (branch: string) => Promise<boolean>;
}): Promise<ForgeApi> {
  const requests: ForgeRequest[] = [];
  const state = { refuse: false, next: 1 };
  const opened = new Map<
    string,
    {
      number: number;
      html_url: string;
      head: { ref: string };
      base: { ref: string };
      title: string;
    }
  >();
  const prefix = options.type === 'github' ? '' : '/api/v1';
  const expected = options.type === 'github' ? `Bearer ${options.token}` : `token ${options.token}`;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      const path = req.url ?? '';
      requests.push({ path, authorization: req.headers.authorization, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method === 'GET') {
        if (req.headers.authorization !== expected)
          return send(401, { message: 'Bad credentials' });
        return lookUp(path);
      }
      const match = new RegExp(`^${prefix}/repos/([^/]+)/([^/]+)/pulls$`).exec(path);
      if (req.method !== 'POST' || match === null) return send(404, { message: 'Not Found' });
      if (req.headers.authorization !== expected) return send(401, { message: 'Bad credentials' });
      if (state.refuse)
        return send(403, { message: 'Resource not accessible by personal access token' });
      const { head, base, title } = (body ?? {}) as Record<string, unknown>;
      if (typeof head !== 'string' || typeof base !== 'string' || typeof title !== 'string')
        return send(422, {
          message: 'Validation Failed',
          errors: [{ message: 'head, base and title are required' }],
        });
      if (!(await options.branchExists(head)))
        return options.type === 'github'
          ? send(422, {
              message: 'Validation Failed',
              errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
            })
          : send(404, { message: 'GetBranchCommitID: object does not exist' });
      if (opened.has(head))
        return options.type === 'github'
          ? send(422, {
              message: 'Validation Failed',
              errors: [{ message: `A pull request already exists for ${match[1]}:${head}.` }],
            })
          : send(409, { message: 'pull request already exists for these targets' });
      const number = state.next++;
      const site = options.type === 'github' ? 'https://github.example' : 'https://gitea.example';
      const pull = {
        number,
        html_url: `${site}/${match[1]}/${match[2]}/pull/${number}`,
        head: { ref: head },
        base: { ref: base },
        title,
      };
      opened.set(head, pull);
      send(201, pull);
    })();
    function lookUp(path: string) {
      const url = new URL(path, 'http://forge');
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (options.type === 'github') {
        if (!/^\/repos\/[^/]+\/[^/]+\/pulls$/.test(url.pathname))
          return send(404, { message: 'Not Found' });
        const head = url.searchParams.get('head')?.split(':')[1] ?? '';
        const pull = opened.get(head);
        return send(200, pull === undefined ? [] : [pull]);
      }
      const found = /^\/api\/v1\/repos\/[^/]+\/[^/]+\/pulls\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      const pull = found === null ? undefined : opened.get(decodeURIComponent(found[2] ?? ''));
      return pull === undefined || pull.base.ref !== decodeURIComponent(found?.[1] ?? '')
        ? send(404, { message: 'pull request does not exist' })
        : send(200, pull);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get refuse() {
      return state.refuse;
    },
    set refuse(value: boolean) {
      state.refuse = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
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
