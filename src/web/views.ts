/**
 * Rendering of the ejs views in views/. Every page gets the same locals besides its own model:
 * `t(key, fallback)` for text from conf/messages.properties, `cspNonce` for its one inline script
 * (if any), and `layout` data. Templates only use the escaping <%= %> form for anything that
 * came from a user, a relying party or a directory. A page rendered for a request also gets
 * `signedInAs`: the account of the browser's IdP session, if any (set by app.ts), which the header
 * shows with a link to the "Who am I" page.
 *
 * Each template is compiled once, and its include() calls are answered from the same cache: ejs's
 * own include looks for the file on disk at every render (an existsSync per include per page).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { Response } from 'express';
import type { IdpEvent } from '../core/events.js';
import { VIEWS_DIR } from '../core/paths.js';
import { errorPageModel, type ErrorPageContext } from './error-page.js';
import type { Messages } from './messages.js';

export class Views {
  private readonly templates = new Map<string, ejs.ClientFunction>();

  constructor(private readonly messages: Messages) {}

  async render(
    res: Response,
    view: string,
    model: Record<string, unknown>,
    status = 200,
  ): Promise<void> {
    const signedInAs = res.locals.signedInAs as (() => string | undefined) | undefined;
    const html = await this.renderToString(
      view,
      { signedInAs: signedInAs?.(), ...model },
      res.locals.cspNonce as string | undefined,
    );
    res.status(status).type('html').send(html);
  }

  /** The page as a string, for callers that are not express handlers (oidc-provider's errors). */
  renderToString(
    view: string,
    model: Record<string, unknown>,
    cspNonce: string | undefined,
  ): Promise<string> {
    const locals = {
      ...model,
      t: (key: string, fallback?: string) => this.messages.text(key, fallback),
      cspNonce,
    };
    try {
      return Promise.resolve(this.run(path.join(VIEWS_DIR, `${view}.ejs`), locals));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** The error page of an event, with what is known of the request (error-page.ts). */
  renderError(
    res: Response,
    event: IdpEvent,
    status: number,
    detail?: string,
    context?: ErrorPageContext,
  ): Promise<void> {
    return this.render(res, 'error', this.errorModel(event, detail, context), status);
  }

  /** The locals of views/error.ejs (for renderToString callers too). */
  errorModel(
    event: IdpEvent,
    detail?: string,
    context?: ErrorPageContext,
  ): Record<string, unknown> {
    const { title, message } = this.messages.forEvent(event);
    return { event, title, message, detail, ...errorPageModel(event, context) };
  }

  private run(file: string, locals: ejs.Data): string {
    // As ejs's include(): relative to the including file, the parent's locals plus the given ones.
    const include = (view: string, data?: ejs.Data) =>
      this.run(
        path.resolve(path.dirname(file), view.endsWith('.ejs') ? view : `${view}.ejs`),
        data ? { ...locals, ...data } : locals,
      );
    return this.template(file)(locals, undefined, include);
  }

  private template(file: string): ejs.ClientFunction {
    let template = this.templates.get(file);
    if (!template) {
      if (!file.startsWith(VIEWS_DIR + path.sep))
        throw new Error(`view ${file} is outside ${VIEWS_DIR}`);
      template = ejs.compile(readFileSync(file, 'utf8'), { client: true, filename: file });
      this.templates.set(file, template);
    }
    return template;
  }
}
