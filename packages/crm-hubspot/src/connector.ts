import {
  type CrmCapabilities,
  type CrmConnector,
  type CrmCustomer,
  type CrmListRequest,
  type CrmMethod,
  type CrmMoveResult,
  type CrmOrder,
  type CrmPage,
  foreignCursorError,
  parseCrmListRequest,
  parseCrmTransferRequest,
} from '@guard/core';
import type { Client } from '@hubspot/api-client';
import { type HubSpotConnectorOptions, parseOptions } from './options.js';
import { type HubSpotCall, HubSpotSession } from './session.js';

/** HubSpot's batch APIs take at most 100 inputs. */
const MAX_BATCH = 100;
/** A search page holds at most 200 results. */
const MAX_PAGE = 200;

/** An object as the SDK returns it. */
interface HsObject {
  readonly id: string;
  readonly properties: Readonly<Record<string, string | null | undefined>>;
}

interface SearchPage {
  readonly results: readonly HsObject[];
  readonly paging?: { readonly next?: { readonly after?: string } } | undefined;
}

interface BatchAnswer {
  readonly results?: readonly HsObject[];
  readonly errors?: readonly {
    readonly category?: string;
    readonly message?: string;
    readonly context?: { readonly ids?: readonly string[] };
  }[];
}

/**
 * A listing's place: every object up to `(modified, objectId)` has been
 * listed. `null` at the beginning.
 */
type Place = { readonly modified: number; readonly objectId: number } | null;

const CURSOR = /^hs1\|(?:(\d{1,15})\|(\d{1,15}))?$/;
const encodeCursor = (place: Place) => (place === null ? 'hs1|' : `hs1|${place.modified}|${place.objectId}`);

const modifiedOf = (o: HsObject) => Date.parse(String(o.properties.hs_lastmodifieddate ?? ''));
const objectIdOf = (o: HsObject) => Number(o.properties.hs_object_id ?? o.id);
const byPlace = (a: HsObject, b: HsObject) => modifiedOf(a) - modifiedOf(b) || objectIdOf(a) - objectIdOf(b);

const iso = (value: string | null | undefined): string | null => {
  if (value === null || value === undefined || value === '') return null;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * A Guard `CrmConnector` for HubSpot, on `@hubspot/api-client` 13 (a peer
 * dependency):
 * - `listCustomers` and `listOrders` search companies and deals, oldest
 *   change first, by `(hs_lastmodifieddate, hs_object_id)`: the cursor is
 *   the last object's pair, so a sync resumes exactly where it stopped,
 *   and objects that changed in the same millisecond are neither skipped
 *   nor listed twice (HubSpot's search sorts on one property only).
 *   A deal's customer is its primary company (associations v4).
 * - `mapUsers` matches active owners by e-mail, in any case.
 * - `transferOwnership` reads the companies' owners now, sets
 *   `hubspot_owner_id` on those still owned by `fromUserId` in one batch
 *   update (at most 100), answers `done` for companies already with the new
 *   owner — so a batch sent again moves nothing twice — and reports each
 *   record HubSpot refused (207) by its `category`.
 *
 * 429s (HubSpot's secondly limit), 5xx, timeouts and dropped connections
 * are retried with backoff; the daily limit fails at once, saying how long
 * to wait. What still fails is a `ConnectorError` saying what to do.
 *
 * @throws ValidationError (`what: 'connector options'`) naming each bad option.
 *
 * @example
 * ```ts
 * import { hubspotConnector } from '@guard/crm-hubspot';
 * const hubspot = hubspotConnector({ auth: { accessToken: process.env.HUBSPOT_TOKEN ?? '' } });
 * const page = await hubspot.listCustomers?.({ tenantId: 'acme', cursor: null, limit: 100 });
 * page?.items[0]; // { externalId: '512', name: '华东机电', ownerUserId: '41629779', updatedAt: '2026-…Z' }
 * ```
 */
export function hubspotConnector(options: HubSpotConnectorOptions): CrmConnector {
  const parsed = parseOptions(options);
  const session = new HubSpotSession(parsed);
  const name = session.name;
  const currency = parsed.currency ?? 'CNY';
  const localeOption = parsed.locale === undefined ? {} : { locale: parsed.locale };
  const capabilities: CrmCapabilities = {
    customers: true,
    orders: true,
    activities: false,
    users: true,
    transfer: { maxBatch: MAX_BATCH, completesLater: false },
    maxPageSize: MAX_PAGE,
  };

  const decodeCursor = (cursor: string | null, operation: CrmMethod): Place => {
    if (cursor === null) return null;
    const match = CURSOR.exec(cursor);
    if (match === null) throw foreignCursorError(name, operation, cursor, localeOption);
    return match[1] === undefined ? null : { modified: Number(match[1]), objectId: Number(match[2]) };
  };

  type ObjectType = 'companies' | 'deals';
  const searchApi = (client: Client, type: ObjectType) =>
    type === 'companies' ? client.crm.companies.searchApi : client.crm.deals.searchApi;

  /**
   * One page of objects changed after `place`: first the rest of the
   * objects that changed at the very moment of `place` (by id), then later
   * ones (by time). A full page of later ones may end inside a moment whose
   * other objects HubSpot has not returned yet: that moment is left for the
   * next page, which reads it by id.
   */
  const page = async (
    call: HubSpotCall,
    type: ObjectType,
    properties: readonly string[],
    start: Place,
    limit: number,
  ): Promise<{ items: HsObject[]; place: Place; caughtUp: boolean }> => {
    const items: HsObject[] = [];
    let place = start;
    const search = (filters: object[], sortBy: string, size: number) =>
      call(
        (client) =>
          searchApi(client, type).doSearch({
            filterGroups: filters.length === 0 ? [] : [{ filters }],
            // The wire takes sort objects; the SDK's type says strings and passes either through.
            sorts: [{ propertyName: sortBy, direction: 'ASCENDING' }] as unknown as string[],
            properties: [...properties, 'hs_lastmodifieddate', 'hs_object_id'],
            limit: size,
            after: '0',
          } as never) as Promise<SearchPage>,
      );
    while (items.length < limit) {
      if (place !== null) {
        const sameMoment = await search(
          [
            { propertyName: 'hs_lastmodifieddate', operator: 'EQ', value: String(place.modified) },
            { propertyName: 'hs_object_id', operator: 'GT', value: String(place.objectId) },
          ],
          'hs_object_id',
          limit - items.length,
        );
        const found = [...sameMoment.results].sort(byPlace);
        items.push(...found);
        const last = found.at(-1);
        if (last !== undefined) place = { modified: place.modified, objectId: objectIdOf(last) };
        if (sameMoment.paging?.next !== undefined) return { items, place, caughtUp: false };
        if (items.length >= limit) break;
      }
      const later = await search(
        place === null ? [] : [{ propertyName: 'hs_lastmodifieddate', operator: 'GT', value: String(place.modified) }],
        'hs_lastmodifieddate',
        limit - items.length,
      );
      const found = [...later.results].sort(byPlace);
      if (later.paging?.next === undefined) {
        items.push(...found);
        const last = found.at(-1);
        if (last !== undefined) place = { modified: modifiedOf(last), objectId: objectIdOf(last) };
        return { items, place, caughtUp: true };
      }
      // More are waiting: keep the moments seen whole, and read the last one by id next.
      const lastMoment = modifiedOf(found.at(-1) as HsObject);
      const whole = found.filter((o) => modifiedOf(o) < lastMoment);
      items.push(...whole);
      place = { modified: lastMoment, objectId: 0 };
    }
    return { items, place, caughtUp: false };
  };

  const list = async <T>(
    type: ObjectType,
    operation: CrmMethod,
    properties: readonly string[],
    input: CrmListRequest,
    map: (objects: readonly HsObject[], call: HubSpotCall) => Promise<T[]>,
  ): Promise<CrmPage<T>> => {
    const request = parseCrmListRequest(input, capabilities, localeOption);
    const start = decodeCursor(request.cursor, operation);
    return session.run(operation, request.signal, async (call) => {
      const result = await page(call, type, properties, start, request.limit);
      return { items: await map(result.items, call), cursor: encodeCursor(result.place), caughtUp: result.caughtUp };
    });
  };

  const owner = (value: string | null | undefined) =>
    value === null || value === undefined || value === '' ? null : value;

  const customer = (o: HsObject): CrmCustomer => ({
    externalId: o.id,
    name: o.properties.name ?? '',
    ownerUserId: owner(o.properties.hubspot_owner_id),
    updatedAt: iso(o.properties.hs_lastmodifieddate) ?? new Date(0).toISOString(),
  });

  /** Each deal's primary company (associations v4), or its first company when none is primary. */
  const companiesOf = async (call: HubSpotCall, deals: readonly HsObject[]): Promise<Map<string, string>> => {
    const companies = new Map<string, string>();
    for (const chunk of chunks(deals, MAX_BATCH)) {
      const answer = await call((client) =>
        client.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs: chunk.map((d) => ({ id: d.id })) }),
      );
      for (const row of answer.results ?? []) {
        const primary =
          row.to.find((t) => t.associationTypes?.some((a) => a.typeId === 5 || a.label === 'Primary')) ?? row.to[0];
        if (primary !== undefined) companies.set(String(row._from.id), String(primary.toObjectId));
      }
    }
    return companies;
  };

  const deal = (o: HsObject, companyId: string): CrmOrder => {
    const won = o.properties.hs_is_closed_won === 'true';
    const closed = o.properties.hs_is_closed === 'true';
    const amount = Number(o.properties.amount ?? 0);
    return {
      externalId: o.id,
      customerExternalId: companyId,
      ownerUserId: owner(o.properties.hubspot_owner_id),
      amount: Number.isFinite(amount) ? amount : 0,
      currency: o.properties.deal_currency_code || currency,
      status: won ? 'won' : closed ? 'lost' : 'open',
      at:
        (closed ? iso(o.properties.closedate) : iso(o.properties.createdate)) ??
        iso(o.properties.hs_lastmodifieddate) ??
        new Date(0).toISOString(),
    };
  };

  return {
    name,
    capabilities,
    listCustomers: (request) =>
      list('companies', 'listCustomers', ['name', 'hubspot_owner_id'], request, async (objects) =>
        objects.map(customer),
      ),
    listOrders: (request) =>
      list(
        'deals',
        'listOrders',
        [
          'amount',
          'deal_currency_code',
          'hubspot_owner_id',
          'hs_is_closed',
          'hs_is_closed_won',
          'closedate',
          'createdate',
        ],
        request,
        async (objects, call) => {
          // A deal without a company is no customer's order.
          const companies = objects.length === 0 ? new Map<string, string>() : await companiesOf(call, objects);
          return objects.flatMap((o) => {
            const companyId = companies.get(o.id);
            return companyId === undefined ? [] : [deal(o, companyId)];
          });
        },
      ),

    async mapUsers(_tenantId, employees) {
      const byEmail = await session.run('mapUsers', undefined, async (call) => {
        const found = new Map<string, string>();
        let after: string | undefined;
        do {
          const page = after;
          const answer = (await call((client) =>
            client.crm.owners.ownersApi.getPage(undefined, page, 500, false),
          )) as unknown as {
            results: readonly { id: string; email?: string }[];
            paging?: { next?: { after?: string } };
          };
          for (const o of answer.results) {
            const email = o.email?.toLowerCase();
            if (email !== undefined && !found.has(email)) found.set(email, String(o.id));
          }
          after = answer.paging?.next?.after;
        } while (after !== undefined);
        return found;
      });
      return new Map(employees.map((e) => [e.employeeId, (e.email && byEmail.get(e.email.toLowerCase())) || null]));
    },

    async transferOwnership(input) {
      const request = parseCrmTransferRequest(input, { name, maxBatch: MAX_BATCH }, localeOption);
      const moves = request.moves;
      if (moves.length === 0) return [];
      return session.run('transferOwnership', request.signal, async (call) => {
        const ids = [...new Set(moves.map((m) => m.customerExternalId))];
        const read = (await call((client) =>
          client.crm.companies.batchApi.read(
            { inputs: ids.map((id) => ({ id })), properties: ['hubspot_owner_id'], propertiesWithHistory: [] },
            false,
          ),
        )) as unknown as BatchAnswer;
        const owners = new Map((read.results ?? []).map((o) => [o.id, owner(o.properties.hubspot_owner_id)]));

        const results: CrmMoveResult[] = [];
        const toSave: number[] = [];
        moves.forEach((move, i) => {
          const id = move.customerExternalId;
          if (!owners.has(id)) {
            results[i] = {
              customerExternalId: id,
              status: 'failed',
              code: 'OBJECT_NOT_FOUND',
              message: 'no such company in HubSpot',
              retryable: false,
            };
            return;
          }
          const current = owners.get(id) ?? null;
          if (current === move.toUserId) results[i] = { customerExternalId: id, status: 'done' };
          else if (current !== move.fromUserId) {
            results[i] = {
              customerExternalId: id,
              status: 'failed',
              code: 'OWNER_CHANGED',
              message: `owned by ${current ?? 'nobody'} in HubSpot, not ${move.fromUserId ?? 'nobody'}`,
              retryable: false,
            };
          } else toSave.push(i);
        });
        if (toSave.length === 0) return results;

        let answer: BatchAnswer;
        try {
          answer = (await call((client) =>
            client.crm.companies.batchApi.update({
              inputs: toSave.map((i) => {
                const move = moves[i] as (typeof moves)[number];
                return { id: move.customerExternalId, properties: { hubspot_owner_id: move.toUserId ?? '' } };
              }),
            }),
          )) as unknown as BatchAnswer;
        } catch (error) {
          // HubSpot checks every value before it saves any: a 400 (an invalid owner id) refuses the whole batch.
          const failure = session.classify(error, 'transferOwnership');
          if (failure.params.kind !== 'rejected') throw error;
          for (const i of toSave) {
            results[i] = {
              customerExternalId: (moves[i] as (typeof moves)[number]).customerExternalId,
              status: 'failed',
              code: 'VALIDATION_ERROR',
              message: failure.params.detail,
              retryable: false,
            };
          }
          return results;
        }
        const refused = new Map<string, { category: string; message: string }>();
        for (const error of answer.errors ?? []) {
          for (const id of error.context?.ids ?? []) {
            refused.set(id, { category: error.category ?? 'UNKNOWN', message: error.message ?? 'not saved' });
          }
        }
        for (const i of toSave) {
          const id = (moves[i] as (typeof moves)[number]).customerExternalId;
          const error = refused.get(id);
          results[i] =
            error === undefined
              ? { customerExternalId: id, status: 'done' }
              : {
                  customerExternalId: id,
                  status: 'failed',
                  code: error.category,
                  message: error.message,
                  // A record HubSpot could not find is gone; others (a conflict, a limit) may pass later.
                  retryable: error.category !== 'OBJECT_NOT_FOUND' && error.category !== 'VALIDATION_ERROR',
                };
        }
        return results;
      });
    },
  };
}
