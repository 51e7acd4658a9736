import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Route } from '../http/router.ts';
import { staticRoutes } from '../http/static-pages.ts';

/**
 * The chart library's browser build (uPlot, MIT), served by the bot from the installed package so
 * that the dashboard loads nothing from another origin. The package is found the way Node finds
 * any dependency, from wherever this file runs (`src/` or a compiled `dist/`). The ES module build
 * keeps the library's copyright and licence notice at its top.
 */
export function vendorRoutes(): Route[] {
  const require = createRequire(import.meta.url);
  const dist = new URL('./', pathToFileURL(require.resolve('uplot/dist/uPlot.esm.js')));
  return staticRoutes(dist, {
    '/dashboard/vendor/uplot.esm.js': 'uPlot.esm.js',
    '/dashboard/vendor/uplot.min.css': 'uPlot.min.css',
  });
}
