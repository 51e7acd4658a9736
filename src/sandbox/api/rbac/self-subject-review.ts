import type { ServerResponse } from 'node:http';
import { methodNotAllowed, sendJson } from '../respond.ts';
import type { Requester } from './authenticate.ts';

/** A SelfSubjectReview (`kubectl auth whoami`): the user the request was authenticated as. */
export function serveWhoAmI(requester: Requester, method: string, res: ServerResponse): void {
  if (method !== 'POST') throw methodNotAllowed();
  const { name, uid, groups, extra } = requester.user;
  sendJson(res, 201, {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: {
      userInfo: {
        username: name,
        ...(uid === undefined ? {} : { uid }),
        groups,
        ...(extra === undefined ? {} : { extra }),
      },
    },
  });
}
