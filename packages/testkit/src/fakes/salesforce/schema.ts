/** The sObjects and fields the fake Salesforce has, with each field's type and whether an update may set it. */

export type FieldType = 'id' | 'reference' | 'string' | 'datetime' | 'date' | 'number' | 'boolean';

export interface FieldSpec {
  readonly type: FieldType;
  /** An update may set it (`OwnerId`, `Name`); system and derived fields may not. */
  readonly updatable: boolean;
}

const id: FieldSpec = { type: 'id', updatable: false };
const text: FieldSpec = { type: 'string', updatable: true };
const ref: FieldSpec = { type: 'reference', updatable: true };
const stamp: FieldSpec = { type: 'datetime', updatable: false };

/**
 * An sObject type the fake Salesforce has.
 *
 * @example
 * ```ts
 * import type { SalesforceObjectType } from '@guard/testkit/fakes';
 * const type: SalesforceObjectType = 'Account';
 * ```
 */
export type SalesforceObjectType = 'User' | 'Account' | 'Opportunity' | 'Task';

export const SCHEMA = {
  User: {
    Id: id,
    Username: text,
    Name: text,
    Email: text,
    MobilePhone: text,
    IsActive: { type: 'boolean', updatable: true },
    CreatedDate: stamp,
    SystemModstamp: stamp,
  },
  Account: {
    Id: id,
    Name: text,
    Phone: text,
    Industry: text,
    OwnerId: ref,
    CreatedDate: stamp,
    LastModifiedDate: stamp,
    SystemModstamp: stamp,
  },
  Opportunity: {
    Id: id,
    Name: text,
    AccountId: ref,
    OwnerId: ref,
    Amount: { type: 'number', updatable: true },
    StageName: text,
    CloseDate: { type: 'date', updatable: true },
    IsWon: { type: 'boolean', updatable: false },
    IsClosed: { type: 'boolean', updatable: false },
    LastStageChangeDate: stamp,
    CreatedDate: stamp,
    LastModifiedDate: stamp,
    SystemModstamp: stamp,
  },
  Task: {
    Id: id,
    Subject: text,
    WhatId: ref,
    AccountId: { type: 'reference', updatable: false },
    OwnerId: ref,
    TaskSubtype: text,
    Type: text,
    Status: text,
    ActivityDate: { type: 'date', updatable: true },
    CompletedDateTime: stamp,
    CreatedDate: stamp,
    LastModifiedDate: stamp,
    SystemModstamp: stamp,
  },
} as const satisfies Record<SalesforceObjectType, Record<string, FieldSpec>>;

/** Id prefixes, as Salesforce's key prefixes: `005` users, `001` accounts, `006` opportunities, `00T` tasks. */
export const ID_PREFIX: Readonly<Record<SalesforceObjectType, string>> = {
  User: '005',
  Account: '001',
  Opportunity: '006',
  Task: '00T',
};

export const isObjectType = (name: string): name is SalesforceObjectType => Object.hasOwn(SCHEMA, name);

/** The field's spec on `type`, matched without regard to case as SOQL does; `undefined` when there is none. */
export function fieldOf(type: SalesforceObjectType, name: string): { name: string; spec: FieldSpec } | undefined {
  const fields: Record<string, FieldSpec> = SCHEMA[type];
  const found = Object.keys(fields).find((f) => f.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : { name: found, spec: fields[found] as FieldSpec };
}
