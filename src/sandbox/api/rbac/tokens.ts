import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * ServiceAccount tokens as the TokenRequest API issues them: a JWT naming the account (its
 * namespace, name and uid), the audiences and the expiry, signed by a key this API server
 * holds, so that only tokens it issued, unexpired, authenticate. Signed with HMAC rather than
 * the real server's RSA key: clients treat the token as opaque and only this server checks it.
 */
export const DEFAULT_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

export type TokenClaims = {
  namespace: string;
  name: string;
  uid: string;
  audiences: string[];
  expiresAt: number;
};

export class TokenIssuer {
  readonly #key = randomBytes(32);

  issue(claims: TokenClaims, now: number): string {
    const header = encode({ alg: 'HS256', typ: 'JWT', kid: 'sandbox' });
    const payload = encode({
      aud: claims.audiences,
      exp: Math.floor(claims.expiresAt / 1000),
      iat: Math.floor(now / 1000),
      nbf: Math.floor(now / 1000),
      iss: DEFAULT_AUDIENCE,
      sub: `system:serviceaccount:${claims.namespace}:${claims.name}`,
      'kubernetes.io': {
        namespace: claims.namespace,
        serviceaccount: { name: claims.name, uid: claims.uid },
      },
    });
    return `${header}.${payload}.${this.#sign(`${header}.${payload}`)}`;
  }

  /** The claims of a token this server signed and that has not expired, or nothing. */
  verify(token: string, now: number): TokenClaims | undefined {
    const [header, payload, signature, ...rest] = token.split('.');
    if (header === undefined || payload === undefined || signature === undefined) return undefined;
    if (rest.length > 0) return undefined;
    const expected = Buffer.from(this.#sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      aud: string[];
      exp: number;
      'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string } };
    };
    if (body.exp * 1000 <= now) return undefined;
    const account = body['kubernetes.io'];
    return {
      namespace: account.namespace,
      name: account.serviceaccount.name,
      uid: account.serviceaccount.uid,
      audiences: body.aud,
      expiresAt: body.exp * 1000,
    };
  }

  #sign(data: string): string {
    return createHmac('sha256', this.#key).update(data).digest('base64url');
  }
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
