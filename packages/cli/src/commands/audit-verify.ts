import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createGuard, ed25519Keys, hmacKeys, isGuardError, type KeyProvider, type SecretKey } from '@guard/core';
import * as z from 'zod';
import { localeOf, noPositionals, optional, parse, required } from '../args.js';
import { databaseTarget, withStore } from '../database.js';
import { commandHelp } from '../help.js';
import { CliError, exitCodes, usage, write } from '../io.js';
import { labelsFor } from '../labels.js';
import type { Context } from './context.js';

const COMMAND = 'guard audit verify';
const CHECKPOINT_PURPOSE = 'audit-checkpoint';

/** The HMAC keys Guard seals entries and signs checkpoints with, as the host configures `hmacKeys`. */
const keysSchema = z.strictObject({
  current: z.string().min(1),
  keys: z.record(z.string().min(1), z.string().min(32, { error: 'a key must be at least 32 characters' })),
});

/** `--keys <file>`, else `GUARD_AUDIT_KEYS`: `{"current":"k1","keys":{"k1":"…"}}`; `command` names the command in messages. */
export async function auditKeys(ctx: Context, command: string, file: string | undefined): Promise<KeyProvider> {
  let text: string | undefined;
  let from: string;
  if (file !== undefined) {
    from = file;
    try {
      text = await readFile(resolve(ctx.cwd, file), 'utf8');
    } catch (error) {
      throw usage(
        `${file}: cannot read the keys file (${(error as { code?: string }).code ?? (error as Error).message})`,
      );
    }
  } else {
    from = 'GUARD_AUDIT_KEYS';
    text = ctx.env.GUARD_AUDIT_KEYS;
    if (text === undefined) {
      throw usage(
        `${command}: give the audit keys with --keys <keys.json> or GUARD_AUDIT_KEYS, as {"current":"k1","keys":{"k1":"<secret>"}} — the HMAC keys the host passes to hmacKeys`,
      );
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw usage(`${from}: not JSON; expected {"current":"k1","keys":{"k1":"<secret>"}}`);
  }
  const parsed = keysSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw usage(`${from}: ${problems}; expected {"current":"k1","keys":{"k1":"<secret of 32+ characters>"}}`);
  }
  try {
    return hmacKeys(parsed.data);
  } catch (error) {
    throw usage(`${from}: ${(error as Error).message}`);
  }
}

/**
 * `--public-key <pem>`: the Ed25519 public key the tenant's checkpoints are
 * signed with, whatever key id they name (the key is trusted, not its label);
 * it can neither sign nor seal.
 */
export async function checkpointPublicKey(ctx: Context, file: string): Promise<KeyProvider> {
  let pem: string;
  try {
    pem = await readFile(resolve(ctx.cwd, file), 'utf8');
  } catch (error) {
    throw usage(
      `${file}: cannot read the public key (${(error as { code?: string }).code ?? (error as Error).message})`,
    );
  }
  let key: SecretKey | null;
  try {
    key = await ed25519Keys({ current: null, keys: { public: { publicKey: pem } } }).keyById(
      '',
      CHECKPOINT_PURPOSE,
      'public',
    );
  } catch {
    throw usage(`${file}: not an Ed25519 public key in PEM (-----BEGIN PUBLIC KEY-----)`);
  }
  const trusted = key;
  return {
    currentKey: () => null,
    keyById: (_tenantId, purpose, keyId) =>
      purpose === CHECKPOINT_PURPOSE && trusted !== null ? Object.freeze({ ...trusted, id: keyId }) : null,
  };
}

/**
 * `guard audit verify --tenant <id> [--db <target>] [--keys <file> | --public-key <pem>]`:
 * re-hashes a tenant's whole audit chain, checks every seal and checkpoint
 * signature, and says where it breaks.
 */
export async function auditVerifyCommand(args: readonly string[], ctx: Context): Promise<number> {
  const parsed = parse(COMMAND, args, {
    tenant: { type: 'string' },
    db: { type: 'string' },
    keys: { type: 'string' },
    'public-key': { type: 'string' },
    'table-prefix': { type: 'string' },
    locale: { type: 'string' },
  });
  if (parsed.values.help) {
    await write(ctx.stdout, commandHelp.audit);
    return exitCodes.ok;
  }
  noPositionals(COMMAND, parsed);
  const locale = localeOf(COMMAND, parsed, ctx.env);
  const labels = labelsFor(locale);
  const tenantId = required(COMMAND, parsed, 'tenant', '<id>');
  const publicKey = optional(parsed, 'public-key');
  if (publicKey !== undefined && optional(parsed, 'keys') !== undefined) {
    throw usage(`${COMMAND}: give --keys (the HMAC keys: seals too) or --public-key (links and checkpoints), not both`);
  }
  const keys =
    publicKey === undefined
      ? await auditKeys(ctx, COMMAND, optional(parsed, 'keys'))
      : await checkpointPublicKey(ctx, publicKey);
  const target = databaseTarget(optional(parsed, 'db'), ctx.env, ctx.cwd);
  const result = await withStore(target, optional(parsed, 'table-prefix'), async (store) => {
    try {
      return await createGuard({ store, keys, locale })
        .tenant(tenantId)
        .audit.verify({ seals: publicKey === undefined });
    } catch (error) {
      if (isGuardError(error, 'NOT_FOUND'))
        throw new CliError(exitCodes.invalid, labels.noSuchTenant(tenantId, target.shown));
      throw error;
    }
  });
  if (result.ok) {
    const intact = publicKey === undefined ? labels.chainIntact : labels.chainLinked;
    await write(ctx.stdout, `${intact(tenantId, result.entries, result.head.seq, result.head.hash)}\n`);
    return exitCodes.ok;
  }
  await write(
    ctx.stdout,
    `${labels.chainBroken(tenantId, result.firstBadSeq, result.reason, result.entries, result.head.seq)}\n`,
  );
  return exitCodes.broken;
}
