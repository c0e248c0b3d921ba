import type { WarehouseView } from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Button, Checkbox, Form, Input, Select, Typography } from 'antd';
import type { ReactNode } from 'react';
import { api } from '../../shared/api.ts';
import { useT } from '../../shared/i18n.tsx';
import { messages } from './messages.ts';

export interface StockFilter {
  sku?: string;
  warehouse?: string;
  belowSafety?: boolean;
}

export function useWarehouses() {
  return useQuery({
    queryKey: ['inventory', 'warehouses'],
    queryFn: () => api<WarehouseView[]>('/api/warehouses'),
    staleTime: 300_000,
  });
}

export function useWarehouseOptions() {
  const warehouses = useWarehouses();
  return (warehouses.data ?? []).map((w) => ({ value: w.code, label: `${w.code} ${w.name}` }));
}

/** A warehouse by its name, with its code beside it (the code alone until the list has loaded). */
export function useWarehouseName(): (code: string) => ReactNode {
  const warehouses = useWarehouses();
  const names = new Map((warehouses.data ?? []).map((w) => [w.code, w.name]));
  return (code) => {
    const name = names.get(code);
    if (!name) return code;
    return (
      <>
        {name}{' '}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {code}
        </Typography.Text>
      </>
    );
  };
}

/** A warehouse's name as plain text (its code until the list has loaded). */
export function useWarehouseLabel(): (code: string) => string {
  const warehouses = useWarehouses();
  const names = new Map((warehouses.data ?? []).map((w) => [w.code, w.name]));
  return (code) => names.get(code) ?? code;
}

/** SKU and warehouse (and, for levels, "below safety stock only"). */
export function Filters({ onSearch, extra }: { onSearch: (v: StockFilter) => void; extra?: boolean }) {
  const t = useT(messages);
  const warehouses = useWarehouseOptions();
  return (
    <Form
      layout="inline"
      style={{ marginBottom: 12, rowGap: 8 }}
      onFinish={(v: StockFilter) =>
        onSearch({
          ...(v.sku?.trim() ? { sku: v.sku.trim() } : {}),
          ...(v.warehouse ? { warehouse: v.warehouse } : {}),
          ...(v.belowSafety ? { belowSafety: true } : {}),
        })
      }
    >
      <Form.Item name="sku">
        <Input placeholder={t('filterSku')} allowClear style={{ width: 160 }} />
      </Form.Item>
      <Form.Item name="warehouse">
        <Select allowClear placeholder={t('filterWarehouse')} style={{ width: 160 }} options={warehouses} />
      </Form.Item>
      {extra ? (
        <Form.Item name="belowSafety" valuePropName="checked">
          <Checkbox>{t('onlyBelow')}</Checkbox>
        </Form.Item>
      ) : null}
      <Button type="primary" htmlType="submit">
        {t('search')}
      </Button>
    </Form>
  );
}
