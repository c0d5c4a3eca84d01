/**
 * Requests Node's HTTP server refuses before express sees them — request headers (the URL
 * included) over Node's 16 KB limit, a request not received within Node's requestTimeout, or
 * bytes that are not HTTP — get the IdP's error page with 431, 408 or 400 instead of a bare
 * status line.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { IdpEvent } from '../core/events.js';
import type { Views } from './views.js';

const REASONS = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
} as const;

export async function answerClientErrors(server: Server, views: Views): Promise<void> {
  const page = async (event: IdpEvent, detail: string) =>
    views.renderToString('error', views.errorModel(event, detail), undefined);
  const pages = {
    431: await page(
      'RequestTooLarge',
      'the address or the request headers are longer than this server accepts',
    ),
    408: await page('UnableToDecode', 'the request did not arrive in time'),
    400: await page('UnableToDecode', 'the request is not valid HTTP'),
  };
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400;
    const body = Buffer.from(pages[status], 'utf8');
    socket.end(
      `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${body.length}\r\n` +
        `Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n` +
        `Content-Security-Policy: default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'\r\n` +
        `Connection: close\r\n\r\n${body.toString('utf8')}`,
    );
  });
}
