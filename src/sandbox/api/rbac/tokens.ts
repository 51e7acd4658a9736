import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * ServiceAccount tokens as the TokenRequest API issues them: a JWT naming the account (its
 * namespace, name and uid), the audiences and the expiry, signed by a key this API server
 * holds, so that only tokens it issued, unexpired, authenticate. Signed with HMAC rather than
 * the real server's RSA key: clients treat the token as opaque and only this server checks it.
 */
export const DEFAULT_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

/** The object a token is bound to (`kubectl create token --bound-object-kind`). */
export type BoundObject = { kind: 'Pod' | 'Secret' | 'Node'; name: string; uid: string };

export type TokenClaims = {
  namespace: string;
  name: string;
  uid: string;
  audiences: string[];
  expiresAt: number;
  bound?: BoundObject;
};

/** The claim each bound kind is written under, as the real token's private claims name them. */
const BOUND_CLAIM = { Pod: 'pod', Secret: 'secret', Node: 'node' } as const;

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
        ...(claims.bound === undefined
          ? {}
          : {
              [BOUND_CLAIM[claims.bound.kind]]: { name: claims.bound.name, uid: claims.bound.uid },
            }),
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
      'kubernetes.io': PrivateClaims;
    };
    if (body.exp * 1000 <= now) return undefined;
    const account = body['kubernetes.io'];
    const bound = boundOf(account);
    return {
      namespace: account.namespace,
      name: account.serviceaccount.name,
      uid: account.serviceaccount.uid,
      audiences: body.aud,
      expiresAt: body.exp * 1000,
      ...(bound === undefined ? {} : { bound }),
    };
  }

  #sign(data: string): string {
    return createHmac('sha256', this.#key).update(data).digest('base64url');
  }
}

type Ref = { name: string; uid: string };
type PrivateClaims = {
  namespace: string;
  serviceaccount: Ref;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
};

function boundOf(claims: PrivateClaims): BoundObject | undefined {
  for (const kind of ['Pod', 'Secret', 'Node'] as const) {
    const ref = claims[BOUND_CLAIM[kind]];
    if (ref !== undefined) return { kind, name: ref.name, uid: ref.uid };
  }
  return undefined;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
