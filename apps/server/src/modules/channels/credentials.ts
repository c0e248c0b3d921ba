import { type Static, Type } from '@sinclair/typebox';
import type { FieldCrypto } from '../../platform/crypto.ts';
import { DomainError } from '../../platform/errors.ts';
import { type ChannelCredentials, ConnectorError, CredentialsError } from './connector.ts';
import { connectorForChannel } from './connectors/index.ts';

const Secret = (description: string) => Type.String({ minLength: 1, maxLength: 4096, description });

/** What a user gives for an account's connection; write-only (never returned, never logged). */
export const CredentialsInput = Type.Object(
  {
    appKey: Type.Optional(Secret('app key / client id')),
    appSecret: Type.Optional(Secret('app secret / client secret')),
    accessToken: Type.Optional(Secret('Taobao session, JD/PDD/Douyin access_token, Shopify access token')),
    accessTokenExpiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'when the access token expires' }),
    ),
    refreshToken: Type.Optional(Secret('refresh token')),
    shopId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    shopDomain: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    webhookSecret: Type.Optional(Secret('the secret pushes are signed with (generic webhook, Shopify)')),
  },
  { additionalProperties: false },
);
export type CredentialsInput = Static<typeof CredentialsInput>;

/** The names of the fields given, for views and audit rows (values never leave the server). */
export const credentialFields = (c: ChannelCredentials | null): string[] =>
  c
    ? Object.keys(c)
        .filter((k) => (c as Record<string, unknown>)[k] !== undefined)
        .sort()
    : [];

/** Checks the credentials with the channel's connector (when it has one); refuses with the field named. */
export function checkCredentials(channel: string, c: CredentialsInput): void {
  const connector = connectorForChannel(channel);
  if (!connector) return;
  try {
    connector.checkCredentials(c);
  } catch (e) {
    if (e instanceof CredentialsError)
      throw new DomainError('CHANNEL_CREDENTIALS_INVALID', e.message, { field: `credentials.${e.field}` });
    throw e;
  }
}

/** Checks connector settings the way the account's adapter will read them (bad ones never reach a sync). */
export function checkConnectorSettings(channel: string, settings: Readonly<Record<string, unknown>>): void {
  const connector = connectorForChannel(channel);
  if (!connector?.checkSettings) return;
  try {
    connector.checkSettings(settings);
  } catch (e) {
    if (e instanceof ConnectorError && e.code === 'SETTINGS_INVALID') {
      // Adapters name the setting first ("Shopify settings: inventoryItemIds.X must …", 'setting "pageSize" must …').
      const field = /settings: ([\w.-]+)|setting "([\w.-]+)"/.exec(e.message);
      const name = field?.[1] ?? field?.[2];
      throw new DomainError('CHANNEL_SETTINGS_INVALID', e.message, {
        field: name ? `connectorSettings.${name}` : 'connectorSettings',
      });
    }
    throw e;
  }
}

export const sealCredentials = (crypto: FieldCrypto, c: ChannelCredentials): string =>
  crypto.encrypt(JSON.stringify(c));

export function openCredentials(crypto: FieldCrypto, sealed: string | null): ChannelCredentials | null {
  if (!sealed) return null;
  return JSON.parse(crypto.decrypt(sealed)) as ChannelCredentials;
}
