import {
  MAX_EDIT_QUANTITY,
  ORDER_EDITABLE_STATUSES,
  ORDER_STATUS_LABELS,
  type OrderDetailView,
  type ReceiverHistoryView,
  type SkuView,
} from '@orderhub/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Form, Input, InputNumber, List, Modal, Select, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../../shared/api.ts';
import { formatMoney } from '../../../shared/format.ts';
import { useApiMutation } from '../../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../../shared/i18n.tsx';
import { minorDigits, parseMinor } from '../../../shared/payments/money.ts';
import { useSession } from '../../../shared/session.tsx';
import { ErrorAlert, Time } from '../../../shared/ui.tsx';
import { messages } from '../messages.ts';

type Line = OrderDetailView['lines'][number];
const orderPath = (id: string) => `/api/orders/${encodeURIComponent(id)}`;

/** Whether the order may be edited now, and if not, why not (for a disabled button's tooltip). */
export function useEditRule(o: Pick<OrderDetailView, 'status'>): { allowed: boolean; reason: string | null } {
  const t = useT(messages);
  const { locale } = useLocale();
  const { can } = useSession();
  if (!can('orders:review')) return { allowed: false, reason: t('editNotPermitted') };
  if (!(ORDER_EDITABLE_STATUSES as readonly string[]).includes(o.status))
    return {
      allowed: false,
      reason: t('editNotAllowedStatus', {
        status:
          locale === 'en-US'
            ? labelOf(ORDER_STATUS_LABELS, o.status, locale).toLowerCase()
            : labelOf(ORDER_STATUS_LABELS, o.status, locale),
      }),
    };
  return { allowed: true, reason: null };
}

/** Every edit answers the order detail: show it at once and refresh what depends on it. */
function useSettle(id: string) {
  const qc = useQueryClient();
  return (next: OrderDetailView) => {
    qc.setQueryData(['orders', 'detail', id], next);
    void qc.invalidateQueries({ queryKey: ['orders', 'list'] });
    void qc.invalidateQueries({ queryKey: ['orders', 'reservations', id] });
    void qc.invalidateQueries({ queryKey: ['orders', 'receiver-history', id] });
  };
}

/** A SKU from the master, searched by code or name as staff type. */
export function SkuSelect({
  value,
  onChange,
  id,
  testId,
}: {
  value?: string;
  onChange?: (v: string) => void;
  id?: string;
  testId?: string;
}) {
  const t = useT(messages);
  const [q, setQ] = useState('');
  const skus = useQuery({
    queryKey: ['catalog', 'skus', 'pick', q],
    queryFn: ({ signal }) =>
      api<{ items: SkuView[] }>('/api/skus', {
        signal,
        query: { q: q || undefined, active: true, limit: 20 },
      }),
    staleTime: 30_000,
  });
  return (
    <Select
      id={id}
      data-testid={testId}
      showSearch
      value={value}
      onChange={onChange}
      filterOption={false}
      onSearch={setQ}
      loading={skus.isFetching}
      placeholder={t('pickSkuPlaceholder')}
      popupMatchSelectWidth={false}
      options={(skus.data?.items ?? []).map((s) => ({
        value: s.code,
        label: (
          <span data-sku-option={s.code}>
            {s.code} · {s.name}
          </span>
        ),
      }))}
      style={{ width: '100%' }}
    />
  );
}

interface ReceiverForm {
  name: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
  postalCode: string;
  reason: string;
}

/**
 * 编辑地址: the receiver as the customer gives it now. The current name, phone and street are
 * masked, so they are shown as hints rather than filled in; province, city and district are.
 */
export function ReceiverModal({
  order: o,
  receiver,
  open,
  onClose,
}: {
  order: OrderDetailView;
  receiver: OrderDetailView['receiver'];
  open: boolean;
  onClose: () => void;
}) {
  const t = useT(messages);
  const [form] = Form.useForm<ReceiverForm>();
  const settle = useSettle(o.id);
  const save = useApiMutation(
    (v: ReceiverForm) =>
      api<OrderDetailView>(`${orderPath(o.id)}/receiver`, {
        method: 'PUT',
        body: {
          version: o.version,
          receiver: {
            name: v.name.trim(),
            phone: v.phone.trim(),
            province: v.province.trim(),
            city: v.city.trim(),
            ...(v.district?.trim() ? { district: v.district.trim() } : {}),
            detail: v.detail.trim(),
            ...(v.postalCode?.trim() ? { postalCode: v.postalCode.trim() } : {}),
          },
          ...(v.reason?.trim() ? { reason: v.reason.trim() } : {}),
        },
      }),
    {
      success: t('receiverSaved'),
      onSuccess: (next) => {
        settle(next);
        onClose();
      },
    },
  );
  const { reset } = save;
  useEffect(() => {
    if (!open) return;
    const clear = !receiver.masked;
    form.setFieldsValue({
      name: clear ? (receiver.name ?? '') : '',
      phone: clear ? (receiver.phone ?? '').replace(/^\+86/, '') : '',
      province: receiver.province ?? '',
      city: receiver.city ?? '',
      district: receiver.district ?? '',
      detail: clear ? (receiver.detail ?? '') : '',
      postalCode: receiver.postalCode ?? '',
      reason: '',
    });
    reset();
  }, [open, receiver, form, reset]);
  const required = (field: string) => [
    { required: true, whitespace: true, message: t('fieldRequired', { field }) },
  ];
  const hint = (v: string | null) => (receiver.masked && v ? t('currentMasked', { value: v }) : undefined);

  return (
    <Modal
      open={open}
      title={t('editReceiverTitle', { orderNo: o.orderNo })}
      onCancel={onClose}
      okButtonProps={{ loading: save.busy, 'data-testid': 'receiver-ok' } as never}
      onOk={() =>
        form.validateFields().then(
          (v) => save.run(v),
          () => undefined,
        )
      }
      forceRender
      width={560}
    >
      <Form form={form} layout="vertical" data-testid="receiver-form" requiredMark>
        <Form.Item
          name="name"
          label={t('receiverName')}
          rules={required(t('receiverName'))}
          extra={hint(receiver.name)}
        >
          <Input maxLength={100} id="receiver-name" />
        </Form.Item>
        <Form.Item
          name="phone"
          label={t('receiverPhone')}
          extra={hint(receiver.phone)}
          rules={[
            ...required(t('receiverPhone')),
            { pattern: /^[+\d][\d\s-]{4,30}$/, message: t('phoneBad') },
          ]}
        >
          <Input maxLength={32} inputMode="tel" id="receiver-phone-input" />
        </Form.Item>
        <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr 1fr', gap: 12 }}>
          <Form.Item name="province" label={t('province')} rules={required(t('province'))}>
            <Input maxLength={50} id="receiver-province" />
          </Form.Item>
          <Form.Item name="city" label={t('city')} rules={required(t('city'))}>
            <Input maxLength={50} id="receiver-city" />
          </Form.Item>
          <Form.Item name="district" label={t('district')}>
            <Input maxLength={50} id="receiver-district" />
          </Form.Item>
        </div>
        <Form.Item
          name="detail"
          label={t('detailAddress')}
          rules={required(t('detailAddress'))}
          extra={hint(receiver.detail)}
        >
          <Input maxLength={300} id="receiver-detail" />
        </Form.Item>
        <Form.Item name="postalCode" label={t('postalCode')}>
          <Input maxLength={20} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="reason" label={t('editReason')}>
          <Input maxLength={200} placeholder={t('editReasonPlaceholder')} id="receiver-reason" />
        </Form.Item>
      </Form>
      {save.error ? <ErrorAlert error={save.error} /> : null}
    </Modal>
  );
}

interface LineForm {
  sku: string;
  quantity: number;
  price: string;
  reason: string;
}

/** 修改商品 (a line given) or 添加赠品 (no line): the SKU from the master, the quantity, a reason. */
export function LineModal({
  order: o,
  line,
  gift,
  onClose,
}: {
  order: OrderDetailView;
  /** The line being changed; null with `gift` to add a gift line. */
  line: Line | null;
  gift: boolean;
  onClose: () => void;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const { can } = useSession();
  const open = line !== null || gift;
  const [form] = Form.useForm<LineForm>();
  const settle = useSettle(o.id);
  const save = useApiMutation(
    (v: LineForm) => {
      const reason = v.reason?.trim() ? { reason: v.reason.trim() } : {};
      if (!line)
        return api<OrderDetailView>(`${orderPath(o.id)}/gift-lines`, {
          method: 'POST',
          body: { version: o.version, sku: v.sku, quantity: v.quantity, ...reason },
        });
      const price = v.price?.trim() ? parseMinor(v.price, o.currency) : null;
      return api<OrderDetailView>(`${orderPath(o.id)}/lines/${encodeURIComponent(line.id)}`, {
        method: 'PUT',
        body: {
          version: o.version,
          ...(v.sku !== line.sku ? { sku: v.sku } : {}),
          ...(v.quantity !== line.quantity ? { quantity: v.quantity } : {}),
          ...(price !== null && price !== line.unitPrice ? { unitPrice: price } : {}),
          ...reason,
        },
      });
    },
    {
      success: line ? t('lineSaved') : t('giftSaved'),
      onSuccess: (next) => {
        settle(next);
        onClose();
      },
    },
  );
  const { reset } = save;
  useEffect(() => {
    if (!open) return;
    form.setFieldsValue({
      sku: line?.sku ?? undefined,
      quantity: line?.quantity ?? 1,
      price: '',
      reason: '',
    });
    reset();
  }, [open, line, form, reset]);
  const showPrice = line !== null && !line.gift && can('orders:amounts');

  return (
    <Modal
      open={open}
      title={
        line
          ? t('editLineTitle', { lineNo: line.lineNo, orderNo: o.orderNo })
          : t('addGiftTitle', { orderNo: o.orderNo })
      }
      onCancel={onClose}
      okButtonProps={{ loading: save.busy, 'data-testid': 'line-ok' } as never}
      onOk={() =>
        form.validateFields().then(
          (v) => save.run(v),
          () => undefined,
        )
      }
      forceRender
      width={520}
    >
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        message={line ? t('editStockHint') : t('giftStockHint')}
      />
      <Form form={form} layout="vertical" data-testid="line-form">
        <Form.Item
          name="sku"
          label={t('pickSku')}
          rules={[{ required: true, message: t('fieldRequired', { field: t('sku') }) }]}
        >
          <SkuSelect id="line-sku" testId="line-sku" />
        </Form.Item>
        <Form.Item
          name="quantity"
          label={t('quantity')}
          extra={t('quantityLimit', { max: MAX_EDIT_QUANTITY })}
          rules={[
            {
              required: true,
              type: 'integer',
              min: 1,
              max: MAX_EDIT_QUANTITY,
              message: t('quantityLimit', { max: MAX_EDIT_QUANTITY }),
            },
          ]}
        >
          <InputNumber
            id="line-quantity"
            min={1}
            max={MAX_EDIT_QUANTITY}
            precision={0}
            style={{ width: 160 }}
          />
        </Form.Item>
        {showPrice && line ? (
          <Form.Item
            name="price"
            label={t('newUnitPrice')}
            extra={t('unitPriceKeep', { price: formatMoney(line.unitPrice ?? 0, o.currency, locale) })}
            rules={[
              {
                validator: (_r, v: string) =>
                  !v?.trim() || parseMinor(v, o.currency) !== null
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('unitPriceBad', { digits: minorDigits(o.currency) }))),
              },
            ]}
          >
            <Input inputMode="decimal" style={{ width: 160 }} id="line-price" />
          </Form.Item>
        ) : null}
        <Form.Item name="reason" label={t('editReason')}>
          <Input maxLength={200} placeholder={t('editReasonPlaceholder')} id="line-reason" />
        </Form.Item>
      </Form>
      {save.error ? <ErrorAlert error={save.error} /> : null}
    </Modal>
  );
}

/** The receivers the order had before its address edits, masked like the current one. */
export function ReceiverHistoryModal({
  order: o,
  open,
  onClose,
}: {
  order: OrderDetailView;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT(messages);
  const history = useQuery({
    queryKey: ['orders', 'receiver-history', o.id],
    queryFn: ({ signal }) => api<ReceiverHistoryView>(`${orderPath(o.id)}/receiver-history`, { signal }),
    enabled: open,
  });
  return (
    <Modal
      open={open}
      title={t('receiverHistoryTitle', { orderNo: o.orderNo })}
      onCancel={onClose}
      footer={null}
      width={560}
    >
      {history.error ? <ErrorAlert error={history.error} onRetry={() => history.refetch()} /> : null}
      <List
        loading={history.isPending}
        dataSource={history.data?.items ?? []}
        locale={{ emptyText: t('receiverHistoryEmpty') }}
        data-testid="receiver-history"
        renderItem={(h) => (
          <List.Item>
            <List.Item.Meta
              title={
                <span>
                  {h.receiver.name ?? '—'} · {h.receiver.phone ?? '—'}
                </span>
              }
              description={
                <>
                  <div>
                    {[h.receiver.province, h.receiver.city, h.receiver.district, h.receiver.detail]
                      .filter(Boolean)
                      .join(' ')}
                  </div>
                  <Typography.Text type="secondary">
                    <Time at={h.at} seconds={false} />{' '}
                    {t('replacedBy', { who: h.replacedBy.replace(/\s*\(token [^)]*\)\s*$/, '') })}
                  </Typography.Text>
                </>
              }
            />
          </List.Item>
        )}
      />
    </Modal>
  );
}
