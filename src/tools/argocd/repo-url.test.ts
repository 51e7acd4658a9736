import { describe, expect, it } from 'vitest';
import { repositoryKey, sameRepository } from './repo-url.ts';

describe('whether two repository URLs name the same repository', () => {
  it('ignores a trailing .git or slash, the case of the host, credentials and the port', () => {
    const configured = 'https://github.com/acme/deploy.git';

    expect(sameRepository(configured, 'https://GitHub.com/acme/deploy')).toBe(true);
    expect(sameRepository(configured, 'https://github.com/acme/deploy/')).toBe(true);
    expect(sameRepository(configured, 'https://github.com/acme/deploy.git/')).toBe(true);
    expect(
      sameRepository(configured, 'https://x-access-token:tok@github.com:443/acme/deploy'),
    ).toBe(true);
  });

  it('takes the SSH spellings of a forge repository for the HTTPS one', () => {
    expect(sameRepository('git@github.com:acme/deploy.git', 'https://github.com/acme/deploy')).toBe(
      true,
    );
    expect(
      sameRepository('ssh://git@github.com:22/acme/deploy.git', 'https://github.com/acme/deploy'),
    ).toBe(true);
  });

  it('tells apart another owner, another name, another host and the case of the path', () => {
    const configured = 'https://github.com/acme/deploy.git';

    expect(sameRepository(configured, 'https://github.com/acme/deploy-staging')).toBe(false);
    expect(sameRepository(configured, 'https://github.com/other/deploy')).toBe(false);
    expect(sameRepository(configured, 'https://gitlab.com/acme/deploy')).toBe(false);
    expect(sameRepository(configured, 'https://github.com/Acme/Deploy')).toBe(false);
  });

  it('takes a file:// URL and the absolute path of the same directory as one repository', () => {
    expect(sameRepository('file:///srv/git/gitops.git', '/srv/git/gitops')).toBe(true);
    expect(sameRepository('file:///srv/git/gitops.git/', 'file:///srv/git/gitops')).toBe(true);
    expect(sameRepository('file:///srv/git/gitops.git', 'https://srv/git/gitops')).toBe(false);
  });

  it('has no repository for an empty or hostless URL, so nothing matches it', () => {
    expect(repositoryKey('')).toBeUndefined();
    expect(repositoryKey('https://github.com/')).toBeUndefined();
    expect(sameRepository('', '')).toBe(false);
  });
});
