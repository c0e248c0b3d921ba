import type { OrderView } from '@orderhub/contracts';
import { Space, type TableColumnsType, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { useT } from '../../../shared/i18n.tsx';
import { useSession } from '../../../shared/session.tsx';
import { ChannelName, HoldReasonTag, Money, StatusTag, Time } from '../../../shared/ui.tsx';
import { messages } from '../messages.ts';

export const ALL_COLUMNS = [
  'orderNo',
  'externalOrderId',
  'channel',
  'status',
  'total',
  'receiver',
  'placedAt',
  'paidAt',
  'tags',
];
export const DEFAULT_COLUMNS = [
  'orderNo',
  'externalOrderId',
  'channel',
  'status',
  'total',
  'receiver',
  'placedAt',
  'tags',
];

/** The list's columns; the order is named by its orderNo, the id stays in the link. */
export function useOrderColumns(): TableColumnsType<OrderView> {
  const t = useT(messages);
  const { can } = useSession();
  return [
    {
      key: 'orderNo',
      title: t('orderNo'),
      fixed: 'left',
      render: (_, o) => (
        <Link to={`/orders/${encodeURIComponent(o.id)}`} data-order-link={o.id} data-order-no={o.orderNo}>
          {o.orderNo || o.externalOrderId}
        </Link>
      ),
    },
    { key: 'externalOrderId', title: t('externalOrderId'), dataIndex: 'externalOrderId' },
    {
      key: 'channel',
      title: t('channel'),
      render: (_, o) => (
        <Space direction="vertical" size={0}>
          <ChannelName channel={o.channel} />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {o.channelAccount}
          </Typography.Text>
        </Space>
      ),
    },
    {
      key: 'status',
      title: t('status'),
      render: (_, o) => (
        <Space size={4} wrap>
          <StatusTag status={o.status} />
          <HoldReasonTag reason={o.holdReason} />
        </Space>
      ),
    },
    ...(can('orders:amounts')
      ? [
          {
            key: 'total',
            title: t('total'),
            align: 'right' as const,
            render: (_: unknown, o: OrderView) => <Money minor={o.total} currency={o.currency} />,
          },
        ]
      : []),
    {
      key: 'receiver',
      title: t('receiver'),
      render: (_, o) => (
        <span>
          {o.receiver.name} {o.receiver.phone}
        </span>
      ),
    },
    { key: 'placedAt', title: t('placedAt'), render: (_, o) => <Time at={o.placedAt} /> },
    { key: 'paidAt', title: t('paidAt'), render: (_, o) => <Time at={o.paidAt} /> },
    {
      key: 'tags',
      title: t('tags'),
      render: (_, o) => o.tags.map((tag) => <Tag key={tag}>{tag}</Tag>),
    },
  ];
}
