import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local forge speaking the pull-request shapes of GitHub (`POST /repos/{owner}/{repo}/pulls`,
 * `Authorization: Bearer`) and Gitea (`POST /api/v1/repos/{owner}/{repo}/pulls`,
 * `Authorization: token`): 401 for a wrong token, 422 (GitHub) or 404 (Gitea) for a head branch
 * missing from the bare repository it checks with `branchExists`, 201 with `number` and
 * `html_url` otherwise. `refuse` makes it answer 403 as a forge does to a token without rights.
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
      const number = state.next++;
      const site = options.type === 'github' ? 'https://github.example' : 'https://gitea.example';
      send(201, {
        number,
        html_url: `${site}/${match[1]}/${match[2]}/pull/${number}`,
        head: { ref: head },
        base: { ref: base },
        title,
      });
    })();
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
