import type { FastifyInstance } from 'fastify';

/**
 * The policy of every HTML page (the console and the API docs at /docs): scripts only from this
 * server, no framing. Styles allow 'unsafe-inline' because Ant Design (CSS-in-JS) and swagger-ui
 * write <style> elements and style attributes at run time; scripts never run inline.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Every other answer (JSON, files) is never a document: nothing may load from it or frame it. */
export const OTHER_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Security headers on every answer, set in one hook: a CSP (the page policy on HTML), no framing,
 * no content sniffing, no referrer sent to other sites.
 */
export function securityHeaders(http: FastifyInstance): void {
  http.addHook('onSend', async (_req, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    reply.header('content-security-policy', type.startsWith('text/html') ? PAGE_CSP : OTHER_CSP);
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });
}
