import fs from 'node:fs';
import { ADJUSTMENT_REASONS, ROLES, type Role } from '@orderhub/contracts';
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildApp, VERSION } from '../app.ts';
import { createToken, createUser, findUserByUsername } from '../modules/auth/index.ts';
import { generatePassword } from '../modules/auth/passwords.ts';
import { channelsSealedData } from '../modules/channels/index.ts';
import {
  adjustStock,
  applyCount,
  previewCount,
  stockDepsOf,
  verifyLedger,
} from '../modules/inventory/index.ts';
import { ordersSealedData } from '../modules/orders/index.ts';
import { paymentsSealedData } from '../modules/payments/index.ts';
import { systemActor } from '../platform/actor.ts';
import { loadConfig } from '../platform/config.ts';
import { DataDirLockedError, openDatabase } from '../platform/db.ts';
import { DomainError } from '../platform/errors.ts';
import { startJobs } from '../platform/jobs.ts';
import {
  checkSealingKeys,
  cryptoForKeys,
  keyStatus,
  MissingKeysError,
  rotateKeys,
  type SealedStore,
  UnreadableDataError,
} from '../platform/keys.ts';
import { createLogger } from '../platform/log.ts';
import { SIM_PLATFORMS, type SimPlatform, startSimulate, summaryLines } from './simulate.ts';
import {
  paymentsSummaryLines,
  SIM_PROVIDERS,
  type SimProvider,
  startPaymentsSimulate,
} from './simulate-payments.ts';

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

/** How long `start` waits for requests and jobs in hand to finish on SIGTERM or SIGINT. */
const SHUTDOWN_GRACE_MS = 20_000;

/** On stderr: `orderhub token create > file` on a fresh install keeps the file to the token alone. */
function printFirstAdmin(password: string) {
  process.stderr.write(
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
    // Graceful stop: no new connections (requests on open ones get 503), requests in flight finish,
    // job workers finish the batches in hand, then the database closes. Bounded: past
    // SHUTDOWN_GRACE_MS, or on a second signal, the process exits at once with status 1.
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) {
        app.deps.log.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      stopping = true;
      app.deps.log.info({ signal, graceMs: SHUTDOWN_GRACE_MS }, 'shutting down: draining requests and jobs');
      const timer = setTimeout(() => {
        app.deps.log.error({ graceMs: SHUTDOWN_GRACE_MS }, 'shutdown took too long: exiting');
        process.exit(1);
      }, SHUTDOWN_GRACE_MS);
      timer.unref();
      try {
        await app.close();
        app.deps.log.info('stopped');
        process.exit(0);
      } catch (err) {
        app.deps.log.error({ err }, 'shutdown failed');
        process.exit(1);
      }
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
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
      // A database whose data this configuration cannot open is refused before anything is applied.
      await checkSealingKeys(database, config);
      const pending = await database.pendingMigrations();
      await database.migrate();
      // Databases from before the key table know their key ids only once it is created and filled.
      if (pending.length) await checkSealingKeys(database, config);
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

/** Every module's sealed personal data, re-sealed by `keys rotate`. */
/** Every sealed column there is: `keys rotate` re-seals them all, so a retired key strands nothing. */
const SEALED_STORES: readonly SealedStore[] = [
  ...ordersSealedData,
  ...paymentsSealedData,
  ...channelsSealedData,
];

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
};

program
  .command('simulate')
  .description(
    'live demo: start the Taobao, JD, Pinduoduo, Douyin and Shopify simulators, register one channel account per platform on a running orderhub (reused on a later run), and stream realistic orders and changes to it',
  )
  .requiredOption('--server <url>', 'the orderhub to feed, e.g. http://127.0.0.1:8080')
  .option('--token <token>', 'an admin API token (`orderhub token create`); default $ORDERHUB_TOKEN')
  .option('--rate <n>', 'orders and changes per minute, over all platforms', positive, 30)
  .option('--duration <seconds>', 'stop streaming after this long (default: until Ctrl-C)', positive)
  .option(
    '--linger <seconds>',
    'with --duration: keep the simulators up this long afterwards, so the server pulls and processes the last changes',
    (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number of seconds');
      return n;
    },
    30,
  )
  .option(
    '--platforms <list>',
    `comma-separated, from ${SIM_PLATFORMS.join(', ')}, or none (default: all)`,
    (v) => {
      if (v.trim() === 'none') return [] as SimPlatform[];
      const xs = v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      for (const x of xs)
        if (!(SIM_PLATFORMS as readonly string[]).includes(x))
          throw new InvalidArgumentError(`unknown platform "${x}" (${SIM_PLATFORMS.join(', ')})`);
      if (!xs.length) throw new InvalidArgumentError('name at least one platform');
      return [...new Set(xs)] as SimPlatform[];
    },
  )
  .option(
    '--payments [list]',
    `also buyers paying through the payment simulators: comma-separated, from ${SIM_PROVIDERS.join(', ')} (alone: all); one payment account per provider, orders from the --storefront account`,
    (v) => {
      const xs = v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      for (const x of xs)
        if (!(SIM_PROVIDERS as readonly string[]).includes(x))
          throw new InvalidArgumentError(`unknown payment provider "${x}" (${SIM_PROVIDERS.join(', ')})`);
      if (!xs.length) throw new InvalidArgumentError('name at least one provider');
      return [...new Set(xs)] as SimProvider[];
    },
  )
  .option('--payment-rate <n>', 'with --payments: buyers per minute', positive, 12)
  .option(
    '--storefront <code>',
    'with --payments: the channel account the paying orders come from',
    'default',
  )
  .option('--prefix <code>', 'account codes are <prefix>-<platform>', 'demo')
  .option('--sync-interval <seconds>', 'how often the server pulls each account (at least 30)', positive, 60)
  .option(
    '--push-url <url>',
    'the address the simulators push to, when the server sees them differently (default: --server)',
  )
  .option('--seed <n>', 'the same seed streams the same orders', positive, 1)
  .action(
    async (o: {
      server: string;
      token?: string;
      rate: number;
      duration?: number;
      linger: number;
      platforms?: SimPlatform[];
      prefix: string;
      syncInterval: number;
      pushUrl?: string;
      seed: number;
      payments?: SimProvider[] | true;
      paymentRate: number;
      storefront: string;
    }) => {
      const token = o.token ?? process.env['ORDERHUB_TOKEN'];
      if (!token) throw new InvalidArgumentError('give --token (or set ORDERHUB_TOKEN): an admin API token');
      if (o.syncInterval < 30) throw new InvalidArgumentError('--sync-interval: at least 30 seconds');
      if (!/^[A-Za-z0-9_.-]{1,50}$/.test(o.prefix))
        throw new InvalidArgumentError('--prefix: letters, digits, _ . -');
      const out = (line: string) => process.stdout.write(`${line}\n`);
      const platforms = o.platforms ?? SIM_PLATFORMS;
      const providers = o.payments === true ? SIM_PROVIDERS : (o.payments ?? []);
      if (!platforms.length && !providers.length)
        throw new InvalidArgumentError('--platforms none needs --payments: nothing to simulate');
      const channelsRun = platforms.length
        ? await startSimulate({
            server: o.server,
            token,
            platforms,
            rate: o.rate,
            ...(o.duration ? { durationSeconds: o.duration } : {}),
            prefix: o.prefix,
            syncIntervalSeconds: o.syncInterval,
            ...(o.pushUrl ? { pushBase: o.pushUrl } : {}),
            seed: o.seed,
            print: out,
          })
        : null;
      const paymentsRun = providers.length
        ? await startPaymentsSimulate({
            server: o.server,
            ...(o.pushUrl ? { notifyBase: o.pushUrl } : {}),
            token,
            providers,
            rate: o.paymentRate,
            ...(o.duration ? { durationSeconds: o.duration } : {}),
            prefix: o.prefix,
            channelAccount: o.storefront,
            seed: o.seed,
            duplicateShare: 0.1,
            lostShare: 0.05,
            abandonShare: 0.1,
            print: out,
          }).catch(async (e: unknown) => {
            await channelsRun?.close();
            throw e;
          })
        : null;
      const run = {
        streamed: Promise.all([channelsRun?.streamed, paymentsRun?.streamed]),
        close: async () => {
          const [c, p] = await Promise.all([channelsRun?.close(), paymentsRun?.close()]);
          return [...(c ? summaryLines(c) : []), ...(p ? paymentsSummaryLines(p) : [])];
        },
      };
      let interrupted = false;
      await new Promise<void>((resolve) => {
        const onSignal = () => {
          interrupted = true;
          resolve();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        void run.streamed.then(async () => {
          if (interrupted) return;
          if (o.linger > 0) {
            out(`stream ended; the simulators answer the server for ${o.linger} s more (Ctrl-C ends now)`);
            await new Promise((r) => setTimeout(r, o.linger * 1000).unref());
          }
          resolve();
        });
      });
      for (const line of await run.close()) out(line);
      process.exit(0);
    },
  );

/** The database for a key command: migrated on PGlite, refused on PostgreSQL while migrations are pending. */
async function openForKeys() {
  const config = loadConfig(process.env, { workers: false });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (database.kind === 'pglite') await database.migrate();
    else {
      const pending = await database.pendingMigrations();
      if (pending.length)
        throw new Error(
          `the database lacks ${pending.length} migration(s) (${pending.join(', ')}): run \`orderhub migrate\` first`,
        );
    }
  } catch (e) {
    await database.close();
    throw e;
  }
  return { config, database };
}

const keys = program
  .command('keys')
  .description('master keys: which ones the data needs, re-sealing under the current one');
keys
  .command('status')
  .description('list the key ids the data has been sealed under, and whether this configuration gives each')
  .action(async () => {
    const { config, database } = await openForKeys();
    try {
      const crypto = cryptoForKeys(config);
      for (const k of await keyStatus(database, crypto.keyIds))
        process.stdout.write(
          `${k.keyId}\t${k.keyId === crypto.keyId ? 'current' : k.given ? 'retired key given' : k.retiredAt ? 'not needed' : 'MISSING'}\tfirst used ${k.firstUsedAt.toISOString()}\tlast used ${k.lastUsedAt.toISOString()}${k.retiredAt ? `\tno data since ${k.retiredAt.toISOString()}` : ''}\n`,
        );
      await checkSealingKeys(database, config);
    } finally {
      await database.close();
    }
  });
keys
  .command('rotate')
  .description(
    're-seal all personal data under the current key (ORDERHUB_MASTER_KEY), reading old data with ORDERHUB_RETIRED_KEYS; resumable',
  )
  .option('--batch-size <n>', 'rows per transaction', positive, 500)
  .option('--max-batches <n>', 'stop after this many batches (run again to carry on)', positive)
  .action(async (o: { batchSize: number; maxBatches?: number }) => {
    const { config, database } = await openForKeys();
    try {
      const log = createLogger(process.env['LOG_LEVEL'] ?? 'warn');
      const crypto = cryptoForKeys(config, { log });
      process.stdout.write(`re-sealing personal data under key id ${crypto.keyId}\n`);
      const res = await rotateKeys(database, crypto, SEALED_STORES, {
        batchSize: o.batchSize,
        ...(o.maxBatches ? { maxBatches: o.maxBatches } : {}),
        at: () => new Date(),
        progress: (line) => process.stdout.write(`${line}\n`),
      });
      const total = Object.values(res.resealed).reduce((a, b) => a + b, 0);
      if (res.stillInUse.length) {
        process.stdout.write(
          `re-sealed ${total} row(s); key id(s) ${res.stillInUse.join(', ')} still hold data (written while this ran?): run \`orderhub keys rotate\` again\n`,
        );
        process.exitCode = 2;
      } else if (res.complete) {
        process.stdout.write(
          `done: re-sealed ${total} row(s); all personal data is sealed under key id ${res.keyId}` +
            (res.retired.length
              ? `; key id(s) ${res.retired.join(', ')} hold no data any more and can be removed from ORDERHUB_RETIRED_KEYS\n`
              : '\n'),
        );
      }
    } finally {
      await database.close();
    }
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof DataDirLockedError) fail(e.message, 75);
  // EX_CONFIG: the master key configuration does not open the data.
  if (e instanceof MissingKeysError) fail(e.message, 78);
  if (e instanceof UnreadableDataError) fail(e.message, 78);
  if (e instanceof DomainError) fail(`${e.code}: ${e.message}`);
  if (e instanceof InvalidArgumentError) fail(e.message);
  // Operators get the message; the stack only when asked for (LOG_LEVEL=debug).
  const debug = process.env['LOG_LEVEL'] === 'debug' || process.env['LOG_LEVEL'] === 'trace';
  fail(e instanceof Error ? (debug ? (e.stack ?? e.message) : e.message) : String(e));
});
