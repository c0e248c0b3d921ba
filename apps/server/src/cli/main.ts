import { ROLES, type Role } from '@orderhub/contracts';
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildApp, VERSION } from '../app.ts';
import { createToken, createUser, findUserByUsername } from '../modules/auth/index.ts';
import { generatePassword } from '../modules/auth/passwords.ts';
import { systemActor } from '../platform/actor.ts';
import { loadConfig } from '../platform/config.ts';
import { DataDirLockedError, openDatabase } from '../platform/db.ts';
import { DomainError } from '../platform/errors.ts';
import { startJobs } from '../platform/jobs.ts';
import { createLogger } from '../platform/log.ts';

const program = new Command('orderhub')
  .version(VERSION)
  .description('orderhub — one order centre for every channel');

function fail(message: string, code = 1): never {
  process.stderr.write(`orderhub: ${message}\n`);
  process.exit(code);
}

/** Opens the app without serving HTTP or running workers: for one-shot commands. */
async function withApp<T>(fn: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { workers: false, logLevel: process.env['LOG_LEVEL'] ?? 'warn' });
  const app = await buildApp(config);
  try {
    if (app.firstAdmin?.password) printFirstAdmin(app.firstAdmin.password);
    return await fn(app);
  } finally {
    await app.close();
  }
}

function printFirstAdmin(password: string) {
  process.stdout.write(
    `\n  First start: created the user "admin" with the one-time password\n\n      ${password}\n\n  It is shown only now. Log in and change it (PATCH /api/users/:id), or set ORDERHUB_ADMIN_PASSWORD before the first start.\n\n`,
  );
}

program
  .command('start')
  .description('serve the API, the docs at /docs and the background workers')
  .action(async () => {
    const config = loadConfig();
    const app = await buildApp(config);
    if (app.firstAdmin?.password) printFirstAdmin(app.firstAdmin.password);
    const shutdown = async (signal: string) => {
      app.deps.log.info({ signal }, 'shutting down');
      const timer = setTimeout(() => process.exit(1), 15_000);
      timer.unref();
      await app.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    const address = await app.http.listen({ port: config.port, host: config.host });
    app.deps.log.info(
      { address, database: app.deps.database.kind },
      `orderhub listening on ${address} (API docs at ${address}/docs)`,
    );
  });

program
  .command('migrate')
  .description('apply database migrations (PostgreSQL; PGlite migrates at start)')
  .action(async () => {
    const config = loadConfig();
    const log = createLogger('warn');
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const pending = await database.pendingMigrations();
      await database.migrate();
      const jobs = await startJobs(database, { migrate: true, supervise: false, queues: [], log });
      await jobs.stop();
      process.stdout.write(
        pending.length
          ? `applied ${pending.length} migration(s): ${pending.join(', ')}\n`
          : 'the database is up to date\n',
      );
    } finally {
      await database.close();
    }
  });

const roleOption = new Option('--role <role>', 'the user’s role').choices([...ROLES]).makeOptionMandatory();

const user = program.command('user').description('manage users');
user
  .command('create')
  .description('create a user; prints a generated password once unless --password is given')
  .requiredOption('--username <name>', 'log-in name')
  .addOption(roleOption)
  .option('--display-name <name>', 'shown name')
  .option('--password <password>', 'at least 10 characters (default: generated and printed once)')
  .action(async (o: { username: string; role: Role; displayName?: string; password?: string }) => {
    const password = o.password ?? generatePassword();
    if (password.length < 10) throw new InvalidArgumentError('the password needs at least 10 characters');
    await withApp(async ({ deps }) => {
      const created = await deps.database.tx((tx) =>
        createUser(tx, deps.clock.now(), systemActor('cli', 'cli'), {
          username: o.username,
          role: o.role,
          password,
          ...(o.displayName ? { displayName: o.displayName } : {}),
        }),
      );
      process.stdout.write(`created ${created.role} "${created.username}" (${created.id})\n`);
      if (!o.password) process.stdout.write(`password (shown once): ${password}\n`);
    });
  });

program
  .command('token')
  .description('manage API tokens')
  .command('create')
  .description('create an API token for a user; prints it once')
  .requiredOption('--user <username>', 'the user the token acts as')
  .requiredOption('--name <label>', 'what the token is for, e.g. storefront-prod')
  .option('--expires <instant>', 'RFC 3339 expiry, e.g. 2027-01-01T00:00:00Z')
  .action(async (o: { user: string; name: string; expires?: string }) => {
    await withApp(async ({ deps }) => {
      const owner = await findUserByUsername(deps.database, o.user);
      if (!owner) fail(`no user "${o.user}"`);
      const created = await deps.database.tx((tx) =>
        createToken(tx, deps.clock.now(), systemActor('cli', 'cli'), {
          name: o.name,
          username: o.user,
          ...(o.expires ? { expiresAt: o.expires } : {}),
        }),
      );
      process.stdout.write(`${created.token}\n`);
      process.stderr.write(
        `token ${created.id} "${created.name}" for ${created.username}; it is shown only now\n`,
      );
    });
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof DataDirLockedError) fail(e.message, 75);
  if (e instanceof DomainError) fail(`${e.code}: ${e.message}`);
  if (e instanceof InvalidArgumentError) fail(e.message);
  fail(e instanceof Error ? (e.stack ?? e.message) : String(e));
});
