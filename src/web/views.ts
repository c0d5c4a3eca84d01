/**
 * Rendering of the ejs views in views/. Every page gets the same locals besides its own model:
 * `t(key, fallback)` for text from conf/messages.properties, `cspNonce` for its one inline script
 * (if any), and `layout` data. Templates only use the escaping <%= %> form for anything that
 * came from a user, a relying party or a directory.
 */
import type { Response } from 'express';
import type { Messages } from './messages.js';

export class Views {
  constructor(private readonly messages: Messages) {}

  render(res: Response, view: string, model: Record<string, unknown>, status = 200): Promise<void> {
    const locals = {
      ...model,
      t: (key: string, fallback?: string) => this.messages.text(key, fallback),
      cspNonce: res.locals.cspNonce as string,
    };
    return new Promise((resolve, reject) => {
      res.render(view, locals, (err, html) => {
        if (err) return reject(err);
        res.status(status).type('html').send(html);
        resolve();
      });
    });
  }

  renderError(res: Response, event: string, status: number, detail?: string): Promise<void> {
    const { title, message } = this.messages.forEvent(event);
    return this.render(res, 'error', { event, title, message, detail }, status);
  }
}
