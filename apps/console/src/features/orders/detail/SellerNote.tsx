import { FlagFilled, FlagOutlined } from '@ant-design/icons';
import type { OrderDetailView, OrderView } from '@orderhub/contracts';
import { Form, Input, Modal, Radio, Space, Tooltip } from 'antd';
import { useEffect, useRef } from 'react';
import { api } from '../../../shared/api.ts';
import { useApiMutation } from '../../../shared/hooks.ts';
import { useT } from '../../../shared/i18n.tsx';
import { ErrorAlert } from '../../../shared/ui.tsx';
import { messages } from '../messages.ts';

/** 旗帜 colours as the marketplaces show them: 1 red, 2 yellow, 3 green, 4 blue, 5 purple. */
export const FLAG_COLORS: Record<number, string> = {
  1: '#f5222d',
  2: '#faad14',
  3: '#52c41a',
  4: '#1677ff',
  5: '#722ed1',
};
export const FLAGS = [1, 2, 3, 4, 5] as const;

/** The seller's flag, coloured, with the note as its tooltip (an outline when there is no flag). */
export function SellerFlag({ flag, note }: { flag: number | null; note: string | null }) {
  const t = useT(messages);
  if (!flag && !note) return null;
  const title = [flag ? t(`flag_${flag}`) : null, note].filter(Boolean).join(t('colonSep'));
  return (
    <Tooltip title={title}>
      <span role="img" data-seller-flag={flag ?? 0} data-seller-note={note ?? ''} aria-label={title}>
        {flag ? (
          <FlagFilled style={{ color: FLAG_COLORS[flag] }} />
        ) : (
          <FlagOutlined style={{ color: '#8c8c8c' }} />
        )}
      </span>
    </Tooltip>
  );
}

/** A small dialog for the seller note and flag; the server keeps the old and new value on the timeline. */
export function SellerNoteModal({
  order,
  onClose,
}: {
  order: Pick<
    OrderView,
    'id' | 'orderNo' | 'externalOrderId' | 'version' | 'sellerRemark' | 'sellerFlag'
  > | null;
  onClose: () => void;
}) {
  const t = useT(messages);
  const [form] = Form.useForm<{ note: string; flag: number }>();
  const save = useApiMutation(
    (id: string, body: { version: number; note: string; flag: number | null }) =>
      api<OrderDetailView>(`/api/orders/${encodeURIComponent(id)}/seller-note`, { method: 'PUT', body }),
    { success: t('sellerNoteSaved'), invalidate: [['orders']], onSuccess: () => onClose() },
  );
  const { reset } = save;
  // The form is filled when the dialog opens for an order, not each time the order's data is
  // fetched again: a refresh while the dialog is open must not wipe what is being typed.
  const current = useRef(order);
  current.current = order;
  const openFor = order?.id ?? null;
  useEffect(() => {
    const o = current.current;
    if (openFor !== null && o) {
      form.setFieldsValue({ note: o.sellerRemark ?? '', flag: o.sellerFlag ?? 0 });
      reset();
    }
  }, [openFor, form, reset]);

  return (
    <Modal
      open={order !== null}
      title={t('sellerNoteTitle', { orderNo: order ? order.orderNo || order.externalOrderId : '' })}
      onCancel={onClose}
      okButtonProps={{ loading: save.busy, 'data-testid': 'seller-note-ok' } as never}
      onOk={() => {
        if (!order) return;
        const v = form.getFieldsValue();
        void save.run(order.id, {
          version: order.version,
          note: (v.note ?? '').trim(),
          flag: v.flag ? v.flag : null,
        });
      }}
      forceRender
    >
      <Form form={form} layout="vertical" data-testid="seller-note-form">
        <Form.Item name="flag" label={t('flagLabel')}>
          <Radio.Group>
            <Space wrap>
              <Radio value={0}>
                <span data-flag-choice={0}>{t('noFlag')}</span>
              </Radio>
              {FLAGS.map((f) => (
                <Radio key={f} value={f}>
                  <span data-flag-choice={f}>
                    <FlagFilled style={{ color: FLAG_COLORS[f] }} /> {t(`flag_${f}`)}
                  </span>
                </Radio>
              ))}
            </Space>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="note" label={t('noteLabel')}>
          <Input.TextArea
            rows={3}
            maxLength={1000}
            showCount
            placeholder={t('sellerNotePlaceholder')}
            data-testid="seller-note-input"
          />
        </Form.Item>
      </Form>
      {save.error ? <ErrorAlert error={save.error} /> : null}
    </Modal>
  );
}
