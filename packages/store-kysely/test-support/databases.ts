/**
 * Which test databases exist. One place for every SQL store's tests: read
 * the URL from the environment, probe the server, and either hand the URL
 * on, fail (under `CI=true`, where the SQL suites must run) or skip with one
 * message naming the variable to set.
 */
import { connect } from 'node:net';
import { describe, it } from 'vitest';

export type ServerDialect = 'postgres' | 'mysql';

const SERVERS: Readonly<Record<ServerDialect, { variable: string; fallback: string; port: number; name: string }>> = {
  postgres: {
    variable: 'GUARD_TEST_POSTGRES_URL',
    fallback: 'postgres://postgres@127.0.0.1:5432/test',
    port: 5432,
    name: 'PostgreSQL',
  },
  mysql: {
    variable: 'GUARD_TEST_MYSQL_URL',
    fallback: 'mysql://root@127.0.0.1:3306/test',
    port: 3306,
    name: 'MySQL/MariaDB',
  },
};

/** The URL of the test database of a dialect: its variable, or the local default. */
export function testDatabaseUrl(dialect: ServerDialect): string {
  const server = SERVERS[dialect];
  return process.env[server.variable] || server.fallback;
}

/** Whether something accepts TCP connections at the URL's host and port. */
function reachable(url: string, port: number): Promise<boolean> {
  const { hostname, port: given } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(given || port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const probes = new Map<ServerDialect, Promise<string | null>>();

/**
 * The test database's URL if its server answers; otherwise `null` after one
 * warning naming the variable to set, or, under `CI=true`, an error.
 */
export function testDatabase(dialect: ServerDialect): Promise<string | null> {
  let probe = probes.get(dialect);
  if (probe === undefined) {
    probe = (async () => {
      const server = SERVERS[dialect];
      const url = testDatabaseUrl(dialect);
      if (await reachable(url, server.port)) return url;
      const shown = url.replace(/\/\/[^@/]*@/, '//…@');
      if (process.env.CI === 'true') {
        throw new Error(
          `${server.name} is not reachable at ${shown}, and CI=true: the ${dialect} store tests must run. Start the server, or set ${server.variable} to a reachable database.`,
        );
      }
      console.warn(
        `Skipping the ${dialect} store tests: no ${server.name} at ${shown}. Set ${server.variable} to a database URL to run them.`,
      );
      return null;
    })();
    probes.set(dialect, probe);
  }
  return probe;
}

/**
 * Registers `body(url)` when the dialect's test database is reachable, and
 * otherwise a skipped block whose title names the variable to set.
 */
export async function describeWithDatabase(
  dialect: ServerDialect,
  title: string,
  body: (url: string) => void,
): Promise<void> {
  const url = await testDatabase(dialect);
  if (url !== null) {
    body(url);
    return;
  }
  describe.skip(`${title} [no test database: set ${SERVERS[dialect].variable}]`, () => {
    it('needs a database', () => undefined);
  });
}
