import fs from 'node:fs';
import { ADJUSTMENT_REASONS, ROLES, type Role } from '@orderhub/contracts';
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildApp, VERSION } from '../app.ts';
import { createToken, createUser, findUserByUsername } from '../modules/auth/index.ts';
import { generatePassword } from '../modules/auth/passwords.ts';
import {
  adjustStock,
  applyCount,
  previewCount,
  stockDepsOf,
  verifyLedger,
} from '../modules/inventory/index.ts';
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

const inventory = program.command('inventory').description('stock: verify the ledger, import counts, adjust');
inventory
  .command('verify')
  .description(
    'recompute every stock counter from the movement ledger and list any difference (exit 2 if any)',
  )
  .action(async () => {
    await withApp(async ({ deps }) => {
      const result = await verifyLedger(deps.database);
      for (const d of result.differences)
        process.stdout.write(
          `${d.sku}\t${d.warehouse}\t${d.counter}: counter ${d.counterValue}, ledger ${d.ledger}${d.documents === null ? '' : `, documents ${d.documents}`}\n`,
        );
      process.stdout.write(`${result.levels} level(s) checked, ${result.differences.length} difference(s)\n`);
      if (result.differences.length) process.exitCode = 2;
    });
  });
inventory
  .command('import-count')
  .description(
    'preview a count sheet (盘点表, .csv or .xlsx: sku, warehouse, counted); --apply books the differences',
  )
  .argument('<file>', 'the sheet')
  .option('--warehouse <code>', 'warehouse for rows that name none')
  .option('--apply', 'book the differences after the preview')
  .action(async (file: string, o: { warehouse?: string; apply?: boolean }) => {
    const format = file.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv';
    const content = fs.readFileSync(file).toString('base64');
    await withApp(async ({ deps }) => {
      const d = deps;
      const ctx = (tx: Parameters<Parameters<typeof d.database.tx>[0]>[0]) => ({
        tx,
        deps: stockDepsOf(d),
        at: d.clock.now(),
        actor: systemActor('cli', 'cli'),
      });
      const preview = await d.database.tx((tx) =>
        previewCount(ctx(tx), { format, content, ...(o.warehouse ? { warehouse: o.warehouse } : {}) }),
      );
      for (const r of preview.rows.filter((x) => x.difference !== 0))
        process.stdout.write(
          `row ${r.row}\t${r.sku}\t${r.warehouse}\t${r.expected} → ${r.counted} (${r.difference > 0 ? '+' : ''}${r.difference})\n`,
        );
      process.stdout.write(
        `count ${preview.id}: ${preview.rows.length} row(s), ${preview.differences} difference(s)\n`,
      );
      if (o.apply) {
        await d.database.tx((tx) => applyCount(ctx(tx), preview.id));
        process.stdout.write(`applied ${preview.id}\n`);
      }
    });
  });
inventory
  .command('adjust')
  .description('add (positive) or remove (negative) units of one SKU in one warehouse, with a reason')
  .requiredOption('--warehouse <code>', 'warehouse code')
  .requiredOption('--sku <code>', 'master SKU code')
  .requiredOption('--delta <n>', 'whole number of units, not 0', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n === 0) throw new InvalidArgumentError('a whole number other than 0');
    return n;
  })
  .addOption(
    new Option('--reason <code>', 'reason code').choices([...ADJUSTMENT_REASONS]).makeOptionMandatory(),
  )
  .option('--note <text>', 'why')
  .action(
    async (o: {
      warehouse: string;
      sku: string;
      delta: number;
      reason: (typeof ADJUSTMENT_REASONS)[number];
      note?: string;
    }) => {
      await withApp(async ({ deps }) => {
        const d = deps;
        const res = await d.database.tx((tx) =>
          adjustStock(
            {
              tx,
              deps: stockDepsOf(d),
              at: d.clock.now(),
              actor: systemActor('cli', 'cli'),
            },
            {
              warehouse: o.warehouse,
              lines: [{ sku: o.sku, delta: o.delta }],
              reasonCode: o.reason,
              ...(o.note ? { note: o.note } : {}),
            },
          ),
        );
        for (const l of res.levels)
          process.stdout.write(
            `${l.sku}\t${l.warehouse}\ton hand ${l.onHand}, reserved ${l.reserved}, frozen ${l.frozen}, available ${l.available}\n`,
          );
      });
    },
  );

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof DataDirLockedError) fail(e.message, 75);
  if (e instanceof DomainError) fail(`${e.code}: ${e.message}`);
  if (e instanceof InvalidArgumentError) fail(e.message);
  // Operators get the message; the stack only when asked for (LOG_LEVEL=debug).
  const debug = process.env['LOG_LEVEL'] === 'debug' || process.env['LOG_LEVEL'] === 'trace';
  fail(e instanceof Error ? (debug ? (e.stack ?? e.message) : e.message) : String(e));
});
