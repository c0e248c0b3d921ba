import { systemActor } from '../../platform/actor.ts';
import type { Database } from '../../platform/db.ts';
import { generatePassword } from './passwords.ts';
import { countUsers, createUser } from './users.ts';

/**
 * On a database without users, creates `admin`. Its password comes from ORDERHUB_ADMIN_PASSWORD or
 * is generated and returned so that the caller prints it once. Returns null when users exist.
 */
export async function bootstrapAdmin(
  database: Database,
  at: Date,
  configured: string | undefined,
): Promise<{ username: string; password: string | null } | null> {
  return database.tx(async (tx) => {
    // Lock out a concurrent first start creating a second admin.
    await tx.query(`LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE`);
    if ((await countUsers(tx)) > 0) return null;
    const password = configured ?? generatePassword();
    await createUser(tx, at, systemActor('bootstrap', 'cli'), {
      username: 'admin',
      displayName: 'Administrator',
      role: 'admin',
      password,
    });
    return { username: 'admin', password: configured ? null : password };
  });
}
