import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build -w @orderhub/console` writes the console. */
export const CONSOLE_DIST = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../console/dist',
);

const MISSING_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>orderhub</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:.1rem .35rem;border-radius:4px}</style></head>
<body><h1>orderhub</h1>
<p>控制台尚未构建。请在项目目录运行 <code>npm run build -w @orderhub/console</code>（或直接 <code>npm start</code>，它会先构建），然后重启服务。</p>
<p>The web console has not been built. Run <code>npm run build -w @orderhub/console</code> in the project folder (or just <code>npm start</code>, which builds it first), then restart the server.</p>
<p>The API is available at <a href="/api">/api</a>, its documentation at <a href="/docs">/docs</a>.</p>
</body></html>`;

/**
 * Serves the built console at `/`: hashed assets with a long cache, and index.html for every other
 * path that is not the API or the docs, so the browser's router can take over (deep links, reloads).
 */
export async function serveConsole(app: FastifyInstance, dist = CONSOLE_DIST): Promise<void> {
  const index = path.join(dist, 'index.html');
  const built = fs.existsSync(index);
  if (built) {
    await app.register(fastifyStatic, {
      root: dist,
      prefix: '/',
      wildcard: false,
      index: false,
      schemaHide: true,
      setHeaders(res, file) {
        res.setHeader(
          'cache-control',
          file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }
  const html = built ? undefined : MISSING_PAGE;
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const url = req.url;
    // Server paths never fall back to the page: an unknown one is a 404 problem, not a 200 page.
    if (/^\/(api|docs|metrics|healthz|readyz)(\/|\?|$)/.test(url)) return reply.callNotFound();
    if (url.startsWith('/assets/')) {
      // Assets built after the server started (a rebuild) are served too; a missing one is a 404,
      // never the page: a stale tab asking for an old chunk must see the error.
      const name = decodeURIComponent(url.split('?')[0]!.slice('/assets/'.length));
      if (!html && /^[\w.-]+$/.test(name) && fs.existsSync(path.join(dist, 'assets', name))) {
        reply.header('cache-control', 'public, max-age=31536000, immutable');
        return reply.sendFile(`assets/${name}`);
      }
      return reply.callNotFound();
    }
    reply.header('cache-control', 'no-cache');
    if (html) return reply.status(503).type('text/html; charset=utf-8').send(html);
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('cache-control', 'no-cache');
    if (html) return reply.status(503).type('text/html; charset=utf-8').send(html);
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
}
