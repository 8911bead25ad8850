import { verifyEvidencePack } from '@guard/core';
import { localeOf, optional, parse } from '../args.js';
import { readJson } from '../files.js';
import { commandHelp } from '../help.js';
import { exitCodes, usage, write } from '../io.js';
import { labelsFor } from '../labels.js';
import { auditKeys, checkpointPublicKey } from './audit-verify.js';
import type { Context } from './context.js';

const COMMAND = 'guard evidence verify';
/** Evidence packs of a busy leaver run to a few MB; refuse the absurd. */
const PACK_MAX_BYTES = 64 * 1024 * 1024;

/**
 * `guard evidence verify <pack.json> [--public-key <pem> | --keys <keys.json>]`:
 * re-verifies an evidence pack offline — the checkpoint's signature, the hash
 * links of its audit entries up to the checkpoint, the manifest of its
 * sections and where the chain records it — with the public key alone when
 * checkpoints are signed with Ed25519, or with the HMAC audit keys.
 */
export async function evidenceVerifyCommand(args: readonly string[], ctx: Context): Promise<number> {
  const parsed = parse(COMMAND, args, {
    'public-key': { type: 'string' },
    keys: { type: 'string' },
    locale: { type: 'string' },
  });
  if (parsed.values.help) {
    await write(ctx.stdout, commandHelp.evidence);
    return exitCodes.ok;
  }
  const locale = localeOf(COMMAND, parsed, ctx.env);
  const labels = labelsFor(locale);
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || file === '') {
    throw usage(`${COMMAND}: give the pack, e.g. guard evidence verify e-7-evidence.json --public-key audit.pub.pem`);
  }
  if (extra.length > 0) throw usage(`${COMMAND}: one pack at a time; got ${parsed.positionals.length}`);
  const publicKey = optional(parsed, 'public-key');
  const keysFile = optional(parsed, 'keys');
  if (publicKey !== undefined && keysFile !== undefined) {
    throw usage(`${COMMAND}: give --public-key (Ed25519 checkpoints) or --keys (HMAC), not both`);
  }
  if (publicKey === undefined && keysFile === undefined && ctx.env.GUARD_AUDIT_KEYS === undefined) {
    throw usage(
      `${COMMAND}: give the key that signed the pack's checkpoint: --public-key <pem> when checkpoints are signed with Ed25519, else --keys <keys.json> or GUARD_AUDIT_KEYS (the HMAC audit keys)`,
    );
  }
  const pack = await readJson(ctx.cwd, file, 'evidence pack', PACK_MAX_BYTES);
  const keys =
    publicKey !== undefined ? await checkpointPublicKey(ctx, publicKey) : await auditKeys(ctx, COMMAND, keysFile);
  const result = await verifyEvidencePack(pack, keys);
  if (result.ok) {
    const p = pack as { tenantId: string; employee: { id: string } };
    await write(
      ctx.stdout,
      `${labels.packIntact(file, p.tenantId, p.employee.id, result.entries, result.checkpointSeq)}\n`,
    );
    return exitCodes.ok;
  }
  await write(ctx.stdout, `${labels.packBroken(file, result.problem, result.seq, result.reason)}\n`);
  return exitCodes.broken;
}
