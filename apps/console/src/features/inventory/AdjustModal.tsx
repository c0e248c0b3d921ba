import { ADJUSTMENT_REASONS, type StockLevelView } from '@orderhub/contracts';
import { Form, Input, InputNumber, Modal, Select } from 'antd';
import { api } from '../../shared/api.ts';
import { useApiMutation } from '../../shared/hooks.ts';
import { labelOf, useLocale, useT } from '../../shared/i18n.tsx';
import { ErrorAlert } from '../../shared/ui.tsx';
import { useWarehouseOptions } from './Filters.tsx';
import { REASON_LABELS } from './labels.ts';
import { messages } from './messages.ts';

interface AdjustValues {
  sku: string;
  warehouse: string;
  delta: number;
  reasonCode: string;
  note?: string;
}

/** One stock adjustment (a signed delta with a reason) for one SKU in one warehouse. */
export function AdjustModal({ level, onClose }: { level: Partial<StockLevelView>; onClose: () => void }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const warehouses = useWarehouseOptions();
  const [form] = Form.useForm<AdjustValues>();
  const adjust = useApiMutation(
    (v: AdjustValues) =>
      api('/api/inventory/adjustments', {
        method: 'POST',
        body: {
          warehouse: v.warehouse,
          lines: [{ sku: v.sku.trim(), delta: v.delta }],
          reasonCode: v.reasonCode,
          ...(v.note ? { note: v.note } : {}),
        },
      }),
    { success: t('adjustDone'), invalidate: [['inventory']], onSuccess: onClose },
  );
  return (
    <Modal
      open
      title={t('adjust')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('submit')}
      confirmLoading={adjust.busy}
    >
      {adjust.error ? <ErrorAlert error={adjust.error} /> : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ sku: level.sku, warehouse: level.warehouse, reasonCode: 'CORRECTION' }}
        onFinish={(v) => void adjust.run(v)}
      >
        <Form.Item name="sku" label={t('sku')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="warehouse" label={t('warehouse')} rules={[{ required: true }]}>
          <Select options={warehouses} />
        </Form.Item>
        <Form.Item
          name="delta"
          label={t('delta')}
          rules={[
            { required: true },
            { validator: async (_, v) => (v === 0 ? Promise.reject() : undefined) },
          ]}
        >
          <InputNumber precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="reasonCode" label={t('reason')} rules={[{ required: true }]}>
          <Select
            options={ADJUSTMENT_REASONS.map((r) => ({ value: r, label: labelOf(REASON_LABELS, r, locale) }))}
          />
        </Form.Item>
        <Form.Item name="note" label={t('note')}>
          <Input maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
