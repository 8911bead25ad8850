/** `guard --help` */
export const mainHelp = `guard — Guard's command line for risk rule packs

Usage:
  guard rules <command> [options]
  guard simulate --out <dir> [options]
  guard migrate [--db <file|url>]
  guard audit verify --tenant <id> [--db <file|url>] [--keys <keys.json>]
  guard evidence verify <pack.json> [--public-key <pem> | --keys <keys.json>]
  guard worker --deliver <url> [--once] [--every <s>] [--db <file|url>] [--keys <keys.json>]
  guard --help | --version

Commands:
  guard rules validate <pack.json|builtin:id>…    check packs; print every problem with its path
  guard rules score --pack <p> --facts <f.jsonl>   score subjects' facts with a pack
  guard rules backtest --pack <p> --history <h.jsonl> [--baseline <p>]
                                                   replay a labelled history: precision, recall, alert load
  guard rules schema                               print the JSON Schema of a rule pack
  guard simulate --out <dir>                       write labelled histories of a simulated sales
                                                   organisation, to try the commands above on
  guard migrate                                    create or update Guard's tables
  guard audit verify --tenant <id>                 re-check a tenant's whole audit chain
  guard evidence verify <pack.json>                re-check an evidence pack offline, with the public key
  guard worker --deliver <url>                     fire due timers; relay effects to a webhook

The database (migrate, audit verify, worker) is --db, else GUARD_DATABASE_URL, else the SQLite
file guard.db: postgres://…, mysql://… (MariaDB too) or a SQLite file path.

A pack is a JSON file or builtin:<id> (employee-flight-risk, employee-data-exfiltration,
customer-churn, post-departure-order-diversion).

Exit codes: 0 ok, 1 invalid pack or input, 2 usage error, 3 the audit chain or evidence pack is broken,
69 the database cannot be reached, 70 internal error.
Run guard <command> --help (guard rules <command> --help) for the options of a command.
`;

/** `guard rules --help` */
export const rulesHelp = `guard rules — validate, score and backtest risk rule packs

Usage:
  guard rules validate <pack.json|builtin:id>… [--settings <settings.json>] [--locale en|zh-CN]
  guard rules score --pack <pack> --facts <facts.jsonl> [--format table|json] [--explain]
                    [--settings <settings.json>] [--locale en|zh-CN]
  guard rules backtest --pack <pack> --history <labelled.jsonl> [--baseline <pack>]
                       [--format table|json|html] [--out <file>] [--progress]
                       [--settings <settings.json>] [--locale en|zh-CN]
  guard rules schema

Run guard rules <command> --help for details.
`;

/** Help of each `guard rules` command. */
export const commandHelp: Readonly<
  Record<
    'validate' | 'score' | 'backtest' | 'schema' | 'simulate' | 'migrate' | 'audit' | 'evidence' | 'worker',
    string
  >
> = {
  validate: `guard rules validate — check rule packs

Usage:
  guard rules validate <pack.json|builtin:id>… [--settings <settings.json>] [--locale en|zh-CN]

Prints "ok <id>@<version> (<n> rules, compiled)" for each valid pack, and every
problem of an invalid one as "<file>: <path>: <message>".
"compiled" means every rule runs on Guard's fast path; "interpreted" packs compare
facts with facts and run on json-rules-engine.

Options:
  --settings <file>   a tenant's settings JSON: packs may read the facts of the signal kinds
                      it declares under risk.customSignals (x-usb-copy gives xUsbCopy30d, …)
  --locale en|zh-CN   language of the messages (default: from LANG, else en)

Exit codes: 0 every pack is valid, 1 a pack is invalid (or not JSON), 2 usage error.
`,
  score: `guard rules score — score facts with a pack

Usage:
  guard rules score --pack <pack.json|builtin:id> --facts <facts.jsonl> [options]

facts.jsonl holds one JSON object per line:
  {"subject":"e-7","at":"2026-10-01T00:00:00Z","facts":{"resumeUpdates30d":2,"competitorContacts30d":1}}

Options:
  --pack <p>            the rule pack (a JSON file or builtin:<id>)
  --facts <file>        the facts, JSON lines
  --format table|json   a table (default) or one JSON object per line
  --explain             print why each rule fired
  --settings <file>     a tenant's settings JSON, for packs that read its custom signal kinds
  --locale en|zh-CN     language of explanations and labels (default: from LANG, else en)

Exit codes: 0 ok, 1 invalid pack or facts line (the message names the line), 2 usage error.
`,
  backtest: `guard rules backtest — replay a labelled history through a pack

Usage:
  guard rules backtest --pack <pack> --history <labelled.jsonl> [options]

labelled.jsonl holds one snapshot per line, for the subjects of the pack:
  {"subject":"e-7","at":"2026-10-01T00:00:00Z","facts":{…},"label":{"positive":true,"deadline":"2026-11-30T00:00:00Z"},"group":"poacher"}

An alert episode starts where a subject's band becomes "alert"; a subject counts as
caught when an episode starts at or before its deadline. Reported: precision, recall,
F1, alerts per 100 staff per month, the confusion matrix, lead time, counts per group
and, with --baseline, the subjects the change adds and removes.

Options:
  --pack <p>                 the pack to test (a JSON file or builtin:<id>)
  --history <file>           the labelled history, JSON lines
  --baseline <p>             the pack in production, to compare with
  --format table|json|html   a table (default), the report as JSON, or one self-contained HTML page
                             (default html when --out ends in .html, json when it ends in .json)
  --out <file>               write the report to a file instead of stdout
  --progress                 show progress on stderr even when it is not a terminal
  --settings <file>          a tenant's settings JSON, for packs that read its custom signal kinds
  --locale en|zh-CN          language of the report (default: from LANG, else en)

Exit codes: 0 ok, 1 invalid pack or history line (the message names the line), 2 usage error.
`,
  schema: `guard rules schema — print the JSON Schema of a rule pack

Usage:
  guard rules schema > rule-pack.schema.json

Put its path in a pack's "$schema" for completion and inline errors in your editor.
`,
  simulate: `guard simulate — labelled histories of a simulated sales organisation

Usage:
  guard simulate --out <dir> [--seed N] [--scale S] [--months M] [--locale en|zh-CN]

Simulates a chain sales company day by day — reps who stay, honest leavers who
look for a job, poachers who read and export more, talk to competitors and take
40–70% of their customers, customers who churn — and writes one labelled history
per purpose to <dir>, for guard rules backtest:

  employees-poaching.jsonl   employees, weekly; poachers positive until their last working day
  employees-leaving.jsonl    employees, weekly; every leaver positive until their resignation
  customers-diversion.jsonl  customers, monthly; diverted customers positive
  customers-churn.jsonl      customers, monthly; churned customers positive

The same seed and options always write the same files.

Options:
  --out <dir>          the folder to write to (created if missing; files are replaced)
  --seed N             the seed, a whole number (default 42)
  --scale S            the size, 0.1–10: 1 is 6 branches of 25 reps and a manager, 20 customers
                       per rep (156 staff, 3,000 customers); 2 doubles the branches (default 1)
  --months M           months simulated, 6–60 (default 24)
  --locale en|zh-CN    language of the messages (default: from LANG, else en)

Exit codes: 0 ok, 2 usage error (a bad option, a folder that cannot be created).
`,
  migrate: `guard migrate — create or update Guard's tables

Usage:
  guard migrate [--db <file|url>] [--table-prefix <p>] [--locale en|zh-CN]

Applies the migrations this version of Guard needs, in one transaction each, and
says how many ran; running it again changes nothing. Run it before starting a new
version of the host application.

Options:
  --db <file|url>       postgres://user:pass@host/db, mysql://user:pass@host/db (MariaDB too),
                        or a SQLite file (a path, or sqlite:<path>); default: GUARD_DATABASE_URL,
                        else guard.db. Postgres and MySQL need @guard/store-postgres or
                        @guard/store-mysql installed, SQLite @guard/store-sqlite.
  --table-prefix <p>    the prefix of Guard's tables, as the host configures it (default guard_)
  --locale en|zh-CN     language of the messages (default: from LANG, else en)

Exit codes: 0 done, 2 usage error, 69 the database cannot be reached.
`,
  audit: `guard audit verify — re-check a tenant's whole audit chain

Usage:
  guard audit verify --tenant <id> [--db <file|url>] [--keys <keys.json>] [--table-prefix <p>]
  guard audit verify --tenant <id> --public-key <audit.pub.pem> [--db <file|url>]

Reads every audit entry of the tenant from the database, re-hashes the chain, and
checks every entry's seal and every checkpoint's signature with the audit keys.
Prints where the chain breaks, if it does.

An auditor without the secret keys gives the Ed25519 public key the checkpoints are
signed with (--public-key): every link and checkpoint signature is checked, the
seals are not, so entries after the last checkpoint are vouched for by their links
alone.

The keys are the HMAC keys the host gives hmacKeys, as JSON —
{"current":"k1","keys":{"k1":"<secret of 32+ characters>"}} — in the file --keys, or
in the environment variable GUARD_AUDIT_KEYS (keep secrets off the command line).

Options:
  --tenant <id>         the tenant whose chain to verify
  --db <file|url>       the database, as for guard migrate (default: GUARD_DATABASE_URL, else guard.db)
  --keys <keys.json>    the audit keys (default: GUARD_AUDIT_KEYS)
  --public-key <pem>    instead of the keys: the checkpoints' Ed25519 public key
  --table-prefix <p>    the prefix of Guard's tables (default guard_)
  --locale en|zh-CN     language of the messages (default: from LANG, else en)

Exit codes: 0 the chain verifies, 1 no such tenant, 2 usage error, 3 the chain is broken,
69 the database cannot be reached.
`,
  evidence: `guard evidence verify — re-check an evidence pack offline

Usage:
  guard evidence verify <pack.json> --public-key <audit.pub.pem>
  guard evidence verify <pack.json> [--keys <keys.json>]

Checks, with nothing but the pack and a key: the signature of the pack's audit
checkpoint, that its audit entries link one to the next up to that checkpoint,
that every section (customers, orders, approvals, handovers…) matches the
manifest, and that the chain records the manifest. Needs no database: a court, an
auditor or the employee's lawyer can run it.

When the host signs checkpoints with Ed25519 (ed25519Keys), the public key in PEM
is enough. Otherwise give the HMAC audit keys, as for guard audit verify.

Options:
  --public-key <pem>    the Ed25519 public key of the checkpoint (-----BEGIN PUBLIC KEY-----)
  --keys <keys.json>    the HMAC audit keys (default: GUARD_AUDIT_KEYS)
  --locale en|zh-CN     language of the messages (default: from LANG, else en)

Exit codes: 0 the pack verifies, 1 the file is not JSON, 2 usage error, 3 the pack
does not verify.
`,
  worker: `guard worker — fire due timers and relay effects to the host's webhook

Usage:
  guard worker --deliver <url> [--once] [--every <s>] [--db <file|url>] [--keys <keys.json>]

Does what Guard's worker does in a host process, for a host that would rather run it
as a separate service: fires every due timer (scheduled risk scans, offboarding
deadlines, follow-up rules, approval reminders), then delivers every due outbox
effect by POSTing it to --deliver as JSON:

  {"type":"notification","notification":{"id":…,"tenantId":…,"to":[…],"title":…,"body":…,"locale":…}}
  {"type":"effect","effect":{"id":…,"tenantId":…,"kind":"crm.transfer","idempotencyKey":…,"payload":{…}}}

Each request carries idempotency-key and x-guard-signature: sha256=<HMAC-SHA256 of
the body with GUARD_WEBHOOK_SECRET>; check the signature before acting. A 2xx answer
delivers the effect; anything else (or no answer within 10 s) is retried with
backoff, and after 10 attempts the effect is dead and HR is alerted. Delivery is at
least once: use the idempotency key. Several workers may run at once.

Options:
  --deliver <url>       the webhook (required)
  --once                run what is due once and exit (for cron); default: every --every seconds
                        until SIGINT or SIGTERM
  --every <s>           seconds between rounds, 1–3600 (default 30)
  --db <file|url>       the database, as for guard migrate
  --keys <keys.json>    the audit keys, as for guard audit verify (default: GUARD_AUDIT_KEYS):
                        what the worker does is audited
  --worker-id <id>      this worker's name in leases (default: a random id)
  --table-prefix <p>    the prefix of Guard's tables (default guard_)
  --locale en|zh-CN     language of the messages (default: from LANG, else en)

Environment: GUARD_WEBHOOK_SECRET (required, at least 32 characters).

Exit codes: 0 done (or stopped), 1 a timer failed (it is retried; see stderr),
2 usage error, 69 the database cannot be reached.
`,
};
