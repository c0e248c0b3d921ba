import type { UserScope, UserView } from '@orderhub/contracts';
import { Alert, Form, Modal, Select, Tag, Typography } from 'antd';
import { useEffect } from 'react';
import { useLocale, useT } from '../../shared/i18n.tsx';
import { messages } from './messages.ts';

export interface NamedRef {
  id: string;
  name: string;
  code: string;
}

/** What a user may see, in words: shop and warehouse names, "all" where the list is empty. */
export function ScopeText({
  scope,
  shops,
  warehouses,
}: {
  scope: UserScope;
  shops: readonly NamedRef[];
  warehouses: readonly NamedRef[];
}) {
  const t = useT(messages);
  const names = (ids: readonly string[], refs: readonly NamedRef[]) =>
    ids.map((id) => ({ id, name: refs.find((r) => r.id === id)?.name ?? t('unknownRef') }));
  const shopNames = names(scope.channelAccounts, shops);
  const whNames = names(scope.warehouses, warehouses);
  return (
    <div data-scope-text>
      <div>
        <Typography.Text type="secondary">
          {t('scopeShops')}
          {t('colon')}
        </Typography.Text>
        {shopNames.length ? (
          shopNames.map((n) => (
            <Tag key={n.id} color="blue" style={{ marginBottom: 2 }}>
              {n.name}
            </Tag>
          ))
        ) : (
          <Typography.Text>{t('allShops')}</Typography.Text>
        )}
      </div>
      <div>
        <Typography.Text type="secondary">
          {t('scopeWarehouses')}
          {t('colon')}
        </Typography.Text>
        {whNames.length ? (
          whNames.map((n) => (
            <Tag key={n.id} color="green" style={{ marginBottom: 2 }}>
              {n.name}
            </Tag>
          ))
        ) : (
          <Typography.Text>{t('allWarehouses')}</Typography.Text>
        )}
      </div>
    </div>
  );
}

/** Sets the shops and warehouses a user may see; empty means all of them. */
export function ScopeModal({
  user,
  shops,
  warehouses,
  busy,
  onCancel,
  onOk,
}: {
  user: UserView | null;
  shops: readonly NamedRef[];
  warehouses: readonly NamedRef[];
  busy: boolean;
  onCancel: () => void;
  onOk: (scope: UserScope) => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [form] = Form.useForm<UserScope>();
  useEffect(() => {
    if (user) form.setFieldsValue({ ...user.scope });
  }, [user, form]);
  if (!user) return null;
  const name =
    user.displayName && user.displayName !== user.username
      ? locale === 'zh-CN'
        ? `${user.displayName}（${user.username}）`
        : `${user.displayName} (${user.username})`
      : user.username;
  const options = (refs: readonly NamedRef[]) =>
    refs.map((r) => ({ value: r.id, label: r.name === r.code ? r.name : `${r.name}（${r.code}）` }));
  return (
    <Modal
      open
      title={t('scopeTitle', { user: name })}
      onCancel={onCancel}
      confirmLoading={busy}
      okText={t('save')}
      okButtonProps={{ 'data-testid': 'scope-ok' } as never}
      onOk={() => form.submit()}
      destroyOnHidden
      width={560}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={user.scope}
        onFinish={(v) => onOk({ channelAccounts: v.channelAccounts ?? [], warehouses: v.warehouses ?? [] })}
      >
        <Form.Item name="channelAccounts" label={t('scopeShops')} extra={t('scopeEmptyAll')}>
          <Select
            mode="multiple"
            allowClear
            placeholder={t('allShops')}
            options={options(shops)}
            optionFilterProp="label"
            data-testid="scope-shops"
          />
        </Form.Item>
        <Form.Item name="warehouses" label={t('scopeWarehouses')} extra={t('scopeEmptyAll')}>
          <Select
            mode="multiple"
            allowClear
            placeholder={t('allWarehouses')}
            options={options(warehouses)}
            optionFilterProp="label"
            data-testid="scope-warehouses"
          />
        </Form.Item>
      </Form>
      <Alert type="info" showIcon message={t('scopeHint')} />
    </Modal>
  );
}
