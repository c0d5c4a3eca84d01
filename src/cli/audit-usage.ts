/** The `audit` command's help texts: one overview, and one per subcommand (audit query --help). */

const NODES = `  PATH         a node's audit log: its logs folder or its idp-audit.log (the rotated files beside it,
               .log.gz or .log, are read too, oldest first), or a single rotated file. Several PATHs
               are several nodes, merged in time order. Default: idp.audit.file of the configuration.
  --conf DIR   configuration folder (default: IDP_CONF_DIR, else the project's conf/): the line format
               comes from its audit.yaml
  --home DIR   IdP home for %{idp.home} (default: IDP_HOME, else the project folder)
  --log-format FORMAT   the line format instead of audit.yaml's (e.g. an older node's)`;

const FILTERS = `  --since TIME, --until TIME
               records from (inclusive) / before (exclusive) TIME: ISO 8601 (2024-05-01,
               2024-05-01T09:30:00Z; no zone = UTC, as the log) or an age (45s, 30m, 1h, 2d, 1w)
  --actor NAME       the real user: the impersonating account (%uu) when impersonating, else %u
  --target NAME      the account acted on: %u when impersonating, else the account asked for (%utc, %ut)
  --rp ENTITY        the relying party (%SP)
  --event EVENT      the event (%e), e.g. ImpersonationViolation; repeat or comma-separate for several
  --action ACTION    the action (%act): release, refuse, offer, choose, login, reload
  --impersonation-only   records about an impersonation (%uu or %ut set)
  --refusals-only        refusals (%act=refuse, or an event on any other record)
  --include-control      also the chain's own records (profile Audit: open, start, checkpoint)
  --format FORMAT    table (default), jsonl or csv`;

const QUERY = `Usage: audit query [PATH...] [filters] [--format table|jsonl|csv]

The records that pass every filter given, in time order (%T; a node's own records in the order
written). Table columns: time, node, actor, target, rp, profile, action, event, tx. jsonl adds the
file, line, seq and every field decoded; csv (RFC 4180) adds file, line and seq.

${NODES}
${FILTERS}

Example: who impersonated whom in the last hour
  audit query logs/ --since 1h --impersonation-only --action release`;

const SUMMARY = `Usage: audit summary [PATH...] [filters] [--format table|jsonl|csv]

Impersonations (releases as another account) and refusals among the records that pass the
filters, counted per actor, per target, per relying party and per day (UTC).

${NODES}
${FILTERS}`;

const VERIFY = `Usage: audit verify [PATH...] [--public-key FILE...]

Checks each node's hash chain and signed checkpoints and names the first line that was edited,
deleted, inserted or reordered.

${NODES}
  --public-key FILE   the audit key's public half (SPKI PEM); repeat for keys used before a key
                      change (default: idp.audit.signing.publicKey)`;

export const COMMAND_USAGE: Record<string, string> = {
  query: QUERY,
  summary: SUMMARY,
  verify: VERIFY,
};

export const AUDIT_USAGE = `Usage:
  audit query   [PATH...] [--since TIME] [--until TIME] [--actor NAME] [--target NAME] [--rp ENTITY]
                [--event EVENT] [--action ACTION] [--impersonation-only] [--refusals-only]
                [--format table|jsonl|csv]
  audit summary [PATH...] [the same filters] [--format table|jsonl|csv]
  audit verify  [PATH...] [--public-key FILE]

  audit COMMAND --help   the command's options

Exit status: 0 fine, 1 problems found (an unreadable or partial file, a verify failure), 2 wrong usage.`;
