/** One HTTP request and its response, as every stage of the IdP sees it. */
import type { Request, Response } from 'express';

export interface HttpExchange {
  readonly req: Request;
  readonly res: Response;
}
