/**
 * The auditors' page, GET /idp/profile/admin/audit: the audit records of this node that match the
 * filters (the `audit query` options), the impersonations and refusals per day as a chart, and
 * whether the current audit file verifies. Protected by its own policy (idp.audit.reviewPolicy,
 * operation review, resource audit); a missing policy denies.
 *
 * Bounded: one review runs at a time (a second gets a 503 page and Retry-After), each filter is at
 * most MAX_FILTER_LENGTH characters, the table at most idp.audit.review.maxRows rows, and with no
 * "since" only idp.audit.review.defaultWindow is read; a review whose browser goes away stops
 * reading. The page only reads: nothing it is asked can change the log.
 */
import express, { type Request, type Router } from 'express';
import { IdpError } from '../core/errors.js';
import type { Views } from '../web/views.js';
import { ADMIN_AUDIT_PROFILE } from './admin-audit.js';
import { authorizeAdmin, type AdminAuthorizationDeps } from './admin-authorization.js';
import { dailyChartSvg } from './audit-chart.js';
import type { AuditReviewSource, ReviewFilters } from './audit-review-source.js';

export const AUDIT_REVIEW_PATH = '/idp/profile/admin/audit';
const MAX_FILTER_LENGTH = 256;
const TEXT_FILTERS = ['since', 'until', 'actor', 'target', 'rp', 'event'] as const;

export interface AuditReviewDeps extends AdminAuthorizationDeps {
  readonly views: Views;
  readonly source: AuditReviewSource;
}

export function auditReviewRoutes(deps: AuditReviewDeps): Router {
  const router = express.Router();
  let busy = false;
  router.get(AUDIT_REVIEW_PATH, async (req, res) => {
    const { policy, maxRows } = deps.props.auditReview;
    const call = { policy, operation: 'review', resource: 'audit', profile: ADMIN_AUDIT_PROFILE };
    await authorizeAdmin(deps, req, call);
    const { filters, problems } = filtersOf(req);
    if (busy)
      throw new IdpError('REQUEST_CAPACITY_EXCEEDED', 'another audit review is running; try again');
    busy = true;
    // A long review (a window of years) is given up when the auditor goes away, freeing the slot.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    try {
      const result = await deps.source.review(filters, maxRows, gone.signal);
      const verify = await deps.source.verifyCurrent();
      res.set('Cache-Control', 'no-store');
      await deps.views.render(res, 'admin/audit', {
        filters,
        problems: [...problems, ...result.problems],
        verify,
        chart: dailyChartSvg(result.days),
        totals: result.totals,
        rows: result.rows,
        shown: result.rows.length,
        maxRows,
      });
    } finally {
      busy = false;
    }
  });
  return router;
}

/** The filters as typed: one value each, of bounded length; anything else is a problem shown. */
function filtersOf(req: Request): { filters: ReviewFilters; problems: string[] } {
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = req.query[name];
    if (value === undefined) return '';
    if (typeof value !== 'string') {
      problems.push(`${name}: give one value`);
      return '';
    }
    if (value.length > MAX_FILTER_LENGTH) {
      problems.push(`${name}: longer than ${MAX_FILTER_LENGTH} characters`);
      return '';
    }
    return value.trim();
  };
  const [since, until, actor, target, rp, event] = TEXT_FILTERS.map(text);
  return {
    filters: {
      since: since ?? '',
      until: until ?? '',
      actor: actor ?? '',
      target: target ?? '',
      rp: rp ?? '',
      event: event ?? '',
      impersonationOnly: req.query.impersonationOnly === '1',
      refusalsOnly: req.query.refusalsOnly === '1',
    },
    problems,
  };
}
