import type { Route } from '../../http/router.ts';
import { onlyAllowedHosts, staticRoutes } from '../../http/static-pages.ts';
import { clickRoutes } from './click-routes.ts';
import type { ClickHandler } from './console-click.ts';
import type { SignedIn } from './console-request.ts';
import type { LiveStreams } from './live-stream.ts';
import { messageRoutes, type PostedHandler } from './message-routes.ts';
import type { WebStore } from './store.ts';
import { streamRoutes } from './stream-routes.ts';

const STATIC_DIR = new URL('./static/', import.meta.url);

/** The web console: its page, its channel list, its live stream, its message box and buttons. */
export function webConsoleRoutes(
  store: WebStore,
  streams: LiveStreams,
  allowedHosts: readonly string[],
  onPosted?: PostedHandler,
  onClick?: ClickHandler,
  /** Who is signed in; unset, the console is open (loopback only). See `SignedIn`. */
  signedIn?: SignedIn,
): Route[] {
  const routes: Route[] = [
    ...staticRoutes(STATIC_DIR, {
      '/': 'index.html',
      '/console.js': 'console.js',
      '/render.js': 'render.js',
      '/channel-view.js': 'channel-view.js',
      '/console.css': 'console.css',
    }),
    ...streamRoutes(store, streams, signedIn),
    ...messageRoutes(store, signedIn, onPosted),
    ...clickRoutes(store, signedIn, onClick),
  ];
  return routes.map((route) => ({
    ...route,
    handler: onlyAllowedHosts(route.handler, allowedHosts),
  }));
}
