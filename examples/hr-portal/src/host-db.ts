// The HR product's own database: its users and their sessions. Guard keeps
// its tables in the same SQLite file, under the prefix `guard_`, but the
// portal never reads them: everything about customers goes through Guard's API.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { SessionStore } from '@fastify/session';
import Database from 'better-sqlite3';
import type { PortalLocale } from './i18n.js';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** A user of the HR product, linked to the Guard employee they are. */
export interface PortalUser {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly employeeId: string;
  readonly locale: PortalLocale;
}

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  display_name: string;
  employee_id: string;
  locale: PortalLocale;
}

/** The host's tables: created when missing. */
export function openHostDb(filename: string): Database.Database {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS users (
      id INTEGER PRIMARY KEY,
      username TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      display_name TEXT NOT NULL,
      employee_id TEXT NOT NULL,
      locale TEXT NOT NULL DEFAULT 'zh-CN'
    );
    CREATE TABLE IF NOT EXISTS sessions (
      id TEXT PRIMARY KEY,
      data TEXT NOT NULL,
      expires INTEGER NOT NULL
    );
  `);
  return db;
}

/** scrypt with a random salt: `scrypt$<salt hex>$<hash hex>`. */
async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('hex')}$${(await scryptAsync(password, salt, 32)).toString('hex')}`;
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'hex');
  const actual = await scryptAsync(password, Buffer.from(salt, 'hex'), expected.length);
  return timingSafeEqual(actual, expected);
}

const toUser = (row: UserRow): PortalUser => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  employeeId: row.employee_id,
  locale: row.locale,
});

/** The users table, as the portal uses it. */
export function users(db: Database.Database) {
  const byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const byId = db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?');
  return {
    async add(user: Omit<PortalUser, 'id'> & { password: string }): Promise<void> {
      db.prepare(
        `INSERT INTO users (username, password_hash, display_name, employee_id, locale) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash,
           display_name = excluded.display_name, employee_id = excluded.employee_id, locale = excluded.locale`,
      ).run(user.username, await hashPassword(user.password), user.displayName, user.employeeId, user.locale);
    },
    /** The user, when the password is right; `null` otherwise (same time either way). */
    async login(username: string, password: string): Promise<PortalUser | null> {
      const row = byName.get(username);
      const ok = await passwordMatches(password, row?.password_hash ?? DUMMY_HASH);
      return row && ok ? toUser(row) : null;
    },
    get(id: number): PortalUser | null {
      const row = byId.get(id);
      return row ? toUser(row) : null;
    },
    setLocale(id: number, locale: PortalLocale): void {
      db.prepare('UPDATE users SET locale = ? WHERE id = ?').run(locale, id);
    },
    count(): number {
      return (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
    },
  };
}

/** Checked against when the username is unknown, so a wrong name takes as long as a wrong password. */
const DUMMY_HASH = `scrypt$${'00'.repeat(16)}$${'00'.repeat(32)}`;

/** A session store for `@fastify/session` on the host's `sessions` table. */
export function sessionStore(db: Database.Database): SessionStore {
  const get = db.prepare<[string, number], { data: string }>('SELECT data FROM sessions WHERE id = ? AND expires > ?');
  const set = db.prepare(
    'INSERT INTO sessions (id, data, expires) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires = excluded.expires',
  );
  const destroy = db.prepare('DELETE FROM sessions WHERE id = ?');
  const DAY = 86_400_000;
  return {
    get(id, callback) {
      const row = get.get(id, Date.now());
      callback(null, row ? JSON.parse(row.data) : null);
    },
    set(id, session, callback) {
      const { expires } = (session as { cookie?: { expires?: Date | string | null } }).cookie ?? {};
      set.run(id, JSON.stringify(session), expires ? new Date(expires).getTime() : Date.now() + DAY);
      callback();
    },
    destroy(id, callback) {
      destroy.run(id);
      callback();
    },
  };
}
