import { DatePicker, Divider, Form, Input, InputNumber, Modal, Select, Switch, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../../shared/api.ts';
import { useApiMutation } from '../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { CHANNEL_LABELS } from '../../shared/messages.ts';
import { ErrorAlert } from '../../shared/ui.tsx';
import { type ChannelAccount, pushUrlOf } from './api.ts';
import { messages } from './messages.ts';
import {
  CREDENTIALS_OF,
  type CredentialField,
  PLATFORM_CHANNELS,
  platformOfChannel,
  SECRET_FIELDS,
} from './words.ts';

interface Values {
  channel?: string;
  code?: string;
  name?: string;
  active?: boolean;
  baseUrl?: string;
  syncIntervalSeconds?: number;
  cred?: Partial<Record<CredentialField, string | Dayjs | null>>;
  /** Shopify: the location stock is set at, and one "SKU, inventory item id" per line. */
  locationId?: string;
  inventoryItems?: string;
}

/** One "SKU, inventory item id" pair per line (comma, tab, equals sign or spaces between), as pasted from a sheet. */
export function parseInventoryItems(text: string): { map: Record<string, string>; bad: number[] } {
  const map: Record<string, string> = {};
  const bad: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (!l) return;
    const m = /^(.+?)\s*(?:[,\t=，]|\s)\s*(\d{1,19})$/.exec(l);
    if (!m || m[1]!.length > 128) bad.push(i + 1);
    else map[m[1]!.trim()] = m[2]!;
  });
  return { map, bad };
}

const itemsText = (v: unknown): string =>
  v && typeof v === 'object'
    ? Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => `${k}, ${String(x)}`)
        .join('\n')
    : '';

/** What the form sends: only what was typed (credentials and base URL are write-only, empty keeps). */
export function accountBody(values: Values, account: ChannelAccount | null): Record<string, unknown> {
  const credentials: Record<string, string> = {};
  for (const [k, v] of Object.entries(values.cred ?? {})) {
    if (v === null || v === undefined || v === '') continue;
    credentials[k] = dayjs.isDayjs(v) ? v.toDate().toISOString() : String(v).trim();
  }
  const body: Record<string, unknown> = {};
  if (!account) {
    body['code'] = values.code?.trim();
    body['channel'] = values.channel;
  }
  if (values.name !== undefined && (!account || values.name.trim() !== account.name))
    body['name'] = values.name.trim();
  if (account && values.active !== undefined && values.active !== account.active)
    body['active'] = values.active;
  if (Object.keys(credentials).length) body['credentials'] = credentials;
  if (values.baseUrl?.trim()) body['baseUrl'] = values.baseUrl.trim();
  if (values.locationId !== undefined || values.inventoryItems !== undefined) {
    // Settings are replaced whole: keep the others on file, change the two the form shows.
    const before = account?.connection.connectorSettings ?? {};
    const next: Record<string, unknown> = { ...before };
    const loc = values.locationId?.trim();
    if (loc) next['locationId'] = loc;
    else delete next['locationId'];
    const items = parseInventoryItems(values.inventoryItems ?? '').map;
    if (Object.keys(items).length) next['inventoryItemIds'] = items;
    else delete next['inventoryItemIds'];
    if (JSON.stringify(next) !== JSON.stringify(before)) body['connectorSettings'] = next;
  }
  if (
    values.syncIntervalSeconds !== undefined &&
    values.syncIntervalSeconds !== null &&
    (!account || values.syncIntervalSeconds !== account.connection.syncIntervalSeconds)
  )
    body['syncIntervalSeconds'] = values.syncIntervalSeconds;
  return body;
}

/** Add a shop or change one: platform, code, name, write-only credentials, base URL, sync interval. */
export function AccountForm({
  account,
  onClose,
}: {
  account: ChannelAccount | null;
  onClose: (saved: ChannelAccount | null) => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [form] = Form.useForm<Values>();
  const channel = Form.useWatch('channel', form) ?? account?.channel;
  const code = Form.useWatch('code', form) ?? account?.code ?? '';
  const platform = channel ? platformOfChannel(channel) : null;
  const onFile = new Set(account?.connection.credentialFields ?? []);
  const save = useApiMutation(
    (body: Record<string, unknown>) =>
      account
        ? api<ChannelAccount>(`/api/channel-accounts/${encodeURIComponent(account.id)}`, {
            method: 'PATCH',
            body,
          })
        : api<ChannelAccount>('/api/channel-accounts', { method: 'POST', body }),
    {
      success: account ? t('saved') : t('created'),
      invalidate: [['channels']],
      onSuccess: (saved) => onClose(saved),
    },
  );

  async function submit() {
    let values: Values;
    try {
      values = await form.validateFields();
    } catch {
      return; // the form shows what is missing
    }
    const body = accountBody(values, account);
    if (account && Object.keys(body).length === 0) return onClose(account);
    await save.run(body);
  }

  const fieldInput = (field: CredentialField) => {
    const placeholder = onFile.has(field) ? t('savedKeep') : undefined;
    if (field === 'accessTokenExpiresAt')
      return <DatePicker showTime style={{ width: '100%' }} placeholder={placeholder} data-cred={field} />;
    return SECRET_FIELDS.has(field) ? (
      <Input.Password autoComplete="new-password" placeholder={placeholder} data-cred={field} />
    ) : (
      <Input autoComplete="off" placeholder={placeholder} data-cred={field} />
    );
  };

  return (
    <Modal
      open
      width={640}
      title={account ? `${t('editAccount')} · ${account.name}` : t('addAccount')}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={save.busy}
      onOk={submit}
      onCancel={() => onClose(null)}
      destroyOnHidden
      okButtonProps={{ 'data-action': 'save-account' } as Record<string, string>}
    >
      <div data-testid="account-form">
        <Form<Values>
          form={form}
          layout="vertical"
          initialValues={
            account
              ? {
                  channel: account.channel,
                  code: account.code,
                  name: account.name,
                  active: account.active,
                  syncIntervalSeconds: account.connection.syncIntervalSeconds,
                  ...(platformOfChannel(account.channel) === 'shopify'
                    ? {
                        locationId: String(account.connection.connectorSettings['locationId'] ?? ''),
                        inventoryItems: itemsText(account.connection.connectorSettings['inventoryItemIds']),
                      }
                    : {}),
                }
              : { syncIntervalSeconds: 300 }
          }
        >
          <Form.Item
            name="channel"
            label={t('channel')}
            rules={[{ required: !account, message: t('required') }]}
          >
            <Select
              id="account-channel"
              virtual={false}
              disabled={Boolean(account)}
              placeholder={t('chooseChannel')}
              options={PLATFORM_CHANNELS.map((p) => ({
                label: t(`platform.${p.platform}`),
                title: p.platform,
                options: p.channels.map((c) => ({ value: c, label: labelOf(CHANNEL_LABELS, c, locale) })),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="code"
            label={t('code')}
            extra={account ? undefined : t('codeHint')}
            rules={
              account
                ? []
                : [
                    { required: true, message: t('required') },
                    { pattern: /^[A-Za-z0-9_.-]{2,64}$/, message: t('codeHint') },
                  ]
            }
          >
            <Input
              id="account-code"
              disabled={Boolean(account)}
              {...(account ? { value: account.code } : {})}
            />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('name')}
            rules={[{ required: true, max: 100, message: t('required') }]}
          >
            <Input id="account-name" />
          </Form.Item>
          {account ? (
            <Form.Item name="active" label={t('active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          ) : null}
          {platform ? (
            <>
              <Divider orientation="left" plain>
                {t('credentials')}
              </Divider>
              <Typography.Paragraph type="secondary">{t('credentialsHint')}</Typography.Paragraph>
              {(CREDENTIALS_OF[platform] ?? []).map(({ field, required }) => (
                <Form.Item
                  key={field}
                  name={['cred', field]}
                  label={t(`cred.${field}`)}
                  extra={required && !onFile.has(field) ? t('required') : undefined}
                >
                  {fieldInput(field)}
                </Form.Item>
              ))}
              <Form.Item
                name="baseUrl"
                label={t('baseUrl')}
                extra={t('baseUrlHint')}
                rules={[{ pattern: /^https?:\/\/\S+$/, message: 'http(s)://…' }, { max: 500 }]}
              >
                <Input
                  id="account-base-url"
                  autoComplete="off"
                  placeholder={account?.connection.baseUrlSet ? t('baseUrlSaved') : 'https://'}
                />
              </Form.Item>
              {platform === 'shopify' ? (
                <>
                  <Form.Item
                    name="locationId"
                    label={t('shopifyLocation')}
                    extra={t('shopifyLocationHint')}
                    rules={[{ pattern: /^\d{1,19}$/, message: t('shopifyLocationBad') }]}
                  >
                    <Input id="account-location-id" autoComplete="off" style={{ width: 240 }} />
                  </Form.Item>
                  <Form.Item
                    name="inventoryItems"
                    label={t('shopifyItems')}
                    extra={t('shopifyItemsHint')}
                    rules={[
                      {
                        validator: async (_r, v: string | undefined) => {
                          const { bad } = parseInventoryItems(v ?? '');
                          if (bad.length)
                            throw new Error(t('shopifyItemsBad', { lines: bad.slice(0, 5).join(', ') }));
                        },
                      },
                    ]}
                  >
                    <Input.TextArea
                      id="account-inventory-items"
                      rows={4}
                      placeholder={'TEE-ORG-BLK-M, 42000000001000'}
                      spellCheck={false}
                    />
                  </Form.Item>
                </>
              ) : null}
              <Form.Item
                name="syncIntervalSeconds"
                label={t('syncInterval')}
                rules={[{ type: 'number', min: 30, max: 86400, message: t('intervalBad') }]}
              >
                <InputNumber id="account-interval" min={30} max={86400} step={60} style={{ width: 200 }} />
              </Form.Item>
              {code && /^[A-Za-z0-9_.-]{2,64}$/.test(code) ? (
                <Form.Item label={t('pushUrl')}>
                  <Typography.Text
                    code
                    data-testid="push-url"
                    copyable={{ text: pushUrlOf(code), tooltips: [t('copy'), t('copied')] }}
                  >
                    {pushUrlOf(code)}
                  </Typography.Text>
                </Form.Item>
              ) : null}
            </>
          ) : null}
        </Form>
        <ErrorAlert error={save.error} />
      </div>
    </Modal>
  );
}
