import {
  CHANNELS,
  HOLD_REASON_LABELS,
  HOLD_REASONS,
  ORDER_STATUS_LABELS,
  ORDER_STATUSES,
} from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Form, Input, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { type RefObject, useEffect } from 'react';
import { api } from '../../../shared/api.ts';
import { labelOf, useLocale, useT } from '../../../shared/i18n.tsx';
import { CHANNEL_LABELS } from '../../../shared/messages.ts';
import { useSession } from '../../../shared/session.tsx';
import { emptyFilters, type OrderFilters } from '../filters.ts';
import { messages } from '../messages.ts';

interface Account {
  code: string;
  name: string;
  channel: string;
}

/** The list's filter form; what it holds lives in the URL. */
export function FilterBar({
  filters,
  onApply,
  orderNoRef,
}: {
  filters: OrderFilters;
  onApply: (f: OrderFilters) => void;
  orderNoRef: RefObject<HTMLInputElement | null>;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const { can } = useSession();
  const [form] = Form.useForm();
  const accounts = useQuery({
    queryKey: ['channel-accounts'],
    queryFn: () => api<Account[]>('/api/channel-accounts'),
    enabled: can('channels:read'),
    staleTime: 300_000,
  });

  useEffect(() => {
    form.setFieldsValue({
      ...filters,
      day: filters.day ? dayjs(filters.day) : undefined,
      range:
        filters.from || filters.to
          ? [filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null]
          : undefined,
    });
  }, [filters, form]);

  function onSearch(values: Record<string, unknown>) {
    const range = values['range'] as [dayjs.Dayjs | null, dayjs.Dayjs | null] | undefined;
    const day = values['day'] as dayjs.Dayjs | undefined;
    const text = (k: string) => (values[k] as string | undefined)?.trim() || undefined;
    onApply({
      status: (values['status'] as string[]) ?? [],
      channel: (values['channel'] as string[]) ?? [],
      account: (values['account'] as string[]) ?? [],
      holdReason: (values['holdReason'] as string[]) ?? [],
      tag: (values['tag'] as string[]) ?? [],
      sku: text('sku'),
      orderNo: text('orderNo'),
      phone: text('phone'),
      day: day ? day.format('YYYY-MM-DD') : undefined,
      from: !day && range?.[0] ? range[0].format('YYYY-MM-DD') : undefined,
      to: !day && range?.[1] ? range[1].format('YYYY-MM-DD') : undefined,
    });
  }

  return (
    <Card size="small" style={{ marginBottom: 16 }}>
      <Form form={form} layout="inline" onFinish={onSearch} style={{ rowGap: 8 }}>
        <Form.Item name="orderNo">
          <Input
            ref={(el) => {
              orderNoRef.current = el?.input ?? null;
            }}
            placeholder={t('filterOrderNo')}
            title={t('filterOrderNoHint')}
            allowClear
            style={{ width: 240 }}
            data-testid="filter-orderNo"
          />
        </Form.Item>
        <Form.Item name="phone">
          <Input
            placeholder={t('filterPhone')}
            allowClear
            style={{ width: 160 }}
            data-testid="filter-phone"
          />
        </Form.Item>
        <Form.Item name="sku">
          <Input placeholder={t('sku')} allowClear style={{ width: 140 }} />
        </Form.Item>
        <Form.Item name="status">
          <Select
            mode="multiple"
            allowClear
            placeholder={t('status')}
            style={{ minWidth: 160 }}
            options={ORDER_STATUSES.map((s) => ({
              value: s,
              label: labelOf(ORDER_STATUS_LABELS, s, locale),
            }))}
            data-testid="filter-status"
          />
        </Form.Item>
        <Form.Item name="channel">
          <Select
            mode="multiple"
            allowClear
            placeholder={t('channel')}
            style={{ minWidth: 140 }}
            options={CHANNELS.map((c) => ({ value: c, label: labelOf(CHANNEL_LABELS, c, locale) }))}
          />
        </Form.Item>
        <Form.Item name="account">
          <Select
            mode="multiple"
            allowClear
            placeholder={t('shop')}
            style={{ minWidth: 140 }}
            options={(accounts.data ?? []).map((a) => ({ value: a.code, label: `${a.name} (${a.code})` }))}
          />
        </Form.Item>
        <Form.Item name="holdReason">
          <Select
            mode="multiple"
            allowClear
            placeholder={t('holdReason')}
            style={{ minWidth: 140 }}
            options={HOLD_REASONS.map((r) => ({ value: r, label: labelOf(HOLD_REASON_LABELS, r, locale) }))}
          />
        </Form.Item>
        <Form.Item name="tag">
          <Select mode="tags" allowClear placeholder={t('tags')} style={{ minWidth: 120 }} open={false} />
        </Form.Item>
        <Form.Item name="day">
          <DatePicker placeholder={t('localDay')} />
        </Form.Item>
        <Form.Item name="range">
          <DatePicker.RangePicker placeholder={[t('rangeFrom'), t('rangeTo')]} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" data-testid="filter-submit">
              {t('search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                onApply(emptyFilters());
              }}
            >
              {t('reset')}
            </Button>
          </Space>
        </Form.Item>
      </Form>
    </Card>
  );
}
