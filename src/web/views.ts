/**
 * Rendering of the ejs views in views/. Every page gets the same locals besides its own model:
 * `t(key, fallback)` for text from conf/messages.properties, `cspNonce` for its one inline script
 * (if any), and `layout` data. Templates only use the escaping <%= %> form for anything that
 * came from a user, a relying party or a directory.
 */
import path from 'node:path';
import ejs from 'ejs';
import type { Response } from 'express';
import { VIEWS_DIR } from '../paths.js';
import type { Messages } from './messages.js';

export class Views {
  constructor(private readonly messages: Messages) {}

  async render(res: Response, view: string, model: Record<string, unknown>, status = 200): Promise<void> {
    const html = await this.renderToString(view, model, res.locals.cspNonce as string | undefined);
    res.status(status).type('html').send(html);
  }

  /** The page as a string, for callers that are not express handlers (oidc-provider's errors). */
  renderToString(view: string, model: Record<string, unknown>, cspNonce: string | undefined): Promise<string> {
    const locals = { ...model, t: (key: string, fallback?: string) => this.messages.text(key, fallback), cspNonce };
    return ejs.renderFile(path.join(VIEWS_DIR, `${view}.ejs`), locals, { cache: true });
  }

  renderError(res: Response, event: string, status: number, detail?: string): Promise<void> {
    const { title, message } = this.messages.forEvent(event);
    return this.render(res, 'error', { event, title, message, detail }, status);
  }
}
