import { describe, expect, it } from 'vitest';
import { formatIssues } from '../shared/format-issues.ts';
import { ConfigFile } from './file.ts';

const valid = {
  repo: 'https://github.com/acme/deploy.git',
  branch: 'main',
  path: 'apps',
  forge: { type: 'github', url: 'https://api.github.com', tokenEnv: 'GITOPS_TOKEN' },
};

function problems(gitops: unknown): string[] {
  const parsed = ConfigFile.safeParse({ gitops });
  return parsed.success ? [] : formatIssues(parsed.error.issues, 'coxswain.yaml');
}

describe('the gitops section of the config file', () => {
  it('takes a repository, branch, path and forge, with main and the root as defaults', () => {
    const parsed = ConfigFile.parse({ gitops: { repo: valid.repo, forge: valid.forge } });

    expect(parsed.gitops).toEqual({
      repo: valid.repo,
      branch: 'main',
      path: '.',
      forge: valid.forge,
    });
  });

  it('names each bad field and why', () => {
    const found = problems({
      ...valid,
      repo: 'deploy',
      branch: '--upload-pack=x',
      path: '../outside',
      forge: { type: 'gitlab', url: 'ftp://x', tokenEnv: 'not a name' },
    });

    expect(found.join('\n')).toMatch(/gitops\.repo: must be an https:\/\//);
    expect(found.join('\n')).toMatch(/gitops\.branch: must be a branch name/);
    expect(found.join('\n')).toMatch(/gitops\.path: must stay inside the repository/);
    expect(found.join('\n')).toMatch(/gitops\.forge\.type/);
    expect(found.join('\n')).toMatch(/gitops\.forge\.url: must be an http\(s\) URL/);
    expect(found.join('\n')).toMatch(
      /gitops\.forge\.tokenEnv: must be the name of an environment variable/,
    );
  });

  it('refuses a token written into the file instead of named by tokenEnv', () => {
    expect(problems({ ...valid, forge: { ...valid.forge, token: 'ghp_x' } }).join('\n')).toMatch(
      /gitops\.forge/,
    );
  });
});
