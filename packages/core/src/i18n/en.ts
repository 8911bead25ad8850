import type { Action, VerifyFailureReason } from '../domain/vocabulary.js';
import type { AnomalyActivity, MessageCatalog } from './catalog.js';
import { alertKindName, joined, kindName, list, money, refusal, s } from './format.js';

/** A person as texts name them: `孙丽 (e-0025)`, or the id alone when the directory has no name. */
/** A name with its id; the id alone when there is no name, or the name is the id (an erased person or customer). */
const named = (name: string | null, id: string): string => (name === null || name === id ? id : `${name} (${id})`);
/** The same, the name in quotes. */
const quoted = (name: string | null, id: string): string => (name === null || name === id ? id : `"${name}" (${id})`);

/**
 * Every text Guard shows, in English.
 *
 * @example
 * ```ts
 * import { messages } from '@guard/core';
 * messages('en').approvalTitles.export({ count: 1 }); // 'Export 1 customer'
 * ```
 */
export const en: MessageCatalog = {
  errors: {
    VALIDATION_FAILED: ({ what, issues }) => ({
      message: `Invalid ${en.inputs[what] ?? what}: ${issues.length} problem${issues.length === 1 ? '' : 's'} — ${list(issues, '; ')}.`,
      hint: 'Nothing was written. Fix the paths listed and try again.',
    }),
    NOT_FOUND: ({ entity, id, tenantId }) => ({
      message: `${en.entities[entity]} "${id}" was not found${tenantId ? ` in tenant "${tenantId}"` : ''}.`,
      hint:
        entity === 'tenant'
          ? 'Create the tenant first with guard.tenants.upsert({ id, name }).'
          : 'Check the id, or sync it into Guard before using it.',
    }),
    FORBIDDEN: ({ actorId, action, resourceId, reason }) => ({
      message: `"${actorId}" may not ${en.actions[action as Action] ?? action} "${resourceId}": ${en.reasons[reason]}`,
      hint: 'Do not retry as is: the access policy forbids it. The attempt has been audited.',
    }),
    CONFLICT: ({ entity, id, expected, actual }) => ({
      message: `${en.entities[entity]} "${id}" changed in the meantime (expected version ${expected ?? 'none'}, found ${actual ?? 'none'}).`,
      hint: 'Reload it, re-apply your change and try again.',
    }),
    STORE_FAILURE: ({ store, operation, detail }) => ({
      message: `The ${store} store failed during ${operation}: ${detail}`,
      hint: 'Check that the database is reachable and migrated; the transaction was rolled back.',
    }),
    AUDIT_KEY_UNAVAILABLE: ({ tenantId, keyId }) => ({
      message: `No audit signing key ${keyId ? `"${keyId}" ` : ''}is available for tenant "${tenantId}".`,
      hint: 'Configure a KeyProvider (e.g. hmacKeys({ current, keys })) that knows this key; keep retired keys for verification.',
    }),
    AUDIT_CHAIN_BROKEN: ({ tenantId, firstBadSeq, reason }) => ({
      message: `The audit chain of tenant "${tenantId}" is broken at entry #${firstBadSeq} (${en.auditFailures[reason as VerifyFailureReason] ?? reason}); a checkpoint would vouch for a tampered chain, so none was signed.`,
      hint: 'Run audit.verify() for the details, restore the entries from a backup, and keep the evidence: someone changed the database.',
    }),
    DATA_KEY_UNAVAILABLE: ({ tenantId, subject, problem, keyId }) => {
      const whose = `the personal data of ${en.entities[subject.type]} "${subject.id}" in tenant "${tenantId}"`;
      switch (problem) {
        case 'no-current-key':
          return {
            message: `Cannot encrypt ${whose}: the key provider has no data-key key for this tenant.`,
            hint: 'Give the KeyProvider a current key for the purpose "data-key" (hmacKeys serves every purpose); nothing was written.',
          };
        case 'unknown-key':
          return {
            message: `Cannot decrypt ${whose}: the key provider no longer knows key "${keyId ?? ''}", which wrapped its data key.`,
            hint: 'Put the retired key back in the KeyProvider; remove it only after privacy.rotateKeys() has rewrapped every data key.',
          };
        default:
          return {
            message: `Cannot decrypt ${whose}: the stored ciphertext or its wrapped data key failed authentication.`,
            hint: 'Someone changed the database outside Guard: restore the row from a backup and keep the evidence.',
          };
      }
    },
    LEGAL_HOLD: ({ tenantId, subject, holds }) => ({
      message: `${en.entities[subject.type]} "${subject.id}" in tenant "${tenantId}" is under legal hold, so nothing was erased: ${holds
        .map((h) =>
          h.on.type === 'offboarding'
            ? `hold "${h.id}" on offboarding case "${h.on.caseId}"`
            : `hold "${h.id}" on the evidence pack exported at audit entry #${h.on.exportSeq}`,
        )
        .join('; ')}.`,
      hint: 'Keep the data while the matter is open; once it is closed, release the holds (privacy.release) and erase again.',
    }),
    WORKFLOW_REJECTED: ({ workflowId, machine, state, event, actorId }) => ({
      message: `The ${en.machines[machine] ?? machine} workflow "${workflowId}" in state "${state}" does not accept ${event} from "${actorId}".`,
      hint: 'Reload the workflow: it may have moved on, or this person may not act on it at this step.',
    }),
    WORKFLOW_VERSION_UNKNOWN: ({ workflowId, machine, version, known }) => ({
      message: `Workflow "${workflowId}" was written by version ${version} of the ${en.machines[machine] ?? machine} machine, but this Guard only knows versions up to ${known}.`,
      hint: 'Upgrade Guard on this process to the release that wrote it; nothing was changed.',
    }),
    ACTOR_BLOCKED: ({ actorId, action, alertId }) => ({
      message: `"${actorId}" may not ${en.activities[action as AnomalyActivity] ?? action} in bulk: blocked by alert "${alertId}" after unusual activity.`,
      hint: 'A manager must review and resolve the alert (alerts.resolve) before bulk actions are possible again.',
    }),
    CONNECTOR_INCOMPLETE: ({ connector, missing }) => ({
      message: `Connector "${connector}" cannot do what the enabled features need: ${missing.map((m) => `${en.crmFeatures[m.feature]} needs \`${m.method}\``).join('; ')}.`,
      hint: 'Turn off the features this connector does not support, or use a connector (or a newer version of it) that implements them. Nothing was started.',
    }),
    CONNECTOR_FAILURE: ({ connector, operation, kind, detail, retryAfterMs }) => ({
      message: `Connector "${connector}" failed to ${en.crmOperations[operation]}: ${detail}`,
      hint: {
        auth: "The CRM refused the connector's credentials and a token refresh did not help: check the client id and secret (or private key, or corp secret), that they are not revoked, and the integration user's permissions in the CRM.",
        'rate-limited': `The CRM's API limit is used up${retryAfterMs === undefined ? '' : ` for about ${Math.ceil(retryAfterMs / 1000)} s`}; Guard retries later. If it keeps happening, sync less often or in smaller batches.`,
        unavailable:
          "The CRM did not answer in time or had a server error; Guard retries with backoff. If it persists, check the network and the CRM's status page.",
        rejected:
          'The CRM refused the request itself: fix what the detail names (for example an unmapped user or a deleted record). Sending it again unchanged will not help.',
      }[kind],
    }),
    CALLBACK_REJECTED: ({ connector, reason }) => ({
      message: `A callback said to come from "${connector}" was refused: ${
        {
          signature: 'its signature does not match',
          decrypt: 'its message could not be decrypted',
          receiver: 'it was encrypted for another corp or app',
          format: 'it is not a callback message',
        }[reason]
      }.`,
      hint:
        reason === 'format'
          ? 'Answer it with HTTP 400. If real callbacks are refused, check the URL configured in the CRM.'
          : 'Answer it with HTTP 403. If real callbacks are refused, check the Token, the EncodingAESKey and the corp id configured for the callback; anything else is not from the CRM.',
    }),
  },
  obligations: {
    'confidentiality-notice':
      'Confidential: this customer information is a trade secret of the company. Do not copy or disclose it.',
    approval: 'This action needs an approved request before it can proceed.',
    watermark: 'The export will be watermarked with your employee id.',
    flag: 'This access is flagged for review.',
  },
  reasons: {
    allowed: 'allowed by the access policy.',
    'no-matching-rule': 'no rule grants this access (default deny).',
    'denied-by-rule': 'a deny rule forbids this access.',
    'subject-frozen': 'the account is frozen.',
    'subject-departed': 'the employee has left the company.',
    'resigning-restricted': 'staff who are resigning may only read their own customers.',
  },
  entities: {
    tenant: 'Tenant',
    unit: 'Org unit',
    employee: 'Employee',
    customer: 'Customer',
    workflow: 'Workflow',
    alert: 'Alert',
    agreement: 'Agreement',
    order: 'Order',
    record: 'Record',
    training: 'Training assignment',
    'rule pack': 'Rule pack',
    'audit entry': 'Audit entry',
    checkpoint: 'Audit checkpoint',
    key: 'Key',
    'legal hold': 'Legal hold',
    settings: 'The settings of tenant',
  },
  alerts: {
    'bulk-view': 'Unusually many customers viewed in a short time',
    'bulk-export': 'Unusually many customers exported in a short time',
    'bulk-delete': 'Unusually many customers deleted in a short time',
    'after-hours-access': 'Customer data accessed outside working hours',
    'repeated-denied-access': 'Repeated attempts to open customers the employee may not see',
    'bulk-ownership-change': 'Unusually many customer ownership changes in a short time',
    'follow-up-overdue': 'Customer without follow-up for too long',
    'offboarding-escalated': 'Offboarding handover still open as the last working day nears',
    'handover-successor-unavailable': 'Customers could not go to a successor (no longer active, or none planned)',
    'non-compete-compensation-overdue':
      'Non-compete compensation not paid on time (the restriction may be unenforceable)',
    'agreement-unsigned': 'Agreement still unsigned after every reminder',
    'risk-threshold': 'Risk score above the alert threshold',
    'outbox-effect-dead': 'A CRM transfer or notification could not be delivered after every retry',
    'audit-chain-broken': 'The audit trail failed verification',
    'crm-transfer-failed': 'A CRM did not take an ownership change',
    'crm-owner-differs': 'A customer has another owner in the CRM than in Guard',
  },
  actions: {
    read: 'read',
    update: 'update',
    delete: 'delete',
    export: 'export',
    transfer: 'transfer',
    claim: 'claim',
  },
  crmFeatures: {
    'customer-sync': 'customer sync',
    'order-sync': 'order sync',
    'activity-sync': 'activity sync',
    'ownership-transfer': 'ownership transfer',
  },
  crmOperations: {
    listCustomers: 'list customers',
    listOrders: 'list orders',
    listActivities: 'list activities',
    mapUsers: 'match employees to CRM users',
    transferOwnership: 'transfer ownership',
    transferStatus: 'check pending transfers',
    contactStats: 'read contact statistics',
  },
  activities: {
    view: 'view',
    export: 'export',
    delete: 'delete',
    ownershipChange: 'ownership change',
    afterHours: 'after-hours access',
    denied: 'refused read',
  },
  machines: {
    approval: 'approval',
    claim: 'claim',
    offboarding: 'offboarding',
    agreement: 'agreement',
  },
  auditFailures: {
    'sequence-gap': 'an entry is missing',
    'sequence-disorder': 'entries are out of order',
    'broken-link': 'an entry does not link to the one before it',
    'wrong-tenant': 'an entry belongs to another tenant',
    'hash-mismatch': 'an entry was changed',
    'checkpoint-mismatch': 'the chain does not match a checkpoint',
    truncated: 'entries were cut off the end',
    'checkpoint-signature': 'a checkpoint signature is not valid',
    'seal-mismatch': 'an entry was not sealed with the key',
    'head-mismatch': 'the chain does not end at the sealed head',
  },
  summaries: {
    anomaly: ({ name, employeeId, activity, count, windowMinutes, limit, resigning }) =>
      `${named(name, employeeId)}: ${count} ${en.activities[activity]} events in ${windowMinutes} min (limit ${limit}${resigning ? ', lowered while resigning' : ''}).`,
    followUpOverdue: ({ ownerId, ownerName, count, customers, days }) =>
      `${count} customer(s) of ${named(ownerName, ownerId)} have had no follow-up for ${days} days or more: ${customers.join(', ')}.`,
    successorUnavailable: ({ count, unplanned, employeeId, employeeName, to }) =>
      `${count} customer(s) of ${named(employeeName, employeeId)} could not go to a successor (${count - unplanned} whose planned successor is no longer active, ${unplanned} that came after the checklist was built); they went to ${to ?? 'the public pool'} for a new decision.`,
    offboardingEscalated: ({ employeeId, employeeName, openItems, lastWorkingDay }) =>
      `The handover of ${named(employeeName, employeeId)} still has ${openItems} item(s) not accepted; the last working day is ${lastWorkingDay}.`,
    compensationOverdue: ({ employeeId, employeeName, month }) =>
      `Non-compete compensation for month ${month} of ${named(employeeName, employeeId)} is unpaid after the grace period; an unpaid non-compete may not be enforceable.`,
    agreementUnsigned: ({ employeeId, employeeName, title, templateId, version, reminders }) =>
      `${named(employeeName, employeeId)} has not signed "${title}" (${templateId} v${version}) after ${reminders} reminders.`,
    riskThreshold: ({ pack, subject, subjectId, subjectName, score, threshold, reasons }) =>
      `${pack}: ${subject} ${quoted(subjectName, subjectId)} scored ${score} (alert at ${threshold})${reasons.length > 0 ? ` — ${reasons.join('; ')}` : ''}`,
    effectDead: ({ effect, key, attempts, lastError }) =>
      `The ${effect === 'crm.transfer' ? 'CRM transfer' : effect === 'notify' ? 'notification' : 'outbox'} effect ${key} failed ${attempts} times and was given up: ${lastError}`,
    crmTransferFailed: ({ connector, customerId, customerName, to, code }) =>
      `${connector} did not move ${named(customerName, customerId)} to ${to ?? 'the public pool'}: ${refusal(en.crmRefusals, code, (c) => `refused with code ${c}; see the alert's evidence`)}`,
    crmOwnerDiffers: ({ connector, customerId, customerName, guardOwner, crmOwner, knownInGuard }) =>
      `${named(customerName, customerId)} belongs to ${guardOwner ?? 'the public pool'} in Guard but to ${crmOwner === null ? 'the pool' : knownInGuard ? crmOwner : `CRM user ${crmOwner}, who is no Guard employee`} in ${connector}: decide who owns it, then transfer it in Guard (Guard moves the CRM along) or correct it in the CRM.`,
  },
  crmRefusals: {
    NOT_FOUND: "the customer is not in the CRM: check the customer's id there (externalRefs)",
    OBJECT_NOT_FOUND: "the customer is not in the CRM: check the customer's id there (externalRefs)",
    OWNER_CHANGED:
      'someone else owns the customer in the CRM than Guard expected: decide who owns it, then transfer it in Guard',
    CUSTOMER_REFUSED: 'the customer refused the new contact: choose another successor',
    TAKEOVER_LIMIT: "the successor's customer limit is reached: choose another successor",
    TRANSFER_LIMIT: 'the CRM allows no more transfers of this customer for now: try again after its limit period',
    NOT_VERIFIED: 'the successor has not verified their account in the CRM: ask them to, or choose another successor',
    NO_POOL_MEMBER: 'the connector has no public-pool user: set its pool option',
    NO_CRM_USER:
      'an employee of the move has no user in the CRM: give them one, or their CRM user id in the directory (externalRefs)',
    NOT_TRANSFERRED: 'the CRM has no record of the transfer: transfer the customer again',
    TIMED_OUT: 'the CRM did not complete the transfer in time: check it there',
    VALIDATION_ERROR: 'the CRM refused the new owner: check that the successor is a valid user there',
  },
  approvalKinds: {
    'customer-export': 'customer export',
    'large-discount': 'large discount',
    'special-terms': 'special terms',
    'ownership-claim': 'customer claim',
    'ownership-transfer': 'customer transfer',
    'offboarding-signoff': 'offboarding sign-off',
    'customer-delete': 'customer deletion',
  },
  approvalTitles: {
    claim: ({ customer }) => `Claim ${customer}`,
    transfer: ({ customer, to }) => `Transfer ${customer} to ${to}`,
    export: ({ count }) => `Export ${count} customer${count === 1 ? '' : 's'}`,
    delete: ({ count }) => `Delete ${count} customer${count === 1 ? '' : 's'}`,
    offboardingSignoff: ({ employee }) => `Offboarding sign-off: ${employee}`,
  },
  checklist: {
    communication: ({ customer }) => `Conversations and chat history with ${customer}`,
    confirmation: ({ customer }) => `Signed handover confirmation for ${customer}`,
    visit: ({ customer }) => `Planned visits to ${customer}`,
    order: ({ title }) => title,
    receivable: ({ title }) => `Receivable: ${title}`,
    untitledOrder: ({ orderId }) => `Order ${orderId}`,
    unreadableOrder: ({ issue }) => `The order record could not be read (${issue}); check it in the CRM.`,
  },
  inputs: {
    'agreement assignment': 'agreement assignment',
    'agreement id': 'agreement id',
    'agreement revocation': 'agreement revocation',
    'agreement signature': 'agreement signature',
    'agreement template': 'agreement template',
    'alert id': 'alert id',
    'alert query': 'alert query',
    'alert acknowledgement': 'alert acknowledgement',
    'alert resolution': 'alert resolution',
    'approval id': 'approval id',
    'approval inbox': 'approval inbox request',
    'approval request': 'approval request',
    'approval decision': 'approval decision',
    'audit data': 'audit data',
    'audit entry': 'audit entry',
    'audit query': 'audit query',
    'audit verify options': 'audit verify options',
    'backtest baseline': 'backtest baseline',
    'backtest history': 'backtest history',
    checkpoint: 'checkpoint',
    claim: 'claim',
    'claim id': 'claim id',
    'claim withdrawal': 'claim withdrawal',
    'createGuard options': 'createGuard options',
    cursor: 'cursor',
    customer: 'customer',
    'customer id': 'customer id',
    'customer upsert options': 'customer upsert options',
    'customer batch options': 'customer batch options',
    customers: 'customers',
    'dead effects page': 'dead effects page request',
    'decision request': 'decision request',
    delegation: 'delegation',
    'delete request': 'delete request',
    'directory sync': 'directory sync',
    'directory sync options': 'directory sync options',
    'employee id': 'employee id',
    'employee page': 'employee page',
    'evidence pack request': 'evidence pack request',
    'export download': 'export download',
    'export id': 'export id',
    'export request': 'export request',
    'facts line': 'facts line',
    'follow-up': 'follow-up',
    'history line': 'history line',
    'kyselyStore options': 'kyselyStore options',
    'list request': 'list request',
    offboarding: 'offboarding',
    'offboarding case id': 'offboarding case id',
    'offboarding sign-off': 'offboarding sign-off',
    'offboarding sign-off rejection': 'offboarding sign-off rejection',
    'approval rejection': 'approval rejection',
    'approval resubmission': 'approval resubmission',
    'approval send-back': 'approval send-back',
    'approval withdrawal': 'approval withdrawal',
    'non-compete payment': 'non-compete payment',
    'offboarding acceptance': 'offboarding acceptance',
    'offboarding actor': 'offboarding actor',
    'offboarding cancellation': 'offboarding cancellation',
    'offboarding handover': 'offboarding handover',
    'offboarding item': 'offboarding item',
    'offboarding items': 'offboarding items submission',
    'offboarding return': 'offboarding return',
    'offboarding successor': 'offboarding successor',
    'onboarding agreements': 'onboarding agreements',
    page: 'page request',
    policy: 'policy',
    'read request': 'read request',
    'record write': 'record write',
    'release to the public pool': 'release to the public pool',
    'risk scan': 'risk scan',
    'risk history options': 'risk history options',
    'risk score options': 'risk score options',
    'rule pack options': 'rule pack options',
    'risk schedule': 'risk schedule',
    'risk subject': 'risk subject',
    'rule pack': 'rule pack',
    'key rotation options': 'key rotation options',
    'legal hold': 'legal hold',
    'legal hold release': 'legal hold release',
    'legal hold query': 'legal hold query',
    'retention options': 'retention options',
    'erasure request': 'erasure request',
    'settings options': 'settings options',
    signal: 'signal',
    signals: 'signals',
    'signals options': 'signals options',
    orders: 'orders',
    'orders options': 'orders options',
    'stored tenant settings': 'stored tenant settings',
    'template id': 'template id',
    'template version': 'template version',
    tenant: 'tenant',
    'tenant id': 'tenant id',
    'tenant options': 'tenant options',
    'tenant settings': 'tenant settings',
    'training assignment': 'training assignment',
    'training result': 'training result',
    'transfer request': 'transfer request',
    'worker options': 'worker options',
    connector: 'CRM connector',
    'connector options': 'connector options',
    'CRM list request': 'CRM listing request',
    'CRM transfer request': 'CRM ownership transfer',
    'CRM transfer query': 'CRM transfer query',
    'CRM sync options': 'CRM sync options',
  },
  validation: {
    'id-format': () => 'must be 1–128 characters of letters, digits and . _ : @ - (starting with a letter, digit or _)',
    'field-key-format': () => 'must start with a letter and use only letters, digits, _ and - (at most 64 characters)',
    'reserved-word': () => 'is a reserved word',
    date: () => 'must be a date written YYYY-MM-DD',
    'date-time': () => 'must be an ISO 8601 date-time with Z or an offset',
    'time-zone': () => 'must be an IANA time zone such as "Asia/Shanghai" or "UTC"',
    currency: () => 'must be an ISO 4217 code such as "CNY"',
    'finite-number': () => 'must be a finite number',
    'kebab-case': ({ example }) => `must be kebab-case, e.g. "${example}"`,
    'dotted-kebab-case': () => 'must be dotted kebab-case, e.g. "customer.read"',
    'time-of-day': () => 'must be a 24-hour time of day as HH:MM, e.g. "22:00"',
    'at-least': ({ other }) => `must be at least ${other}`,
    'settings-object': () => 'must be a JSON object of settings',
    'plain-json': () => 'must be plain JSON data (an object or an array), not a Date, a Map or a class instance',
    'quota-reached': ({ quota }) => `daily claim quota of ${quota} reached`,
    'customer-cap': ({ owned, cap }) => `already owns ${owned} customers (cap ${cap})`,
    'follow-up-in-future': () => 'a follow-up cannot be in the future',
    'repeated-customer': () => 'must not repeat a customer',
    'repeated-class': () => 'must not repeat a class',
    'unknown-field-class': ({ name, classes }) => `"${name}" is not a field class of the policy (${classes})`,
    'unknown-unit': ({ id }) => `unit "${id}" does not exist`,
    'unknown-employee': ({ id }) => `employee "${id}" does not exist`,
    'erase-departed-only': ({ id, status }) =>
      `employee "${id}" is ${{ active: 'active', resigning: 'resigning', frozen: 'frozen', departed: 'departed' }[status]}: only a departed employee's personal data can be erased — finish their offboarding first`,
    'customer-or-employee': () => 'give either customerId or employeeId, not both',
    'unknown-hold-target': ({ id }) =>
      `"${id}" is neither an offboarding case nor the audit entry of an evidence export in this tenant`,
    'unknown-customer': ({ id }) => `customer "${id}" does not exist`,
    'signal-in-future': () => 'a signal cannot be in the future',
    'order-in-future': () => 'an order cannot be placed in the future',
    'unstorable-text': () =>
      'must not contain a NUL character or a lone UTF-16 surrogate; clean the text before sending it',
    'whole-number': () => 'must be a whole number',
    'expected-version': () => 'must be null or a whole number ≥ 0',
    cursor: () => 'is not a cursor returned by a previous page',
    'store-option': () => 'must be a Store (e.g. memoryStore() or a SQL store) with transaction() and close()',
    'keys-option': () => 'must be a KeyProvider with currentKey() and keyById(), e.g. hmacKeys({ current, keys })',
    'clock-option': () => 'must be a Clock with now()',
    'ids-option': () => 'must be an IdGenerator with next(prefix)',
    'notifier-option': () => 'must be a Notifier with send(notification)',
    function: () => 'must be a function',
    'abort-signal': () => 'must be an AbortSignal',
    'one-handler-per-kind': ({ kind }) =>
      `effects of kind "${kind}" already have a handler: give each kind one handler, in effects or batchEffects (notify goes to the notifier)`,
    'crm-id': () => 'must be a CRM id: 1 to 256 characters, none of them a control character',
    'crm-connector': () =>
      'must be a CRM connector: an object with a name and capabilities, such as salesforceConnector(…) returns',
    email: () => 'must be an e-mail address, like name@example.com',
    mobile: () => 'must be a phone number: 5 to 20 digits, optionally after a +',
    'https-url': () => 'must be an https URL (plain http is allowed on loopback only, for test servers)',
    'root-unit-not-hq': () => 'only the HQ may have no parent: give this unit a parentId, or make it kind "hq"',
    'unit-cycle': ({ parent }) => `"${parent}" makes the org tree a cycle`,
    'unit-below-itself': ({ parent, id }) => `"${parent}" is below "${id}": the org tree would be a cycle`,
    'unit-kind-under': ({ kind, parentKind }) =>
      `a ${kind} cannot sit under a ${parentKind} (hq > region > branch > team, from the top)`,
    'self-manager': () => 'an employee cannot manage themselves',
    'pem-private-key': () => 'must be a private key in PEM format (-----BEGIN PRIVATE KEY-----)',
    'api-version': ({ example, min }) => `must be an API version like ${example}, ${min} or later`,
    'template-id': () => 'must be 1–100 letters, digits or . _ : - (no @)',
    'before-resignation': () => 'must not be before the resignation date',
    'end-after-start': () => 'must be after start',
    'end-within-ten-years': () => 'must be at most ten years after start',
    'customer-item-needs-customer': () => 'is required for a customer item',
    'currency-with-amount': () => 'must be given exactly when amountMinor is',
    'not-the-leaver': () => 'must not be the leaving employee',
    'successor-not-active': ({ id, status }) => `must be an active employee ("${id}" is ${status})`,
    'not-unique': () => 'is not unique',
    'open-at-start': () => 'must be open when the workflow starts',
    'second-customer-item': () => 'has another customer item',
    sha256: () => 'must be a SHA-256 digest in 64 lowercase hex digits',
    'hex-64': () => 'must be 64 lowercase hex digits',
    'signature-hex': () => 'must be 64 (HMAC) or 128 (Ed25519) lowercase hex digits',
    'approval-needs-level': () => 'an approval needs at least one level',
    'needs-approver': () => 'needs at least one approver',
    'until-after-from': () => 'until must be after from',
    'no-self-delegation': () => 'cannot delegate to yourself',
    'kind-not-requestable': ({ kind, owner }) =>
      `"${kind}" approvals change Guard when approved and are started by ${owner}; approvals.request starts only large-discount and special-terms`,
    'comparison-needs-operator': () => 'needs at least one of gt, gte, lt, lte, eq',
    'in-or-not-in': () => 'needs exactly one of "in" or "notIn"',
    'policy-time': () => 'must be a 24-hour time "HH:MM", e.g. "22:00"',
    'empty-time-window': () => 'must differ from "from" (an empty window is never what you mean)',
    'allow-only': ({ key }) => `only allow rules may have "${key}"`,
    duplicate: ({ value, first }) => `"${value}" is a duplicate (first used at index ${first})`,
    'signal-needs-employee': ({ kind }) => `a "${kind}" signal needs the employeeId`,
    'signal-needs-customer': ({ kind }) => `a "${kind}" signal needs the customerId`,
    'custom-signal-kind': () =>
      'must be "x-" and lowercase words joined by "-", each starting with a letter, e.g. "x-usb-copy" (at most 48 characters)',
    'unknown-signal-kind': ({ kind, suggestion }) =>
      `unknown signal kind "${kind}"${suggestion ? `; did you mean "${suggestion}"?` : '.'} A kind of your own starts with "x-" (e.g. "x-usb-copy") and is declared in the tenant settings under risk.customSignals`,
    'undeclared-signal-kind': ({ kind }) =>
      `"${kind}" is not declared for this tenant: add { "kind": "${kind}", "label": { "en": …, "zh-CN": … } } to the settings under risk.customSignals first`,
    'signal-subject-not-declared': ({ kind, field }) =>
      `"${kind}" signals do not count for ${field === 'employeeId' ? 'employees' : 'customers'} (see its subjects under risk.customSignals): remove ${field}, or add "${field === 'employeeId' ? 'employee' : 'customer'}" to its subjects`,
    'custom-signal-in-use': ({ kind, pack, fact }) =>
      `"${kind}" cannot be removed or narrowed: the installed rule pack "${pack}" reads its fact "${fact}". Change or remove that pack first`,
    'undeclared-custom-fact': ({ fact, kind }) =>
      `"${fact}" is a fact of the custom signal kind "${kind}", which is not declared for this subject: declare it in the tenant settings under risk.customSignals (with the CLI, pass --settings)`,
    'pack-id': () => 'must be lowercase letters, digits, ".", "_" or "-" (1–100)',
    'fact-value': ({ listItems }) =>
      `must be a finite number, a boolean, a string of at most 500 characters, a list of at most ${listItems} of them, or { "fact": "<another fact>" }`,
    'condition-shape': () => 'a condition must have exactly one of "all", "any", "not" or "fact"',
    'top-level-group': () => 'the top level must be "all", "any" or "not" (json-rules-engine needs a group here)',
    'risk-event': () => 'the event type must be "risk"',
    semver: () => 'must be a semantic version such as "1.0.0"',
    'watch-below-alert': () => 'watch must be below alert',
    'unknown-fact': ({ subject, fact, otherSubject, suggestion }) =>
      `unknown ${subject} fact "${fact}"${
        otherSubject
          ? ` (it is ${otherSubject === 'employee' ? 'an' : 'a'} ${otherSubject} fact; this pack scores ${subject}s)`
          : suggestion
            ? `; did you mean "${suggestion}"?`
            : '; `guard rules schema` lists the facts'
      }`,
    'unknown-operator': ({ operator, operators }) =>
      `unknown operator ${operator}; use one of ${operators} (custom operators and decorators are not accepted)`,
    'jsonpath-not-evaluated': () => '"path" (JSONPath) is not evaluated; use a built-in fact instead',
    'fact-params': () => 'fact "params" are not supported; built-in facts take none',
    'unknown-keys': ({ keys }) => `unknown key(s) ${keys}`,
    'not-a-policy-field-class': ({ key, classes }) => `"${key}" is not one of the policy's fieldClasses (${classes})`,
    'conditions-too-deep': ({ depth }) => `conditions nest more than ${depth} levels deep; flatten them`,
    'fact-type-mismatch': ({ name, type, otherName, otherType }) =>
      `${name} is a ${type} but ${otherName} is a ${otherType}`,
    'duplicate-rule-name': ({ name, first }) => `the name "${name}" is already used by rules[${first}]`,
    'unknown-placeholder': ({ placeholder, read }) =>
      `{{${placeholder}}} is not a fact this rule reads (${read || 'none'})`,
    'unknown-tag': ({ tag }) => `no rule has the tag "${tag}"`,
    'too-many-conditions': ({ count, limit }) => `the pack has ${count} conditions; the limit is ${limit}`,
    'pack-too-large': ({ bytes, limit }) => `the pack is ${bytes} bytes of JSON; the limit is ${limit}`,
    'baseline-subject': ({ baseline, baselineSubject, pack, packSubject }) =>
      `the baseline ${baseline} scores ${baselineSubject}s but ${pack} scores ${packSubject}s`,
    'nested-too-deep': ({ depth }) => `nested more than ${depth} levels deep`,
    'forbidden-key': ({ key }) => `the key "${key}" is not allowed`,
  },
  notifications: {
    'approval.requested': (d) => ({
      title: `Approval needed: ${s(d.title, kindName(en, d.kind))}`,
      body: `${s(d.requester)} asks for your approval (${kindName(en, d.kind)}).`,
    }),
    'approval.escalated': (d) => ({
      title: `Escalated approval: ${s(d.title, kindName(en, d.kind))}`,
      body: 'The approvers did not decide in time; you may decide for the whole level.',
    }),
    'approval.sent-back': (d) => ({
      title: `Changes requested: ${s(d.title, kindName(en, d.kind))}`,
      body: `Your request was sent back: ${s(d.reason)}. Change it and resubmit, or withdraw it.`,
    }),
    'approval.approved': (d) => ({
      title: `Approved: ${s(d.title, kindName(en, d.kind))}`,
      body: 'Your request was approved.',
    }),
    'approval.rejected': (d) => ({
      title: `Rejected: ${s(d.title, kindName(en, d.kind))}`,
      body: `Your request was rejected: ${s(d.reason, 'no reason given')}.`,
    }),
    'approval.withdrawn': (d) => ({
      title: `Withdrawn: ${s(d.title, kindName(en, d.kind))}`,
      body: 'The request was withdrawn.',
    }),
    'claim.owned': (d) => ({
      title: 'Customer claimed',
      body: `Customer ${s(d.customerId)} is now yours. Record a follow-up soon.`,
    }),
    'claim.lost': (d) => ({ title: 'Claim not possible', body: `Customer ${s(d.customerId)} was taken first.` }),
    'claim.rejected': (d) => ({
      title: 'Claim rejected',
      body: `Your claim on customer ${s(d.customerId)} was rejected.`,
    }),
    'follow-up.reminder': (d) => ({
      title: 'Follow up with your customer',
      body: `No follow-up with ${s(d.customerName, s(d.customerId))} for ${s(d.days)} days.`,
    }),
    'follow-up.manager-alert': (d) => ({
      title: 'Customer without follow-up',
      body: `${s(d.ownerId)} has not followed up with ${s(d.customerName, s(d.customerId))} for ${s(d.days)} days.`,
    }),
    'follow-up.digest': (d) => ({
      title: 'Customers without follow-up',
      body: `${s(d.count)} customer(s) of ${s(d.ownerName, s(d.ownerId))} have had no follow-up for ${s(d.days)} days or more: ${joined(d.customers, ', ')}.`,
    }),
    'follow-up.returned-to-pool': (d) => ({
      title: 'Customer returned to the public pool',
      body: `${s(d.customerName, s(d.customerId))} went back to the public pool after ${s(d.days)} days without follow-up.`,
    }),
    'offboarding.started': (d) => ({
      title: 'Offboarding started',
      body: `Handover for ${s(d.employeeId)} has started; last working day ${s(d.lastWorkingDay)}.`,
    }),
    'offboarding.review': (d) => ({
      title: 'Handover ready for review',
      body: `${s(d.employeeId)} submitted the handover checklist for review.`,
    }),
    'offboarding.items-returned': () => ({
      title: 'Handover items sent back',
      body: 'Your manager sent some handover items back; see the reasons and resubmit them.',
    }),
    'offboarding.escalated': (d) => ({
      title: 'Handover overdue',
      body: `The last working day of ${s(d.employeeId)} is near and ${s(d.openItems)} handover items are still open.`,
    }),
    'noncompete.compensation-due': (d) => ({
      title: 'Non-compete compensation due',
      body: `Month ${s(d.month)} of ${s(d.employeeId)}'s non-compete: pay ${money(d.amountMinor, d.currency)}.`,
    }),
    'noncompete.compensation-overdue': (d) => ({
      title: 'Non-compete compensation overdue',
      body: `Month ${s(d.month)} for ${s(d.employeeId)} is unpaid. An unpaid non-compete may not be enforceable.`,
    }),
    'noncompete.ending-soon': (d) => ({
      title: 'Non-compete ending soon',
      body: `The non-compete of ${s(d.employeeId)} ends on ${s(d.end)}.`,
    }),
    'agreement.assigned': (d) => ({
      title: `Please sign: ${s(d.title)}`,
      body: 'A new agreement is waiting for your signature.',
    }),
    'agreement.reminder': (d) => ({ title: `Reminder: sign ${s(d.title)}`, body: 'This agreement is still unsigned.' }),
    'training.assigned': (d) => ({ title: `Training: ${s(d.title)}`, body: `Please complete it by ${s(d.dueAt)}.` }),
    'alert.raised': (d) => ({ title: `Alert: ${s(d.title, alertKindName(en, d.kind))}`, body: s(d.summary) }),
  },
};
