import {
  CHANNELS,
  HOLD_REASON_LABELS,
  HOLD_REASONS,
  MAX_ORDER_NOS_PER_SEARCH,
  ORDER_STATUS_LABELS,
  ORDER_STATUSES,
  splitOrderNos,
} from '@orderhub/contracts';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Form, Input, Select, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { type RefObject, useEffect } from 'react';
import { api } from '../../../shared/api.ts';
import { labelOf, useLocale, useT } from '../../../shared/i18n.tsx';
import { CHANNEL_LABELS } from '../../../shared/messages.ts';
import { useSession } from '../../../shared/session.tsx';
import { emptyFilters, type OrderFilters, orderNosProblem, phoneProblem } from '../filters.ts';
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
  orderNoRef: RefObject<HTMLTextAreaElement | null>;
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

  const pasted = Form.useWatch('orderNos', form) as string | undefined;
  const pastedCount = pasted ? splitOrderNos(pasted).length : 0;

  useEffect(() => {
    form.setFieldsValue({
      ...filters,
      orderNos: filters.orderNos ? filters.orderNos.split(',').join('\n') : (filters.orderNo ?? ''),
      flag: filters.flag.map(Number),
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
    const nos = splitOrderNos((values['orderNos'] as string | undefined) ?? '');
    onApply({
      // The tab, quick filters and sort are set above the table; the form leaves them as they are.
      ...filters,
      flag: ((values['flag'] as number[]) ?? []).map(String),
      orderNos: nos.length ? nos.join(',') : undefined,
      orderNo: undefined,
      receiverName: text('receiverName'),
      buyerNick: text('buyerNick'),
      title: text('title'),
      status: (values['status'] as string[]) ?? [],
      channel: (values['channel'] as string[]) ?? [],
      account: (values['account'] as string[]) ?? [],
      holdReason: (values['holdReason'] as string[]) ?? [],
      tag: (values['tag'] as string[]) ?? [],
      sku: text('sku'),
      phone: text('phone'),
      day: day ? day.format('YYYY-MM-DD') : undefined,
      from: !day && range?.[0] ? range[0].format('YYYY-MM-DD') : undefined,
      to: !day && range?.[1] ? range[1].format('YYYY-MM-DD') : undefined,
      // A day or a range chosen here replaces a quick day.
      when: day || range?.[0] || range?.[1] ? undefined : filters.when,
      // A status chosen here replaces the tab.
      tab: ((values['status'] as string[]) ?? []).length ? undefined : filters.tab,
    });
  }

  return (
    <Card size="small" style={{ marginBottom: 16 }}>
      <Form form={form} layout="inline" onFinish={onSearch} style={{ rowGap: 8 }}>
        <Form.Item
          name="orderNos"
          extra={
            pastedCount > 1 ? (
              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="order-nos-count">
                {t('orderNosCount', { n: pastedCount })}
              </Typography.Text>
            ) : null
          }
          rules={[
            {
              validator: (_, v: string | undefined) => {
                const p = orderNosProblem(v);
                return p
                  ? Promise.reject(new Error(t('orderNosTooMany', { max: p.max, n: p.count })))
                  : Promise.resolve();
              },
            },
          ]}
        >
          <Input.TextArea
            ref={(el) => {
              orderNoRef.current = el?.resizableTextArea?.textArea ?? null;
            }}
            placeholder={t('filterOrderNos')}
            title={t('filterOrderNosHint', { max: MAX_ORDER_NOS_PER_SEARCH })}
            allowClear
            autoSize={{ minRows: 1, maxRows: 6 }}
            style={{ width: 320 }}
            data-testid="filter-orderNos"
            onKeyDown={(e) => {
              // Enter searches; Shift+Enter starts a new line (pasted lists keep theirs).
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                form.submit();
              }
            }}
          />
        </Form.Item>
        <Form.Item
          name="phone"
          rules={[
            {
              validator: (_, v: string | undefined) =>
                phoneProblem(v) ? Promise.reject(new Error(t('phoneInvalid'))) : Promise.resolve(),
            },
          ]}
        >
          <Input
            placeholder={t('filterPhoneHint')}
            title={t('filterPhoneHint')}
            allowClear
            style={{ width: 210 }}
            data-testid="filter-phone"
          />
        </Form.Item>
        <Form.Item name="receiverName">
          <Input
            placeholder={t('filterReceiverName')}
            allowClear
            style={{ width: 150 }}
            data-testid="filter-receiverName"
          />
        </Form.Item>
        <Form.Item name="buyerNick">
          <Input
            placeholder={t('filterBuyerNick')}
            allowClear
            style={{ width: 220 }}
            data-testid="filter-buyerNick"
          />
        </Form.Item>
        <Form.Item name="sku">
          <Input placeholder={t('filterSku')} allowClear style={{ width: 180 }} data-testid="filter-sku" />
        </Form.Item>
        <Form.Item name="title">
          <Input
            placeholder={t('filterTitle')}
            allowClear
            style={{ width: 240 }}
            data-testid="filter-title"
          />
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
        <Form.Item name="flag">
          <Select
            mode="multiple"
            allowClear
            placeholder={t('filterFlag')}
            style={{ minWidth: 120 }}
            options={[1, 2, 3, 4, 5].map((f) => ({ value: f, label: t(`flag_${f}`) }))}
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
