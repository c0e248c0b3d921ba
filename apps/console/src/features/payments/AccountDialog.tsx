import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { PAYMENT_PROVIDER_LABELS, PAYMENT_PROVIDERS, type PaymentProviderCode } from '@orderhub/contracts';
import type { ButtonProps } from 'antd';
import { Alert, Button, Form, Input, InputNumber, Modal, Select, Space, Switch, Typography } from 'antd';
import { useEffect } from 'react';
import { formatTime } from '../../shared/format.ts';
import { errorText, useApiMutation } from '../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { createAccount, KEYS, type PaymentAccountView, updateAccount } from '../../shared/payments/api.ts';
import { messages } from '../../shared/payments/messages.ts';

interface FieldDef {
  key: string;
  label: string;
  secret?: boolean;
  pem?: boolean;
}

/** The settings each provider needs, in the order its merchant dashboard shows them. */
export const PROVIDER_FIELDS: Record<PaymentProviderCode, FieldDef[]> = {
  wechatpay: [
    { key: 'mchId', label: 'mchId' },
    { key: 'appId', label: 'appId' },
    { key: 'apiV3Key', label: 'apiV3Key', secret: true },
    { key: 'merchantSerialNo', label: 'merchantSerialNo' },
    { key: 'merchantPrivateKey', label: 'merchantPrivateKey', secret: true, pem: true },
  ],
  alipay: [
    { key: 'appId', label: 'alipayAppId' },
    { key: 'appPrivateKey', label: 'appPrivateKey', secret: true, pem: true },
    { key: 'alipayPublicKey', label: 'alipayPublicKey', pem: true },
  ],
  stripe: [
    { key: 'secretKey', label: 'secretKey', secret: true },
    { key: 'webhookSecret', label: 'webhookSecret', secret: true },
  ],
};

interface FormValues {
  code: string;
  name: string;
  provider: PaymentProviderCode;
  baseUrl?: string;
  replayWindowSeconds?: number | null;
  active?: boolean;
  settings?: Record<string, unknown>;
}

/**
 * Add or edit a payment account. Secrets are write-only: the server never returns them, so an
 * edit shows every field empty, and only the fields typed in are sent (the others keep their
 * stored value — the server merges field by field).
 */
export function AccountDialog({
  account,
  open,
  onClose,
}: {
  /** null: a new account. */
  account: PaymentAccountView | null;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT(messages);
  const { locale, tz } = useLocale();
  const [form] = Form.useForm<FormValues>();
  const provider = (Form.useWatch('provider', form) ??
    account?.provider ??
    'wechatpay') as PaymentProviderCode;
  const editing = account !== null;
  const saved = new Set(account?.settingsFields ?? []);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      account
        ? {
            code: account.code,
            name: account.name,
            provider: account.provider as PaymentProviderCode,
            baseUrl: account.baseUrl ?? '',
            replayWindowSeconds: account.replayWindowSeconds,
            active: account.active,
            settings: {},
          }
        : { provider: 'wechatpay', settings: {}, active: true },
    );
  }, [open, account, form]);

  const save = useApiMutation(
    async (v: FormValues) => {
      const settings = cleanSettings(v.provider, v.settings ?? {});
      if (!account)
        return createAccount({
          code: v.code.trim(),
          name: v.name.trim(),
          provider: v.provider,
          ...(v.baseUrl?.trim() ? { baseUrl: v.baseUrl.trim() } : {}),
          ...(v.provider === 'stripe' && v.replayWindowSeconds
            ? { replayWindowSeconds: v.replayWindowSeconds }
            : {}),
          settings,
        });
      return updateAccount(account.id, {
        name: v.name.trim(),
        active: v.active ?? true,
        baseUrl: v.baseUrl?.trim() ? v.baseUrl.trim() : null,
        ...(account.provider === 'stripe' ? { replayWindowSeconds: v.replayWindowSeconds || null } : {}),
        ...(Object.keys(settings).length ? { settings } : {}),
      });
    },
    {
      success: account ? t('updated') : t('created'),
      invalidate: [KEYS.accounts],
      onSuccess: () => onClose(),
    },
  );

  const secretRule = (f: FieldDef) =>
    editing && saved.has(f.key)
      ? []
      : [{ required: true, whitespace: true, message: t('secretRequired', { field: t(f.label) }) }];
  const placeholder = (key: string) => (editing && saved.has(key) ? t('secretKept') : undefined);

  return (
    <Modal
      open={open}
      title={editing ? t('editAccount') : t('addAccount')}
      onCancel={onClose}
      width={720}
      destroyOnHidden
      okText={t('save')}
      cancelText={t('cancel')}
      okButtonProps={{ loading: save.busy, 'data-action': 'save-account' } as ButtonProps}
      onOk={() => form.submit()}
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        onFinish={(v) => save.run(v)}
        data-testid="account-form"
        autoComplete="off"
      >
        {save.error ? (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 12 }}
            message={errorText(save.error, locale)}
            data-testid="account-error"
          />
        ) : null}
        {account ? (
          <Form.Item label={t('notifyUrl')} extra={t('notifyUrlHelp')}>
            <Typography.Text
              copyable={{ text: account.notifyUrl, tooltips: [t('copy'), t('copied')] }}
              code
              data-testid="dialog-notify-url"
            >
              {account.notifyUrl}
            </Typography.Text>
          </Form.Item>
        ) : null}
        <Space.Compact block style={{ gap: 12 }}>
          <Form.Item name="provider" label={t('provider')} style={{ flex: 1 }} rules={[{ required: true }]}>
            <Select
              disabled={editing}
              data-field="provider"
              options={PAYMENT_PROVIDERS.map((p) => ({
                value: p,
                label: labelOf(PAYMENT_PROVIDER_LABELS, p, locale),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="code"
            label={t('code')}
            style={{ flex: 1 }}
            tooltip={t('codeHelp')}
            rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]{2,64}$/, message: t('codeHelp') }]}
          >
            <Input disabled={editing} id="pay-account-code" />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('name')}
            style={{ flex: 2 }}
            rules={[{ required: true, whitespace: true, max: 100 }]}
          >
            <Input id="pay-account-name" />
          </Form.Item>
        </Space.Compact>
        <Form.Item
          name="baseUrl"
          label={t('baseUrl')}
          extra={t('baseUrlHelp')}
          rules={[{ pattern: /^https?:\/\/\S+$/, message: t('baseUrlHelp') }]}
        >
          <Input id="pay-account-base-url" placeholder="https://" />
        </Form.Item>
        {provider === 'stripe' ? (
          <Form.Item name="replayWindowSeconds" label={t('replayWindow')} extra={t('replayWindowHelp')}>
            <InputNumber min={1} max={604800} precision={0} placeholder="300" style={{ width: 200 }} />
          </Form.Item>
        ) : null}
        {editing ? (
          <Form.Item name="active" label={t('active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        ) : null}
        <Typography.Title level={5} style={{ marginTop: 8 }}>
          {t('secrets')}
        </Typography.Title>
        {account ? (
          <Typography.Paragraph type="secondary" data-testid="saved-fields">
            {t('secretsSaved', {
              fields: account.settingsFields.join(locale === 'zh-CN' ? '、' : ', '),
              version: account.settingsVersion,
              at: formatTime(account.settingsUpdatedAt, tz, false),
            })}
          </Typography.Paragraph>
        ) : null}
        {PROVIDER_FIELDS[provider].map((f) => (
          <Form.Item
            key={`${provider}-${f.key}`}
            name={['settings', f.key]}
            label={t(f.label)}
            rules={secretRule(f)}
          >
            {f.pem ? (
              <Input.TextArea
                rows={4}
                data-secret={f.key}
                placeholder={placeholder(f.key) ?? '-----BEGIN …-----'}
                style={{ fontFamily: 'monospace', fontSize: 12 }}
                spellCheck={false}
              />
            ) : f.secret ? (
              <Input.Password
                data-secret={f.key}
                placeholder={placeholder(f.key)}
                autoComplete="new-password"
              />
            ) : (
              <Input data-secret={f.key} placeholder={placeholder(f.key)} />
            )}
          </Form.Item>
        ))}
        {provider === 'wechatpay' ? (
          <Form.Item label={t('platformCertificates')} extra={t('platformCertificatesHelp')}>
            <Form.List
              name={['settings', 'platformCertificates']}
              rules={[
                {
                  validator: async (_, list: unknown[] | undefined) => {
                    if (!(editing && saved.has('platformCertificates')) && !list?.length)
                      throw new Error(t('secretRequired', { field: t('platformCertificates') }));
                  },
                },
              ]}
            >
              {(fields, { add, remove }, { errors }) => (
                <>
                  {fields.map((field) => (
                    <Space key={field.key} align="start" style={{ display: 'flex', marginBottom: 8 }}>
                      <Form.Item
                        name={[field.name, 'serialNo']}
                        rules={[{ required: true, whitespace: true, message: t('serialNo') }]}
                        noStyle
                      >
                        <Input
                          placeholder={t('serialNo')}
                          style={{ width: 220 }}
                          data-cert-serial={field.name}
                        />
                      </Form.Item>
                      <Form.Item
                        name={[field.name, 'pem']}
                        rules={[{ required: true, whitespace: true, message: t('pem') }]}
                        noStyle
                      >
                        <Input.TextArea
                          rows={3}
                          placeholder={t('pem')}
                          style={{ width: 380, fontFamily: 'monospace', fontSize: 12 }}
                          data-cert-pem={field.name}
                          spellCheck={false}
                        />
                      </Form.Item>
                      <Button
                        type="text"
                        icon={<MinusCircleOutlined />}
                        onClick={() => remove(field.name)}
                        aria-label={t('remove')}
                      />
                    </Space>
                  ))}
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    onClick={() => add({ serialNo: '', pem: '' })}
                    data-action="add-certificate"
                  >
                    {editing && saved.has('platformCertificates') && !fields.length
                      ? `${t('addCertificate')}（${t('secretKept')}）`
                      : t('addCertificate')}
                  </Button>
                  <Form.ErrorList errors={errors} />
                </>
              )}
            </Form.List>
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}

/** Only what was typed: empty fields are left out, so an edit keeps the stored secret. */
function cleanSettings(provider: PaymentProviderCode, raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of PROVIDER_FIELDS[provider]) {
    const v = raw[f.key];
    if (typeof v === 'string' && v.trim()) out[f.key] = f.pem ? `${v.trim()}\n` : v.trim();
  }
  if (provider === 'wechatpay') {
    const certs = Array.isArray(raw['platformCertificates'])
      ? (raw['platformCertificates'] as { serialNo?: string; pem?: string }[])
          .filter((c) => c?.serialNo?.trim() && c?.pem?.trim())
          .map((c) => ({ serialNo: c.serialNo!.trim(), pem: `${c.pem!.trim()}\n` }))
      : [];
    if (certs.length) out['platformCertificates'] = certs;
  }
  return out;
}
